"""The capacity model: three heads over one feature table, and the answer built from them.

* ``full`` — calibrated probability of full performance within the 6 statutory months;
* ``share`` — expected share of the amount due recovered within those months (never below
  the probability of full performance, since a full payment recovers everything);
* ``hidden`` — probability that the debtor has means the searches missed (执行难 rather than
  执行不能), learnt from cases where such means came to light later.

Tiers, reasons, leads and the relief hint are decided per answer from the settings
(:class:`CapacityOptions`), so a court can move a threshold without retraining.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import nullcontext
from dataclasses import dataclass

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from models.capacity.features import FEATURES, capacity_features
from models.capacity.leads import asset_leads
from models.capacity.options import CapacityOptions
from models.capacity.reasons import top_reasons
from models.capacity.relief import relief_hint
from models.capacity.schemas import (
    CapacityAssessment,
    CapacityBatch,
    CapacityBatchRequest,
    DebtorRequest,
)
from models.capacity.share_head import ShareHead, fit_share_head
from models.capacity.tiers import decide_tiers, tier_basis
from models.capacity.vocabulary import Tier
from models.classification.estimator import ProbabilityClassifier
from models.classification.params import ClassifierParams
from models.identity import keyed_hash
from models.parallel import current_executor, one_lightgbm_thread
from models.request_frame import frame_records, requests_to_frame
from models.schemas import ModelInfo

logger = logging.getLogger(__name__)

#: Training-table columns the heads learn from.
TARGET_FULL = "paid_full_6m"
TARGET_SHARE = "recovered_share"
TARGET_HIDDEN = "hidden_capacity"

#: More found money can only make payment likelier; more competing cases only less likely.
MONOTONE_PAYMENT: dict[str, int] = {
    "bank_deposits_found": 1,
    "securities_found": 1,
    "cash_ratio": 1,
    "liquid_ratio": 1,
    "asset_ratio": 1,
    "other_open_cases": -1,
}
#: More spending can only make hidden means likelier.
MONOTONE_HIDDEN: dict[str, int] = {
    "flights_12m": 1,
    "hotel_nights_12m": 1,
    "luxury_spend_12m": 1,
    "private_school_fees_12m": 1,
}

#: What each head's reasons move, in the answer's ``direction``.
_FULL_OUTCOME = "履行可能"
_HIDDEN_OUTCOME = "隐匿财产可能"


@dataclass
class CapacityScores:
    """The three heads' outputs for a table of debtors, plus the cash ratio."""

    p_full: np.ndarray
    share: np.ndarray
    p_hidden: np.ndarray
    cash_ratio: np.ndarray


class CapacityModel:
    """Fitted heads; answers single and batch requests."""

    def __init__(
        self, full: ProbabilityClassifier, share: ShareHead, hidden: ProbabilityClassifier
    ) -> None:
        self.full = full
        self.share = share
        self.hidden = hidden

    @classmethod
    def fit(
        cls,
        frame: pd.DataFrame,
        seed: int = 0,
        params: ClassifierParams | None = None,
        workers: int = 1,
    ) -> CapacityModel:
        """Fit the three heads on a cleaned table of debtors with known outcomes.

        The heads, and within the two classifiers the spline member and each booster
        setting, are independent steps; up to ``workers`` of them run at once, one thread
        each (LightGBM and the linear algebra release the interpreter lock), while each
        classifier's short steps of its own (encoding, pair screening, the stack) run on a
        thread that hands the long ones to the pool. Every step is deterministic, so the
        model is the same whatever ``workers`` is; only the wall time changes.
        """
        params = params or ClassifierParams()
        features = capacity_features(frame)[list(FEATURES)]
        # The outer limit makes every classifier's own limit (the same value) restore to
        # it, so no step's linear algebra ever runs on more threads than ``params.n_jobs``.
        # LightGBM runs one thread per call: a head's thread and the pool's call it at once
        # even with one worker (models.parallel explains the crash this prevents).
        # A cluster's executor set by ``models.parallel.fitting_on`` (training) takes the
        # steps instead of the local pool; the heads still wait for them on local threads.
        remote = current_executor()
        with (
            threadpool_limits(limits=params.n_jobs),
            one_lightgbm_thread(),
            nullcontext(remote)
            if remote is not None
            else ThreadPoolExecutor(workers, thread_name_prefix="capacity-fit") as pool,
            ThreadPoolExecutor(
                2 if remote is not None else min(2, workers), thread_name_prefix="capacity-head"
            ) as heads,
        ):

            def classifier(target: str, monotone: Mapping[str, int]) -> ProbabilityClassifier:
                # Runs on ``heads``: its own steps go to ``pool`` while it waits for them.
                y = frame[target].to_numpy(dtype=int)
                return ProbabilityClassifier(params, seed=seed).fit(
                    features.copy(), y, monotone=monotone, pool=pool
                )

            hidden = heads.submit(classifier, TARGET_HIDDEN, MONOTONE_HIDDEN)
            full = heads.submit(classifier, TARGET_FULL, MONOTONE_PAYMENT)
            share = pool.submit(
                fit_share_head,
                features.copy(),
                frame[TARGET_SHARE].to_numpy(dtype=float),
                seed,
                MONOTONE_PAYMENT,
                n_jobs=params.n_jobs,
            )
            model = cls(full.result(), share.result(), hidden.result())
        where = f"{workers} workers" if remote is None else "a cluster"
        logger.info("fitted the capacity heads on %d debtors (%s)", len(frame), where)
        return model

    def scores(self, raw: pd.DataFrame) -> CapacityScores:
        """Vectorised scores of raw rows (generated data or requests)."""
        return self._scores(capacity_features(raw)[list(FEATURES)])

    def _scores(self, features: pd.DataFrame) -> CapacityScores:
        p_full = self.full.predict_proba(features)
        return CapacityScores(
            p_full=p_full,
            share=np.maximum(self.share.predict(features), p_full),
            p_hidden=self.hidden.predict_proba(features),
            cash_ratio=features["cash_ratio"].to_numpy(),
        )

    def predict_frame(
        self, raw: pd.DataFrame, options: CapacityOptions | None = None
    ) -> pd.DataFrame:
        """Scores and tier per row, as a table (the MLflow pyfunc's output)."""
        options = options or CapacityOptions()
        s = self.scores(raw)
        return pd.DataFrame(
            {
                "probability_full_6m": s.p_full,
                "expected_recovered_share": s.share,
                "hidden_capacity_probability": s.p_hidden,
                "cash_ratio": s.cash_ratio,
                "tier": [str(t) for t in decide_tiers(s.p_full, s.share, s.p_hidden, options)],
            },
            index=raw.index,
        )

    def assess(
        self, request: DebtorRequest, info: ModelInfo, options: CapacityOptions
    ) -> CapacityAssessment:
        """The full answer for one debtor."""
        return self.assess_all([request], info, options, with_reasons=True)[0]

    def assess_batch(
        self, batch: CapacityBatchRequest, info: ModelInfo, options: CapacityOptions
    ) -> CapacityBatch:
        """Answers for a batch, in request order; reasons only when asked for."""
        items = self.assess_all(batch.items, info, options, batch.include_contributions)
        return CapacityBatch(items=items, model=info)

    def assess_all(
        self,
        requests: list[DebtorRequest],
        info: ModelInfo,
        options: CapacityOptions,
        with_reasons: bool,
    ) -> list[CapacityAssessment]:
        """The full answers for many debtors in one vectorised pass, in request order;
        reasons only ``with_reasons`` (they cost the heads' SHAP values)."""
        raw = requests_to_frame(requests, DebtorRequest)
        features = capacity_features(raw)[list(FEATURES)]
        s = self._scores(features)
        tiers = decide_tiers(s.p_full, s.share, s.p_hidden, options)
        hidden_rows = tiers == Tier.HARD
        effects = self._effects(features, hidden_rows) if with_reasons and options.reasons else None
        rows = frame_records(raw.assign(searches_missing=features["searches_missing"]))
        answers = []
        for i, (request, row) in enumerate(zip(requests, rows, strict=True)):
            tier = tiers[i]
            reasons = (
                top_reasons(
                    effects[i],
                    row,
                    options.reasons,
                    _HIDDEN_OUTCOME if hidden_rows[i] else _FULL_OUTCOME,
                )
                if effects is not None
                else []
            )
            answers.append(
                CapacityAssessment(
                    probability_full_6m=float(s.p_full[i]),
                    expected_recovered_share=float(s.share[i]),
                    expected_recovered_amount=float(s.share[i] * request.amount_due),
                    hidden_capacity_probability=float(s.p_hidden[i]),
                    cash_ratio=_or_none(s.cash_ratio[i]),
                    tier=tier,
                    tier_basis=tier_basis(tier, s.p_full[i], s.share[i], s.p_hidden[i], options),
                    reasons=reasons,
                    leads=asset_leads(row, options),
                    relief=relief_hint(tier, row, options),
                    debtor_id_hash=_identity_hash(request, options),
                    model=info,
                )
            )
        return answers

    def _effects(
        self, features: pd.DataFrame, hidden_rows: np.ndarray
    ) -> list[Mapping[str, float]]:
        """Per-row contributions of the head that decided the row's tier."""
        out: list[Mapping[str, float]] = [{}] * len(features)
        for head, mask in ((self.full, ~hidden_rows), (self.hidden, hidden_rows)):
            if mask.any():
                part = head.contributions(features.loc[mask])
                for position, values in zip(np.flatnonzero(mask), frame_records(part), strict=True):
                    out[position] = values
        return out


def _or_none(value: float) -> float | None:
    return None if not np.isfinite(value) else float(value)


def _identity_hash(request: DebtorRequest, options: CapacityOptions) -> str | None:
    if request.debtor_id_number is None or options.identity_key is None:
        return None
    return keyed_hash(request.debtor_id_number, options.identity_key)

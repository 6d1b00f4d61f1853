"""The case difficulty model: two LightGBM heads over the features of ``features.py``.

* **paid** — a binary booster: the probability that the case closes with money paid (执行完毕
  or 和解) within the statutory period, counted from filing. Trained only on cases whose whole
  period had passed by the training cut-off, so its label is never censored.
* **days** — a log-normal accelerated-failure-time booster (``survival.py``) for the days from
  the scoring day to closing; cases still open are right-censored, not dropped. Its median is
  the expected days to close.

Both are trained on landmark rows — each case as it stood on several days of its life — so a
case can be scored on any day of its life. The ranking is by **ease** (``CaseScores.ease``):
the log-odds of payment within the period less the log of the remaining days to close in
months of 30 days — the odds of the creditor being paid per month of work left; the difficulty
score is ``100 × sigmoid(−ease)``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import lightgbm as lgb
import numpy as np
import pandas as pd

from models.triage.attribution import PathAttribution
from models.triage.features import FEATURES, feature_matrix
from models.triage.params import DifficultyParams
from models.triage.reasons import TOPICS, topic_index
from models.triage.survival import aft_metric, aft_objective, fit_sigma

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class TrainingRows:
    """Landmark rows: features, and the targets each head may learn from.

    Attributes:
        features: ``FEATURES`` columns, one row per case and landmark day.
        case_key: The case each row belongs to (early-stopping splits keep a case together).
        paid: Closed with money paid within the statutory period (NaN: period not over).
        log_days_left: log of days from the landmark to closing, or to the cut-off if open.
        closed: Whether the case closed (False: censored at the cut-off).
    """

    features: pd.DataFrame
    case_key: np.ndarray
    paid: np.ndarray
    log_days_left: np.ndarray
    closed: np.ndarray


#: The ease score counts the odds of payment per this many days of remaining work
#: (Haidian's fast team closes a cash case in under 30 days).
EASE_DAYS = 30.0


@dataclass(frozen=True)
class CaseScores:
    """The model's figures for a set of cases.

    Attributes:
        probability: P(closed with money paid within the statutory period).
        expected_days: Median predicted days from filing to closing.
        location: log of the median predicted days from the scoring day to closing.
        contributions: Per-topic credits to the paid head's log-odds (with ``explain``).
    """

    probability: np.ndarray
    expected_days: np.ndarray
    location: np.ndarray
    contributions: np.ndarray | None

    @property
    def ease(self) -> np.ndarray:
        """The ranking score: log(odds of payment in the period ÷ remaining work in units of
        ``EASE_DAYS``) — likely to be paid, and soon. Higher is easier."""
        p = np.clip(self.probability, 1e-6, 1 - 1e-6)
        return np.log(p / (1 - p)) - (self.location - np.log(EASE_DAYS))


def _split(case_key: np.ndarray, share: float, seed: int) -> np.ndarray:
    """Validation mask that holds out whole cases."""
    keys, inverse = np.unique(case_key, return_inverse=True)
    held = np.random.default_rng(seed).random(len(keys)) < share
    return held[inverse]


def _fit_paid(rows: TrainingRows, params: DifficultyParams, seed: int) -> lgb.Booster:
    known = ~np.isnan(rows.paid)
    X = rows.features.to_numpy(dtype=np.float64)[known]
    y = rows.paid[known]
    valid = _split(rows.case_key[known], params.validation_share, seed)
    config = params.lightgbm(seed) | {"objective": "binary", "metric": "binary_logloss"}
    train_set = lgb.Dataset(X[~valid], y[~valid], feature_name=list(FEATURES), free_raw_data=True)
    valid_set = lgb.Dataset(X[valid], y[valid], reference=train_set)
    booster = lgb.train(
        config,
        train_set,
        num_boost_round=params.n_estimators,
        valid_sets=[valid_set],
        callbacks=[lgb.early_stopping(params.early_stopping_rounds, verbose=False)],
    )
    logger.info("paid head: %d trees on %d rows", booster.num_trees(), int((~valid).sum()))
    return booster


def _fit_days(
    rows: TrainingRows, params: DifficultyParams, seed: int
) -> tuple[lgb.Booster, float, float]:
    X = rows.features.to_numpy(dtype=np.float64)
    y, event = rows.log_days_left, rows.closed
    valid = _split(rows.case_key, params.validation_share, seed + 1)
    offset = float(np.mean(y[event])) if event.any() else float(np.mean(y))
    sigma = float(np.std(y[event])) if event.sum() > 1 else 1.0
    config = params.lightgbm(seed) | {
        "objective": aft_objective(event[~valid], sigma),
        "metric": "None",
    }
    train_set = lgb.Dataset(
        X[~valid], y[~valid], init_score=np.full((~valid).sum(), offset), free_raw_data=True
    )
    valid_set = lgb.Dataset(
        X[valid], y[valid], init_score=np.full(valid.sum(), offset), reference=train_set
    )
    booster = lgb.train(
        config,
        train_set,
        num_boost_round=params.n_estimators,
        valid_sets=[valid_set],
        feval=aft_metric(event[valid], sigma),
        callbacks=[lgb.early_stopping(params.early_stopping_rounds, verbose=False)],
    )
    location = np.asarray(booster.predict(X[valid], num_threads=params.n_jobs)) + offset
    sigma = fit_sigma(y[valid], event[valid], location)
    logger.info("days head: %d trees, sigma %.3f", booster.num_trees(), sigma)
    return booster, offset, sigma


@dataclass(frozen=True)
class DifficultyModel:
    """Fitted difficulty model (pickled into the registered bundle)."""

    paid: lgb.Booster
    days: lgb.Booster
    days_offset: float
    sigma: float
    attribution: PathAttribution
    statutory_days: float
    n_jobs: int = 1

    @classmethod
    def fit(
        cls,
        rows: TrainingRows,
        *,
        statutory_days: float,
        seed: int = 0,
        params: DifficultyParams | None = None,
    ) -> DifficultyModel:
        """Train both heads on landmark rows."""
        params = params or DifficultyParams()
        paid = _fit_paid(rows, params, seed)
        days, offset, sigma = _fit_days(rows, params, seed)
        # Plain copies: the trained boosters hold the custom objective (a closure over arrays).
        paid, days = (lgb.Booster(model_str=b.model_to_string()) for b in (paid, days))
        attribution = PathAttribution.from_booster(paid, topic_index(), len(TOPICS))
        return cls(paid, days, offset, sigma, attribution, statutory_days, params.n_jobs)

    def scores(
        self, cases: pd.DataFrame, as_of: np.ndarray, *, explain: bool = False
    ) -> CaseScores:
        """Probability of paid closing in the period, median days to close from filing, and
        (with ``explain``) per-topic contributions to the paid head's log-odds."""
        X = feature_matrix(cases, as_of)
        age = X[:, FEATURES.index("age_days")]
        location = np.asarray(self.days.predict(X, num_threads=self.n_jobs)) + self.days_offset
        expected = age + np.exp(location)
        if explain:
            leaves = np.asarray(self.paid.predict(X, pred_leaf=True, num_threads=self.n_jobs))
            contributions = self.attribution.contributions(leaves)
            logit = contributions.sum(axis=1, dtype=np.float64) + self.attribution.bias
            probability = 1.0 / (1.0 + np.exp(-logit))
        else:
            contributions = None
            probability = self.paid.predict(X, num_threads=self.n_jobs)
        return CaseScores(np.asarray(probability), expected, location, contributions)

    def predict_frame(self, cases: pd.DataFrame, as_of: pd.Timestamp | None = None) -> pd.DataFrame:
        """Figures per case, scored on ``as_of`` (default: today) — the MLflow pyfunc face."""
        day = (as_of or pd.Timestamp.today()).normalize()
        days = np.full(len(cases), float((day - pd.Timestamp(0)) / pd.Timedelta(days=1)))
        scored = self.scores(cases, days)
        return pd.DataFrame(
            {
                "probability_paid_in_period": scored.probability,
                "expected_days_to_close": scored.expected_days,
            },
            index=cases.index,
        )

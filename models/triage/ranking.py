"""Rank a queue of enforcement cases: scores, lanes, reasons, alerts, bundles and 执转破.

One function, :func:`rank_cases`, serves the API (``POST /v1/cases/rank`` and ``/score``) and
the nightly batch (``courtval score cases``); every step is vectorised over the queue.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from models.settings import Settings
from models.triage.alerts import AlertRules, alert_summary, find_alerts
from models.triage.baseline import cash_ratio
from models.triage.features import day_numbers
from models.triage.groups import find_bankruptcy_candidates, find_bundles
from models.triage.lanes import assign_lanes, rank_order
from models.triage.model import CaseScores, DifficultyModel
from models.triage.reasons import TOPICS, reason_texts, top_topics
from models.triage.vocabulary import Lane


@dataclass(frozen=True)
class TriageOptions:
    """The settings ranking reads."""

    alerts: AlertRules
    fast_probability: float
    complex_probability: float
    fast_capacity: int
    reasons: int
    bundle_min_cases: int
    bankruptcy_min_cases: int
    bankruptcy_unpaid_share: float

    @classmethod
    def from_settings(cls, settings: Settings) -> TriageOptions:
        """Options from the settings object."""
        return cls(
            alerts=AlertRules.from_settings(settings),
            fast_probability=settings.lane_fast_probability,
            complex_probability=settings.lane_complex_probability,
            fast_capacity=settings.fast_track_capacity,
            reasons=settings.triage_reasons,
            bundle_min_cases=settings.bundle_min_cases,
            bankruptcy_min_cases=settings.bankruptcy_min_cases,
            bankruptcy_unpaid_share=settings.bankruptcy_unpaid_share,
        )


@dataclass(frozen=True)
class Ranking:
    """A ranked queue.

    Attributes:
        scores: One row per case, by input position: ``case_id``, ``rank``, ``difficulty``,
            ``probability_paid_in_period``, ``expected_days_to_close``, ``lane``,
            ``cash_ratio``; ``order`` gives the positions in rank order.
        order: Positions of the cases, easiest first.
        reason_codes, reason_texts, reason_effects: Rows × k arrays, strongest first.
        alerts: One row per alert (``models.triage.alerts.ALERT_COLUMNS``).
        alert_summary: Per alert kind, count and oldest.
        bundles: 捆绑执行 groups (``models.triage.groups.BUNDLE_COLUMNS``).
        bankruptcy: 执转破 candidates (``models.triage.groups.BANKRUPTCY_COLUMNS``).
    """

    scores: pd.DataFrame
    order: np.ndarray
    reason_codes: np.ndarray
    reason_texts: np.ndarray
    reason_effects: np.ndarray
    alerts: pd.DataFrame
    alert_summary: pd.DataFrame
    bundles: pd.DataFrame
    bankruptcy: pd.DataFrame

    def lane_counts(self) -> dict[str, int]:
        """Cases per lane (every lane listed)."""
        counts = self.scores["lane"].value_counts()
        return {lane.value: int(counts.get(lane.value, 0)) for lane in Lane}


#: Cases scored at a time (bounds the memory of the per-tree leaf indices).
CHUNK = 100_000
#: progress(cases_done, cases_total)
Progress = Callable[[int, int], None]


def _score_in_chunks(
    model: DifficultyModel,
    cases: pd.DataFrame,
    days: np.ndarray,
    explain: bool,
    progress: Progress | None,
) -> CaseScores:
    parts: list[CaseScores] = []
    for start in range(0, len(cases), CHUNK):
        stop = min(start + CHUNK, len(cases))
        parts.append(model.scores(cases.iloc[start:stop], days[start:stop], explain=explain))
        if progress is not None:
            progress(stop, len(cases))
    contributions = [p.contributions for p in parts]
    return CaseScores(
        probability=np.concatenate([p.probability for p in parts]),
        expected_days=np.concatenate([p.expected_days for p in parts]),
        location=np.concatenate([p.location for p in parts]),
        contributions=None
        if any(c is None for c in contributions)
        else np.concatenate([c for c in contributions if c is not None]),
    )


def rank_cases(
    model: DifficultyModel,
    cases: pd.DataFrame,
    as_of: pd.Timestamp,
    options: TriageOptions,
    progress: Progress | None = None,
) -> Ranking:
    """Score and rank ``cases`` (typed by ``records.case_frame``) as they stand on ``as_of``."""
    day = float((as_of.normalize() - pd.Timestamp(0)) / pd.Timedelta(days=1))
    days = np.full(len(cases), day)
    scored = _score_in_chunks(model, cases, days, options.reasons > 0, progress)
    probability, ease = scored.probability, scored.ease
    closed_day = day_numbers(cases["closed_at"])
    is_open = ~(closed_day <= day)
    order = rank_order(ease, is_open)
    rank = np.empty(len(cases), dtype=np.int64)
    rank[order] = np.arange(1, len(cases) + 1)
    lanes = assign_lanes(
        probability,
        is_open,
        order,
        fast_probability=options.fast_probability,
        complex_probability=options.complex_probability,
        fast_capacity=options.fast_capacity,
    )
    ratio = cash_ratio(cases)
    scores = pd.DataFrame(
        {
            "case_id": pd.Series(cases["case_id"].to_numpy(dtype=object), dtype=object),
            "rank": rank,
            "difficulty": np.round(100.0 / (1.0 + np.exp(ease)), 2),
            "probability_paid_in_period": probability,
            "expected_days_to_close": np.round(scored.expected_days, 1),
            "lane": pd.Series(lanes, dtype=object),
            "cash_ratio": ratio,
        }
    )
    if scored.contributions is not None:
        top = top_topics(scored.contributions, options.reasons)
        effects = np.take_along_axis(scored.contributions, top, axis=1).astype(np.float64)
        texts = reason_texts(cases, days, top, effects)
        codes = np.asarray(TOPICS, dtype=object)[top]
    else:
        codes = texts = np.empty((len(cases), 0), dtype=object)
        effects = np.empty((len(cases), 0))
    alerts = find_alerts(cases, as_of, options.alerts)
    group_ease = np.where(is_open, 1.0 / (1.0 + np.exp(-ease)), 0.0)
    return Ranking(
        scores=scores,
        order=order,
        reason_codes=codes,
        reason_texts=texts,
        reason_effects=effects,
        alerts=alerts,
        alert_summary=alert_summary(alerts, cases),
        bundles=find_bundles(cases, group_ease, options.bundle_min_cases, as_of=as_of),
        bankruptcy=find_bankruptcy_candidates(
            cases, options.bankruptcy_min_cases, options.bankruptcy_unpaid_share, as_of=as_of
        ),
    )

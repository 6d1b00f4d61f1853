"""The JSON of a ranked queue, built from the ranking's columns without per-case models.

The shapes are those of ``models.triage.schemas`` (``CaseRanking``, ``CaseScore``); the tests
validate answers against them.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from models.schemas import ModelInfo
from models.triage.alerts import alerts_per_case
from models.triage.ranking import Ranking


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [
        {k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in row.items()}
        for row in frame.to_dict("records")
    ]


def _reasons(ranking: Ranking) -> list[list[dict[str, Any]]]:
    codes, texts = ranking.reason_codes.tolist(), ranking.reason_texts.tolist()
    effects = np.round(ranking.reason_effects, 4).tolist()
    return [
        [{"code": c, "text": t, "effect": e} for c, t, e in zip(cs, ts, es, strict=True)]
        for cs, ts, es in zip(codes, texts, effects, strict=True)
    ]


def case_items(ranking: Ranking) -> list[dict[str, Any]]:
    """One ``CaseScore``-shaped dict per case, in rank order."""
    scores = ranking.scores
    reasons = _reasons(ranking)
    alerts = alerts_per_case(ranking.alerts, len(scores))
    ratio = scores["cash_ratio"].to_numpy(dtype=np.float64)
    columns = zip(
        scores["case_id"].tolist(),
        scores["rank"].tolist(),
        scores["difficulty"].tolist(),
        np.round(scores["probability_paid_in_period"].to_numpy(), 4).tolist(),
        scores["expected_days_to_close"].tolist(),
        scores["lane"].tolist(),
        [None if math.isnan(r) else r for r in np.round(ratio, 4).tolist()],
        reasons,
        alerts,
        strict=True,
    )
    items = [
        {
            "case_id": case_id,
            "rank": rank,
            "difficulty": difficulty,
            "probability_paid_in_period": probability,
            "expected_days_to_close": days,
            "lane": lane,
            "cash_ratio": cash,
            "reasons": why,
            "alerts": overdue,
        }
        for case_id, rank, difficulty, probability, days, lane, cash, why, overdue in columns
    ]
    return [items[i] for i in ranking.order.tolist()]


def ranking_answer(ranking: Ranking, as_of: pd.Timestamp, info: ModelInfo) -> dict[str, Any]:
    """A ``CaseRanking``-shaped dict."""
    return {
        "as_of": as_of.date().isoformat(),
        "items": case_items(ranking),
        "lanes": ranking.lane_counts(),
        "alerts": _records(ranking.alert_summary),
        "bundles": _records(ranking.bundles),
        "bankruptcy_candidates": _records(ranking.bankruptcy),
        "model": info.model_dump(mode="json"),
    }

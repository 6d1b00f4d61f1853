"""How well a ranking of cases orders them by ease: every figure oriented so higher is better.

* ``auc_paid_in_period`` — ROC AUC of the score for "closed with money paid within the
  statutory period".
* ``ndcg_100``, ``ndcg_1000`` — NDCG at k of the ranking (highest score first) with "closed
  within 30 days of filing" as the binary relevance.
* ``spearman_speed`` — Spearman correlation of the score with the speed of closing (minus
  the days to close; a case still open counts its days until the record date, a lower bound).
* ``c_index`` — Harrell's concordance of the score with the time to close, open cases censored:
  of the pairs where one case closed before the other was seen closing or leaving, the share
  where the earlier one had the higher score (ties in the score count half).

Ties in the score keep the input order in the NDCG (the caller passes cases in filing order).
"""

from __future__ import annotations

import numpy as np
from pydantic import BaseModel, Field
from scipy.stats import rankdata, spearmanr
from sklearn.metrics import roc_auc_score


class RankingMetrics(BaseModel):
    """The figures of one ranking."""

    auc_paid_in_period: float
    ndcg_100: float
    ndcg_1000: float
    spearman_speed: float
    c_index: float


class RankingComparison(BaseModel):
    """The model's ranking beside the cash-ratio baseline, on the same cases."""

    model: RankingMetrics
    baseline: RankingMetrics
    n: int = Field(description="Cases ranked.")

    def model_ahead(self) -> dict[str, bool]:
        """Per metric, whether the model beats the baseline."""
        base = self.baseline.model_dump()
        return {k: v > base[k] for k, v in self.model.model_dump().items()}


def ndcg_at(score: np.ndarray, relevant: np.ndarray, k: int) -> float:
    """NDCG@k with binary relevance; stable order among equal scores."""
    order = np.argsort(-score, kind="stable")[:k]
    discounts = 1.0 / np.log2(np.arange(2, k + 2))
    dcg = float(np.sum(relevant[order] * discounts[: len(order)]))
    ideal = float(np.sum(discounts[: min(k, int(relevant.sum()))]))
    return dcg / ideal if ideal > 0 else 0.0


def concordance_index(score: np.ndarray, time: np.ndarray, event: np.ndarray) -> float:
    """Harrell's C where a higher score should mean an earlier event (O(n log n))."""
    ranks = rankdata(score, method="dense").astype(np.int64)
    size = int(ranks.max()) + 1
    tree = np.zeros(size + 1, dtype=np.int64)

    def add(i: int) -> None:
        while i <= size:
            tree[i] += 1
            i += i & -i

    def below(i: int) -> int:  # how many inserted ranks are <= i
        total = 0
        while i > 0:
            total += int(tree[i])
            i -= i & -i
        return total

    order = np.argsort(-time, kind="stable")
    concordant = tied = pairs = 0.0
    inserted = 0
    start = 0
    while start < len(order):  # walk groups of equal time, latest first
        stop = start
        while stop < len(order) and time[order[stop]] == time[order[start]]:
            stop += 1
        group = order[start:stop]
        for i in group[event[group]]:
            lower, upto = below(int(ranks[i]) - 1), below(int(ranks[i]))
            concordant += lower
            tied += upto - lower
            pairs += inserted
        for i in group:
            add(int(ranks[i]))
        inserted += len(group)
        start = stop
    return (concordant + 0.5 * tied) / pairs if pairs else 0.5


def ranking_metrics(
    score: np.ndarray,
    paid_in_period: np.ndarray,
    days: np.ndarray,
    closed: np.ndarray,
    fast_days: float = 30.0,
) -> RankingMetrics:
    """The figures of ``score`` (higher = easier) against the cases' outcomes.

    Args:
        score: One value per case; higher means easier.
        paid_in_period: Closed with money paid within the statutory period.
        days: Days from filing to closing, or to the record date for a case still open.
        closed: Whether the case closed (False: ``days`` is censored).
        fast_days: "Closed quickly" for the NDCG: closed within this many days.
    """
    score = np.asarray(score, dtype=np.float64)
    fast = (np.asarray(closed) & (np.asarray(days) <= fast_days)).astype(np.float64)
    return RankingMetrics(
        auc_paid_in_period=float(roc_auc_score(paid_in_period, score)),
        ndcg_100=ndcg_at(score, fast, 100),
        ndcg_1000=ndcg_at(score, fast, 1000),
        spearman_speed=float(spearmanr(score, -np.asarray(days, dtype=np.float64))[0]),
        c_index=concordance_index(score, np.asarray(days, np.float64), np.asarray(closed, bool)),
    )

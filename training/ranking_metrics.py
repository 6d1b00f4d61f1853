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

from dataclasses import dataclass

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
    gain: RankingMetrics = Field(description="Model minus baseline, figure by figure.")
    n: int = Field(description="Cases ranked.")

    @classmethod
    def of(cls, model: RankingMetrics, baseline: RankingMetrics, n: int) -> RankingComparison:
        """The comparison of ``model`` and ``baseline`` on ``n`` cases, with their gain."""
        base = baseline.model_dump()
        gain = RankingMetrics(**{k: v - base[k] for k, v in model.model_dump().items()})
        return cls(model=model, baseline=baseline, gain=gain, n=n)

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


def _earlier_counts(key: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per position ``p``: how many ``q < p`` have ``key[q] < key[p]``, and ``<=``.

    A bottom-up merge sort in NumPy (O(n log² n), no Python loop per element): at each level
    every element of a right block looks itself up among the sorted keys of its left block;
    shifting each block pair's keys apart makes one ``searchsorted`` answer every pair at once.
    """
    n = len(key)
    stride = int(key.max()) + 2 if n else 1
    less = np.zeros(n, np.int64)
    upto = np.zeros(n, np.int64)
    position = np.arange(n)
    values = key.astype(np.int64)
    index = np.arange(n)
    width = 1
    while width < n:
        pair = index // (2 * width)
        right = (index // width) % 2 == 1
        shifted = values + pair * stride  # sorted within blocks, pairs apart: sorted overall
        left, probe = shifted[~right], shifted[right]
        start = np.searchsorted(left, pair[right] * stride, "left")
        less[position[right]] += np.searchsorted(left, probe, "left") - start
        upto[position[right]] += np.searchsorted(left, probe, "right") - start
        order = np.argsort(shifted, kind="stable")  # merges each pair's two sorted runs
        values, position = values[order], position[order]
        width *= 2
    return less, upto


def concordance_index(score: np.ndarray, time: np.ndarray, event: np.ndarray) -> float:
    """Harrell's C where a higher score should mean an earlier event (O(n log² n)).

    Cases are walked latest first and, within a day, highest score first: the cases before
    an event that have a lower score are then exactly those seen later with a lower score
    (a same-day case before it never scores lower), and the ties in the score are those at
    most equal, less the same-day, same-score cases just before it.
    """
    if len(score) == 0:
        return 0.5
    ranks = rankdata(score, method="dense").astype(np.int64)
    order = np.lexsort((-ranks, -np.asarray(time)))
    day, rank, closed = np.asarray(time)[order], ranks[order], np.asarray(event, bool)[order]
    less, upto = _earlier_counts(rank)
    steps = np.arange(len(day))
    new_day = np.r_[True, day[1:] != day[:-1]]
    new_run = new_day | np.r_[True, rank[1:] != rank[:-1]]
    day_start = np.maximum.accumulate(np.where(new_day, steps, 0))
    run_start = np.maximum.accumulate(np.where(new_run, steps, 0))
    concordant = float(less[closed].sum())
    tied = float((upto - less - (steps - run_start))[closed].sum())
    pairs = float(day_start[closed].sum())  # the cases seen later than each event
    return (concordant + 0.5 * tied) / pairs if pairs else 0.5


@dataclass(frozen=True)
class ScoredRanking:
    """The model's and the baseline's scores of held-out cases with the cases' outcomes: the
    comparison of any subset of them (with repeats: a bootstrap resample, paired, as both
    rankings are scored on the same drawn cases).

    Attributes:
        model: The model's ease score per case (higher = easier).
        baseline: The baseline's score per case.
        paid_in_period: Closed with money paid within the statutory period.
        days: Days from filing to closing, or to the record date for a case still open.
        closed: Whether the case closed.
    """

    model: np.ndarray
    baseline: np.ndarray
    paid_in_period: np.ndarray
    days: np.ndarray
    closed: np.ndarray

    @property
    def n_rows(self) -> int:
        """Cases scored."""
        return len(self.model)

    def metrics(self, rows: np.ndarray | None = None) -> RankingComparison:
        """Model and baseline on ``rows`` (all cases when None). The drawn rows are put back
        in the cases' own order, which breaks the NDCG's ties in the score."""
        take = np.arange(self.n_rows) if rows is None else np.sort(rows)
        outcomes = (self.paid_in_period[take], self.days[take], self.closed[take])
        return RankingComparison.of(
            ranking_metrics(self.model[take], *outcomes),
            ranking_metrics(self.baseline[take], *outcomes),
            n=len(take),
        )


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

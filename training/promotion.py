"""Whether a new model replaces the champion: the same evaluation rows, a paired bootstrap.

A new version takes the champion alias only if its metric on the evaluation rows is lower
than the champion's on the same rows **and** it stays lower in at least
``Settings.promotion_confidence`` of the paired bootstrap resamples of those rows. On a
holdout of a few hundred sales, a point comparison is a coin flip between two models of
equal skill; the served values would change with every retrain for no gain.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

#: How per-row losses make a metric: a reduction over the last axis (lower is better).
Reducer = Callable[[np.ndarray], np.ndarray]

REDUCERS: dict[str, Reducer] = {
    "mean": lambda losses: np.mean(losses, axis=-1),
    "median": lambda losses: np.median(losses, axis=-1),
    "root_mean": lambda losses: np.sqrt(np.mean(losses, axis=-1)),
}

#: Resamples drawn at once (bounds the index matrix to ~8 MB per 10,000 rows).
_CHUNK = 100


@dataclass(frozen=True)
class RowLosses:
    """One model's per-row losses on the evaluation rows and how they make ``metric``."""

    metric: str
    losses: np.ndarray
    reducer: str

    def value(self) -> float:
        """The metric over all rows."""
        return float(REDUCERS[self.reducer](self.losses))


def bootstrap_confidence(
    candidate: RowLosses, champion: RowLosses, *, resamples: int, seed: int
) -> float:
    """Share of paired resamples of the rows in which the candidate's metric is lower.

    Both models are scored on the same rows, so each resample draws the same rows for both
    (the pairing removes the rows' own difficulty from the comparison). A tie counts as not
    lower: two equal models get 0.
    """
    if candidate.losses.shape != champion.losses.shape or candidate.reducer != champion.reducer:
        raise ValueError("the candidate and the champion must be scored on the same rows")
    n = len(candidate.losses)
    if n == 0 or resamples == 0:
        return 0.0
    reduce = REDUCERS[candidate.reducer]
    rng = np.random.default_rng(seed)
    wins = 0
    for start in range(0, resamples, _CHUNK):
        rows = rng.integers(0, n, size=(min(_CHUNK, resamples - start), n))
        wins += int(np.sum(reduce(candidate.losses[rows]) < reduce(champion.losses[rows])))
    return wins / resamples


@dataclass(frozen=True)
class Promotion:
    """The outcome of comparing a new version with the champion on the same evaluation data."""

    promoted: bool
    metric: str
    candidate: float
    champion: float | None
    champion_version: str | None
    new_version: str
    #: Share of paired bootstrap resamples in which the candidate is better (None: no
    #: champion, or no resamples drawn).
    confidence: float | None = None
    required_confidence: float = 0.0
    rows: int = 0

    def describe(self) -> str:
        """One line for the console and the run's tags."""
        if self.champion is None:
            return f"{self.metric}: no champion yet -> version {self.new_version} is champion"
        verdict = "promoted" if self.promoted else "kept champion"
        line = (
            f"{self.metric}: candidate v{self.new_version} {self.candidate:.5f} vs champion "
            f"v{self.champion_version} {self.champion:.5f}"
        )
        if self.confidence is not None:
            line += (
                f"; lower in {self.confidence:.1%} of paired resamples of the {self.rows:,} "
                f"evaluation rows (needs {self.required_confidence:.0%})"
            )
        return f"{line} -> {verdict}"


@dataclass(frozen=True)
class Comparison:
    """The candidate against the champion (if any) on the same rows, before registration."""

    candidate: RowLosses
    champion: RowLosses | None
    confidence: float | None
    required_confidence: float

    @property
    def better(self) -> bool:
        """No champion yet, or a lower metric that holds in enough resamples (the lower
        metric alone when no resamples were drawn)."""
        if self.champion is None:
            return True
        lower = self.candidate.value() < self.champion.value()
        if self.confidence is None:
            return lower
        return lower and self.confidence >= self.required_confidence

    def outcome(self, *, promoted: bool, champion_version: str | None, new: str) -> Promotion:
        """The :class:`Promotion` this comparison led to."""
        return Promotion(
            promoted=promoted,
            metric=self.candidate.metric,
            candidate=self.candidate.value(),
            champion=self.champion.value() if self.champion is not None else None,
            champion_version=champion_version,
            new_version=new,
            confidence=self.confidence,
            required_confidence=self.required_confidence,
            rows=len(self.candidate.losses),
        )


def compare(
    candidate: RowLosses,
    champion: RowLosses | None,
    *,
    required_confidence: float,
    resamples: int,
    seed: int,
) -> Comparison:
    """Compare the candidate's per-row losses with the champion's on the same rows
    (``resamples`` 0: the lower metric alone decides)."""
    confidence = (
        None
        if champion is None or resamples == 0
        else bootstrap_confidence(candidate, champion, resamples=resamples, seed=seed)
    )
    return Comparison(candidate, champion, confidence, required_confidence)

"""Pairwise log-ratio features of numeric columns, screened on the training rows.

Credit risk often lives in ratios (loan to price, income to instalment) that neither an
additive spline model nor a shallow tree recovers from the two columns alone. For every pair
of numeric columns with enough distinct values we form the signed log-ratio
``slog(a) - slog(b)`` (``slog(x) = sign(x) * log1p(|x|)``) and keep the few whose binned
information about the outcome exceeds that of the better source column the most.
The screen sees only the rows given to :meth:`ProbabilityClassifier.fit`.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class PairFeature:
    """A log-ratio of two numeric input columns.

    Attributes:
        left: Numerator column.
        right: Denominator column.
        gain: Screening gain (nats per row) over the better source column.
    """

    left: str
    right: str
    gain: float

    @property
    def name(self) -> str:
        """Feature name, e.g. ``Amount/Price``."""
        return f"{self.left}/{self.right}"

    def values(self, columns: Mapping[str, np.ndarray]) -> np.ndarray:
        """The feature for normalised numeric columns (``NaN`` when either side is)."""
        return signed_log(columns[self.left]) - signed_log(columns[self.right])


def signed_log(x: np.ndarray) -> np.ndarray:
    """``sign(x) * log1p(|x|)``: a log that keeps zeros and negatives."""
    return np.asarray(np.sign(x) * np.log1p(np.abs(x)), dtype=np.float64)


def binned_information(x: np.ndarray, y: np.ndarray, bins: int) -> float:
    """Log-likelihood gain per row of a quantile-binned ``x`` over the base rate.

    Missing values form their own bin; a penalty of half a nat per extra bin (per row)
    keeps many-binned columns from winning by chance.
    """
    finite = np.isfinite(x)
    if not finite.any():
        return 0.0
    inner = np.linspace(0.0, 1.0, bins + 1)[1:-1]
    cuts = np.unique(np.quantile(x[finite], inner))
    codes = np.where(finite, np.searchsorted(cuts, np.where(finite, x, 0.0), side="right"), -1)
    codes = codes + 1  # bin 0 holds the missing values
    count = np.bincount(codes)
    used = count > 0
    pos = np.bincount(codes, weights=y)[used]
    count = count[used]
    rate = (pos + 0.5) / (count + 1.0)
    base = float(np.clip(y.mean(), 1e-9, 1 - 1e-9))
    ll = float((pos * np.log(rate) + (count - pos) * np.log1p(-rate)).sum())
    ll0 = len(y) * (base * np.log(base) + (1 - base) * np.log1p(-base))
    return (ll - ll0 - 0.5 * (len(count) - 1)) / len(y)


def select_pairs(
    columns: Mapping[str, np.ndarray],
    y: np.ndarray,
    *,
    max_pairs: int,
    min_distinct: int,
    min_gain: float,
    bins: int,
) -> list[PairFeature]:
    """Screen the log-ratios of all pairs of ``columns`` and keep the best ``max_pairs``.

    Args:
        columns: Normalised numeric training columns eligible for pairs.
        y: Training outcomes (0/1).
        max_pairs: Most features kept.
        min_distinct: Columns with fewer distinct finite values are skipped.
        min_gain: Smallest gain over the better source column.
        bins: Quantile bins of the information measure.

    Returns:
        The kept pairs, best first.
    """
    if max_pairs == 0:
        return []
    names = [c for c, v in columns.items() if np.unique(v[np.isfinite(v)]).size >= min_distinct]
    single = {c: binned_information(columns[c], y, bins) for c in names}
    logged = {c: signed_log(columns[c]) for c in names}
    scored = []
    for left, right in itertools.combinations(names, 2):
        info = binned_information(logged[left] - logged[right], y, bins)
        gain = info - max(single[left], single[right])
        if gain > min_gain:
            scored.append(PairFeature(left, right, float(gain)))
    scored.sort(key=lambda pair: -pair.gain)
    kept = scored[:max_pairs]
    logger.info("pair screen: %d candidates, kept %s", len(scored), [p.name for p in kept])
    return kept

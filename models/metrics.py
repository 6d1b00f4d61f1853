"""Accuracy figures for valuations, including the IAAO ratio-study statistics.

Throughout, the *ratio* of a sale is ``estimate / price`` (the assessment-to-sale ratio of
IAAO's Standard on Ratio Studies, with the model's estimate in the assessor's place).
"""

from __future__ import annotations

import logging

import numpy as np
from numpy.typing import ArrayLike
from pydantic import BaseModel, ConfigDict, Field

logger = logging.getLogger(__name__)


class ValuationMetrics(BaseModel):
    """Accuracy of a set of estimates against sale prices.

    Attributes:
        median_ape: Median of ``|estimate - price| / price``.
        ppe5: Share of estimates within ±5 % of the price.
        ppe10: Share of estimates within ±10 % of the price.
        ppe20: Share of estimates within ±20 % of the price.
        rmsle: Root mean squared difference of ``log1p(estimate)`` and ``log1p(price)``.
        interval_coverage: Share of prices inside ``[lower, upper]`` (None without bounds).
        cod: IAAO coefficient of dispersion, in percent: the average absolute deviation of
            the ratios from their median, divided by the median ratio, times 100.
        prd: IAAO price-related differential: the mean ratio divided by the weighted mean
            ratio ``sum(estimate) / sum(price)``; above 1 means cheap properties are
            over-valued relative to expensive ones (regressivity).
        n: Number of sales.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    median_ape: float = Field(ge=0)
    ppe5: float = Field(ge=0, le=1)
    ppe10: float = Field(ge=0, le=1)
    ppe20: float = Field(ge=0, le=1)
    rmsle: float = Field(ge=0)
    interval_coverage: float | None = Field(default=None, ge=0, le=1)
    cod: float = Field(ge=0)
    prd: float = Field(gt=0)
    n: int = Field(gt=0)


def _positive(name: str, values: ArrayLike) -> np.ndarray:
    array = np.asarray(values, dtype=np.float64).ravel()
    if not np.all(np.isfinite(array)) or np.any(array <= 0):
        raise ValueError(f"{name} must be finite and positive")
    return array


def valuation_metrics(
    y_true: ArrayLike,
    y_pred: ArrayLike,
    lower: ArrayLike | None = None,
    upper: ArrayLike | None = None,
) -> ValuationMetrics:
    """Compute :class:`ValuationMetrics` for estimates ``y_pred`` of prices ``y_true``.

    Args:
        y_true: Sale prices (positive).
        y_pred: Estimates (positive), same length.
        lower: Optional lower interval bounds.
        upper: Optional upper interval bounds (required with ``lower``).

    Returns:
        The metrics.

    Raises:
        ValueError: If lengths differ, values are not positive, or only one bound is given.
    """
    price = _positive("y_true", y_true)
    estimate = _positive("y_pred", y_pred)
    if len(price) != len(estimate) or len(price) == 0:
        raise ValueError(f"need equal, non-zero lengths; got {len(price)} and {len(estimate)}")
    if (lower is None) != (upper is None):
        raise ValueError("give both lower and upper bounds, or neither")
    ratio = estimate / price
    # The tolerance keeps a ratio of exactly 1.10 inside PPE10 despite binary rounding.
    abs_err = np.abs(ratio - 1.0) - 1e-12
    median_ratio = float(np.median(ratio))
    coverage = None
    if lower is not None and upper is not None:
        lo = np.asarray(lower, dtype=np.float64).ravel()
        hi = np.asarray(upper, dtype=np.float64).ravel()
        coverage = float(np.mean((lo <= price) & (price <= hi)))
    return ValuationMetrics(
        median_ape=float(np.median(np.abs(ratio - 1.0))),
        ppe5=float(np.mean(abs_err <= 0.05)),
        ppe10=float(np.mean(abs_err <= 0.10)),
        ppe20=float(np.mean(abs_err <= 0.20)),
        rmsle=float(np.sqrt(np.mean((np.log1p(estimate) - np.log1p(price)) ** 2))),
        interval_coverage=coverage,
        cod=float(100.0 * np.mean(np.abs(ratio - median_ratio)) / median_ratio),
        prd=float(np.mean(ratio) / (estimate.sum() / price.sum())),
        n=len(price),
    )

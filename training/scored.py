"""Out-of-sample valuations with the prices they are judged against: any subset of them (a
bootstrap resample, say) is scored by the same metrics as the whole."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from models.metrics import ValuationMetrics, valuation_metrics


@dataclass(frozen=True)
class ScoredSales:
    """Out-of-sample estimates and intervals (out-of-fold, or a holdout's), with the prices."""

    prices: np.ndarray
    point: np.ndarray
    lower: np.ndarray
    upper: np.ndarray

    @property
    def n_rows(self) -> int:
        """Sales scored."""
        return len(self.prices)

    def metrics(self, rows: np.ndarray | None = None) -> ValuationMetrics:
        """The metrics of all sales, or of the sales ``rows`` (indices, repeats allowed)."""
        pick = slice(None) if rows is None else rows
        return valuation_metrics(
            self.prices[pick], self.point[pick], self.lower[pick], self.upper[pick]
        )

"""Prediction intervals by cross-conformal calibration in log-price space.

The calibration scores are the signed out-of-fold log residuals ``log(price) - log(estimate)``
of the *training* rows, each predicted by an inner cross-validation model that never saw it
(the "CV" / jackknife-style cross-conformal interval of Barber et al., 2021, applied to the
full-data model's estimate instead of re-running every fold model at prediction time — the
"+" refinement is skipped so that a single row needs one booster call).

The interval is equal-tailed and may be asymmetric: with miscoverage ``a = 1 - coverage``
and ``n`` scores, the lower offset is the ``floor(a/2 * (n + 1))``-th smallest score and the
upper offset the ``ceil((1 - a/2) * (n + 1))``-th smallest (the usual finite-sample
correction), so ``[estimate * exp(lower), estimate * exp(upper)]``.

Optionally the calibration is Mondrian: the offsets are computed separately for every
level of a group column (e.g. city or property type) that has at least ``min_group_size``
scores; other levels, missing and unseen ones use the pooled offsets.
"""

from __future__ import annotations

import logging
import math

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator
from sklearn.exceptions import NotFittedError
from sklearn.utils.validation import check_is_fitted

from models.tabular import lookup

logger = logging.getLogger(__name__)


def _offsets(scores: np.ndarray, coverage: float) -> tuple[float, float]:
    ordered = np.sort(scores)
    n = len(ordered)
    if n == 0:
        return -math.inf, math.inf
    half = (1.0 - coverage) / 2.0
    lo_rank = math.floor(half * (n + 1))
    hi_rank = math.ceil((1.0 - half) * (n + 1))
    lower = float(ordered[lo_rank - 1]) if lo_rank >= 1 else -math.inf
    upper = float(ordered[hi_rank - 1]) if hi_rank <= n else math.inf
    return lower, upper


class LogResidualConformal(BaseEstimator):
    """Equal-tailed cross-conformal offsets for log-price estimates, optionally per group.

    Args:
        coverage: Target share of prices inside the interval, in (0, 1).
        min_group_size: Smallest number of scores for a group to get its own offsets.
    """

    def __init__(self, coverage: float = 0.8, min_group_size: int = 50) -> None:
        self.coverage = coverage
        self.min_group_size = min_group_size

    def fit(self, scores: np.ndarray, groups: np.ndarray | None = None) -> LogResidualConformal:
        """Compute the offsets.

        Args:
            scores: Out-of-fold ``log(price) - log(estimate)`` of the training rows.
            groups: Optional group key per score (canonical strings or ``None``).

        Returns:
            The fitted calibrator.
        """
        if not 0.0 < self.coverage < 1.0:
            raise ValueError(f"coverage must lie strictly between 0 and 1, got {self.coverage}")
        scores = np.asarray(scores, dtype=np.float64)
        self.offsets_ = _offsets(scores, self.coverage)
        self.group_offsets_: dict[str | None, tuple[float, float]] = {}
        if groups is not None:
            frame = pd.DataFrame({"g": pd.Series(groups, dtype=object), "s": scores})
            for key, part in frame.groupby("g", dropna=False, sort=True)["s"]:
                if len(part) >= self.min_group_size:
                    label = None if pd.isna(key) else str(key)
                    self.group_offsets_[label] = _offsets(part.to_numpy(), self.coverage)
        logger.info(
            "conformal offsets %.4f / %.4f, %d groups",
            *self.offsets_,
            len(self.group_offsets_),
        )
        return self

    def offsets_for(self, group: str | None = None) -> tuple[float, float]:
        """Lower and upper log offsets for one group key (pooled if unknown)."""
        if not hasattr(self, "offsets_"):  # cheaper than check_is_fitted on the fast path
            raise NotFittedError("call fit before offsets_for")
        return self.group_offsets_.get(group, self.offsets_)

    def bounds(
        self, log_estimate: np.ndarray, groups: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Lower and upper log bounds around ``log_estimate``."""
        check_is_fitted(self, "offsets_")
        lower, upper = self.offsets_
        if groups is None or not self.group_offsets_:
            return log_estimate + lower, log_estimate + upper
        lowers = {g: pair[0] for g, pair in self.group_offsets_.items()}
        uppers = {g: pair[1] for g, pair in self.group_offsets_.items()}
        return (
            log_estimate + lookup(groups, lowers, lower),
            log_estimate + lookup(groups, uppers, upper),
        )

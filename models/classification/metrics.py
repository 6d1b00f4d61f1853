"""Discrimination and calibration figures for predicted probabilities of a binary outcome."""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from pydantic import BaseModel, ConfigDict, Field
from sklearn.metrics import roc_auc_score

logger = logging.getLogger(__name__)

_EPS = 1e-15


class ClassifierMetrics(BaseModel):
    """Quality of predicted probabilities against 0/1 outcomes.

    Attributes:
        auc: Area under the ROC curve.
        brier: Mean squared difference of probability and outcome.
        ece: Expected calibration error (see :func:`expected_calibration_error`).
        log_loss: Mean negative log-likelihood (probabilities clipped to ``[1e-15, 1-1e-15]``).
        n: Number of rows.
        positive_rate: Share of outcomes equal to 1.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    auc: float = Field(ge=0, le=1)
    brier: float = Field(ge=0, le=1)
    ece: float = Field(ge=0, le=1)
    log_loss: float = Field(ge=0)
    n: int = Field(gt=0)
    positive_rate: float = Field(ge=0, le=1)


def _checked(y: ArrayLike, p: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    y_arr = np.asarray(y, dtype=np.float64).ravel()
    p_arr = np.asarray(p, dtype=np.float64).ravel()
    if y_arr.shape != p_arr.shape or not len(y_arr):
        raise ValueError(
            f"y and p must be non-empty and equally long, got {len(y_arr)} and {len(p_arr)}"
        )
    if not np.isin(y_arr, (0.0, 1.0)).all():
        raise ValueError("y must contain only 0 and 1")
    if not (np.isfinite(p_arr).all() and (p_arr >= 0).all() and (p_arr <= 1).all()):
        raise ValueError("p must be probabilities in [0, 1]")
    return y_arr, p_arr


def _bin_index(p: np.ndarray, bins: int) -> np.ndarray:
    # Equal-width bins on [0, 1]; p == 1 falls in the last bin.
    return np.minimum((p * bins).astype(np.int64), bins - 1)


def reliability_table(y: ArrayLike, p: ArrayLike, bins: int = 10) -> pd.DataFrame:
    """Per equal-width probability bin: bounds, count, mean prediction and observed rate.

    Args:
        y: Outcomes (0/1).
        p: Predicted probabilities of outcome 1.
        bins: Number of equal-width bins on ``[0, 1]``.

    Returns:
        One row per bin (empty bins included, with ``NaN`` means) and the columns
        ``bin_lower``, ``bin_upper``, ``count``, ``mean_predicted``, ``observed_rate``.
    """
    if bins < 1:
        raise ValueError(f"bins must be at least 1, got {bins}")
    y_arr, p_arr = _checked(y, p)
    idx = _bin_index(p_arr, bins)
    count = np.bincount(idx, minlength=bins)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_p = np.bincount(idx, weights=p_arr, minlength=bins) / count
        rate = np.bincount(idx, weights=y_arr, minlength=bins) / count
    edges = np.linspace(0.0, 1.0, bins + 1)
    return pd.DataFrame(
        {
            "bin_lower": edges[:-1],
            "bin_upper": edges[1:],
            "count": count,
            "mean_predicted": mean_p,
            "observed_rate": rate,
        }
    )


def expected_calibration_error(y: ArrayLike, p: ArrayLike, bins: int = 10) -> float:
    """Expected calibration error over equal-width bins.

    ``sum over bins of (bin count / n) * |mean predicted - observed rate|``.
    """
    table = reliability_table(y, p, bins)
    used = table[table["count"] > 0]
    gaps = (used["mean_predicted"] - used["observed_rate"]).abs()
    return float((used["count"] * gaps).sum() / table["count"].sum())


def classifier_metrics(y: ArrayLike, p: ArrayLike, bins: int = 10) -> ClassifierMetrics:
    """AUC, Brier score, ECE and log-loss of probabilities ``p`` for outcomes ``y``.

    Raises:
        ValueError: When ``y`` holds a single class (the AUC is undefined) or inputs are
            malformed.
    """
    y_arr, p_arr = _checked(y, p)
    if len(np.unique(y_arr)) < 2:
        raise ValueError("y must contain both classes to compute the AUC")
    clipped = np.clip(p_arr, _EPS, 1 - _EPS)
    log_loss = -np.mean(y_arr * np.log(clipped) + (1 - y_arr) * np.log1p(-clipped))
    return ClassifierMetrics(
        auc=float(roc_auc_score(y_arr, p_arr)),
        brier=float(np.mean((p_arr - y_arr) ** 2)),
        ece=expected_calibration_error(y_arr, p_arr, bins),
        log_loss=float(log_loss),
        n=len(y_arr),
        positive_rate=float(y_arr.mean()),
    )

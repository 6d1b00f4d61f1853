"""Time to closing with censoring: a log-normal accelerated-failure-time objective for LightGBM.

``log T = f(x) + sigma * e`` with standard normal ``e``. A closed case contributes the density
of its closing time; an open one the probability of staying open at least as long as it has
(right-censored) — open cases are never dropped. LightGBM has no survival objective, so this
module supplies the gradient and Hessian of that negative log-likelihood in ``f``, and the
likelihood itself as an early-stopping metric.
"""

from __future__ import annotations

from collections.abc import Callable

import lightgbm as lgb
import numpy as np
from scipy.special import log_ndtr, ndtr

_LOG_SQRT_2PI = 0.5 * np.log(2 * np.pi)


def _inverse_mills(z: np.ndarray) -> np.ndarray:
    """phi(z) / (1 - Phi(z)), stable in both tails."""
    return np.exp(-0.5 * z * z - _LOG_SQRT_2PI - log_ndtr(-z))


def negative_log_likelihood(
    log_time: np.ndarray, event: np.ndarray, location: np.ndarray, sigma: float
) -> np.ndarray:
    """Per-row negative log-likelihood (the constant ``log t`` of the density left out)."""
    z = (log_time - location) / sigma
    closed = 0.5 * z * z + _LOG_SQRT_2PI + np.log(sigma)
    return np.where(event, closed, -log_ndtr(-z))


def aft_objective(
    event: np.ndarray, sigma: float
) -> Callable[[np.ndarray, lgb.Dataset], tuple[np.ndarray, np.ndarray]]:
    """LightGBM objective for rows whose label is ``log T`` and ``event`` says closed."""

    def objective(preds: np.ndarray, data: lgb.Dataset) -> tuple[np.ndarray, np.ndarray]:
        z = (np.asarray(data.get_label()) - preds) / sigma
        lam = _inverse_mills(z)
        grad = np.where(event, -z / sigma, -lam / sigma)
        hess = np.where(event, 1.0 / sigma**2, lam * (lam - z) / sigma**2)
        return grad, np.maximum(hess, 1e-6)

    return objective


def aft_metric(
    event: np.ndarray, sigma: float
) -> Callable[[np.ndarray, lgb.Dataset], tuple[str, float, bool]]:
    """Mean negative log-likelihood of a validation set (lower is better)."""

    def metric(preds: np.ndarray, data: lgb.Dataset) -> tuple[str, float, bool]:
        nll = negative_log_likelihood(np.asarray(data.get_label()), event, preds, sigma)
        return "aft_nll", float(np.mean(nll)), False

    return metric


def fit_sigma(log_time: np.ndarray, event: np.ndarray, location: np.ndarray) -> float:
    """The scale that maximises the likelihood for fixed locations (a 1-D grid search)."""
    grid = np.exp(np.linspace(np.log(0.05), np.log(5.0), 200))
    losses = [negative_log_likelihood(log_time, event, location, s).mean() for s in grid]
    return float(grid[int(np.argmin(losses))])


def probability_within(days: float | np.ndarray, location: np.ndarray, sigma: float) -> np.ndarray:
    """P(T <= days) under the fitted log-normal."""
    with np.errstate(divide="ignore"):
        log_days = np.log(np.maximum(days, 0.0))
    return np.asarray(ndtr((log_days - location) / sigma))

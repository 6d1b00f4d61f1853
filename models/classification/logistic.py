"""Penalised logistic regression on a dense design, with optional sign bounds.

Used by the spline member (L2 penalty chosen by inner cross-validation) and by the stack.
L-BFGS-B with an analytic gradient costs two matrix-vector products per iteration, so a
warm-started path over penalties stays cheap even for tens of thousands of rows.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import numpy as np
from scipy.optimize import minimize
from scipy.special import expit

logger = logging.getLogger(__name__)

Bounds = Sequence[tuple[float | None, float | None]]


def log_loss_terms(y: np.ndarray, z: np.ndarray) -> np.ndarray:
    """Per-row negative log-likelihood of outcomes ``y`` at logits ``z`` (overflow-safe)."""
    return np.asarray(np.logaddexp(0.0, z) - y * z, dtype=np.float64)


def fit_logistic(
    X: np.ndarray,
    y: np.ndarray,
    penalty: float,
    *,
    start: np.ndarray | None = None,
    bounds: Bounds | None = None,
    max_iter: int = 500,
) -> np.ndarray:
    """Minimise mean log-loss plus ``penalty / (2n) * ||w||²`` (intercept unpenalised).

    Args:
        X: Design (rows × features), best standardised.
        y: Outcomes (0/1).
        penalty: L2 penalty.
        start: Warm start ``[intercept, w...]``.
        bounds: Bounds of the feature weights (not the intercept), e.g. ``(0, None)``.
        max_iter: L-BFGS-B iteration limit.

    Returns:
        ``[intercept, w...]``.
    """
    n, p = X.shape

    def objective(theta: np.ndarray) -> tuple[float, np.ndarray]:
        z = X @ theta[1:] + theta[0]
        resid = expit(z) - y
        grad = np.empty(p + 1)
        grad[0] = resid.sum() / n
        grad[1:] = (X.T @ resid + penalty * theta[1:]) / n
        loss = log_loss_terms(y, z).mean() + 0.5 * penalty * float(theta[1:] @ theta[1:]) / n
        return float(loss), grad

    theta0 = np.zeros(p + 1) if start is None else np.asarray(start, dtype=np.float64)
    if start is None and 0 < y.mean() < 1:
        theta0[0] = np.log(y.mean() / (1 - y.mean()))
    box = None if bounds is None else [(None, None), *bounds]
    result = minimize(
        objective,
        theta0,
        jac=True,
        method="L-BFGS-B",
        bounds=box,
        options={"maxiter": max_iter, "gtol": 1e-6},
    )
    if not result.success:
        logger.debug("logistic fit stopped early: %s", result.message)
    return np.asarray(result.x, dtype=np.float64)

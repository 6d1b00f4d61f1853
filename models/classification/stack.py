"""The calibrating stack: Platt scaling of the members' out-of-fold logits.

The stack maps the members' logits to the calibrated logit
``intercept + w_1 * logit_1 + w_2 * logit_2``, fitted by penalised logistic regression on
out-of-fold logits (rows the members did not train on). Two forms are fitted:

* **equal**: one shared weight, i.e. Platt scaling of the members' mean logit (two
  parameters);
* **free**: one non-negative weight per member (three parameters).

The free weights always fit the out-of-fold rows at least as well, but with few rows of the
rarer class they follow noise, and they favour the member whose out-of-fold logits happen to
fit those rows best rather than the one that ranks new rows best. Under ``"auto"`` the free
weights are kept only when they lower the out-of-fold log-loss by more than ``min_z``
standard errors of the per-row difference; otherwise the members share one weight.
"""

from __future__ import annotations

import logging
from typing import Literal

import numpy as np

from models.classification.logistic import fit_logistic, log_loss_terms

logger = logging.getLogger(__name__)

StackRule = Literal["auto", "equal", "free"]


def fit_equal_stack(logits: np.ndarray, y: np.ndarray, penalty: float) -> np.ndarray:
    """``[intercept, w, w, …]``: Platt scaling of the mean member logit."""
    n_members = logits.shape[1]
    intercept, weight = fit_logistic(logits.mean(axis=1)[:, None], y, penalty, bounds=[(0.0, None)])
    return np.array([intercept, *[weight / n_members] * n_members])


def fit_free_stack(logits: np.ndarray, y: np.ndarray, penalty: float) -> np.ndarray:
    """``[intercept, w_1, w_2, …]`` with one non-negative weight per member."""
    return fit_logistic(logits, y, penalty, bounds=[(0.0, None)] * logits.shape[1])


def free_gain_z(logits: np.ndarray, y: np.ndarray, equal: np.ndarray, free: np.ndarray) -> float:
    """How many standard errors the free stack lowers the mean log-loss by (0 if none)."""
    diff = log_loss_terms(y, _logit(logits, equal)) - log_loss_terms(y, _logit(logits, free))
    spread = float(diff.std(ddof=1)) if len(diff) > 1 else 0.0
    if spread <= 0.0:
        return 0.0
    return float(diff.mean() / (spread / np.sqrt(len(diff))))


def fit_stack(
    logits: np.ndarray, y: np.ndarray, *, penalty: float, rule: StackRule, min_z: float
) -> np.ndarray:
    """The stack's ``[intercept, weight per member]`` under ``rule`` (see the module).

    Args:
        logits: Out-of-fold member logits (rows × members).
        y: Outcomes (0/1).
        penalty: L2 penalty on the weights.
        rule: ``"equal"``, ``"free"`` or ``"auto"``.
        min_z: Under ``"auto"``, the free weights' smallest gain in standard errors.

    Returns:
        ``[intercept, w_1, w_2, …]``.
    """
    if rule == "free":
        return fit_free_stack(logits, y, penalty)
    equal = fit_equal_stack(logits, y, penalty)
    if rule == "equal":
        return equal
    free = fit_free_stack(logits, y, penalty)
    z = free_gain_z(logits, y, equal, free)
    logger.info("stack: free weights %s gain %.2f standard errors", np.round(free[1:], 3), z)
    return free if z > min_z else equal


def _logit(logits: np.ndarray, theta: np.ndarray) -> np.ndarray:
    return np.asarray(theta[0] + logits @ theta[1:], dtype=np.float64)

"""The last calibration step: a beta map of the stack's logit.

The stack is Platt scaling: one slope and one intercept for the whole logit. A model can be
over-confident in one tail and not the other: on both loan tables the stacked probabilities
of the riskiest loans come out too low while the safest are about right, the same shape on
every outer fold (2026-12-06). Beta calibration (Kull, Silva Filho and Flach, 2017) gives
each tail its own slope:

``g(z) = c + a * ln(sigmoid(z)) - b * ln(1 - sigmoid(z))``,

which is the identity at ``a = b = 1, c = 0``. ``a`` weighs the low tail (where
``ln(1 - sigmoid(z))`` is flat) and ``b`` the high one. With ``a, b >= 0`` it never
reverses the order of two rows, so it leaves the ranking (AUC) alone.

It is fitted on the stack's out-of-fold logits (rows the members did not train on) and kept
only when its likelihood-ratio statistic against the identity beats ``min_lr`` (3.84: the
5% point of chi-squared with one degree of freedom, the one shape parameter the stack does
not already have); otherwise the map stays the identity.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Literal

import numpy as np
from scipy.special import expit, log_expit

from models.classification.logistic import fit_logistic, log_loss_terms

logger = logging.getLogger(__name__)

#: ``"platt"``: the stack alone; ``"beta"``: the beta map always; ``"auto"``: the beta map
#: when it passes the likelihood-ratio test.
CalibrationRule = Literal["platt", "beta", "auto"]
#: Below this distance the secant of the map is its slope.
_CLOSE = 1e-9


@dataclass(frozen=True)
class BetaMap:
    """``g(z) = c + a * ln(sigmoid(z)) - b * ln(1 - sigmoid(z))`` (the identity by default)."""

    a: float = 1.0
    b: float = 1.0
    c: float = 0.0

    @property
    def is_identity(self) -> bool:
        """True for the map that changes nothing."""
        return (self.a, self.b, self.c) == (1.0, 1.0, 0.0)

    def __call__(self, z: np.ndarray | float) -> np.ndarray:
        """The calibrated logit of each logit ``z``."""
        z = np.asarray(z, dtype=np.float64)
        return np.asarray(self.c + self.a * log_expit(z) - self.b * log_expit(-z))

    def describe(self) -> str:
        """The map in a few words, for a run's parameters: ``identity`` or its coefficients."""
        if self.is_identity:
            return "identity"
        return f"a={self.a:.3f} b={self.b:.3f} c={self.c:.3f}"

    def slope(self, z: np.ndarray | float) -> np.ndarray:
        """``g'(z) = a * sigmoid(-z) + b * sigmoid(z)`` (never negative)."""
        z = np.asarray(z, dtype=np.float64)
        return np.asarray(self.a * expit(-z) + self.b * expit(z))

    def secant(self, z: np.ndarray, base: float) -> np.ndarray:
        """``(g(z) - g(base)) / (z - base)``, the slope at ``base`` where ``z`` is at it.

        Contributions to ``z - base`` times this add up to ``g(z) - g(base)`` exactly and
        keep their signs.
        """
        z = np.asarray(z, dtype=np.float64)
        step = z - base
        close = np.abs(step) < _CLOSE
        rise = self(z) - self(base)
        return np.where(close, self.slope(base), rise / np.where(close, 1.0, step))


def fit_beta_map(z: np.ndarray, y: np.ndarray, rule: CalibrationRule, min_lr: float) -> BetaMap:
    """The beta map of out-of-fold logits ``z`` with outcomes ``y`` under ``rule``."""
    if rule == "platt":
        return BetaMap()
    design = np.column_stack([log_expit(z), -log_expit(-z)])
    start = np.array([0.0, 1.0, 1.0])
    c, a, b = fit_logistic(design, y, 0.0, start=start, bounds=[(0.0, None), (0.0, None)])
    fitted = BetaMap(a=float(a), b=float(b), c=float(c))
    statistic = 2.0 * float(np.sum(log_loss_terms(y, z) - log_loss_terms(y, fitted(z))))
    kept = rule == "beta" or statistic > min_lr
    logger.info(
        "calibration: beta map a %.3f, b %.3f, c %.3f, likelihood ratio %.2f: %s",
        fitted.a,
        fitted.b,
        fitted.c,
        statistic,
        "kept" if kept else "not kept (the stack alone)",
    )
    return fitted if kept else BetaMap()

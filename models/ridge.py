"""Ridge regression with a GCV-chosen penalty, and backfitted random effects around it."""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from scipy import sparse

from models.config_effect import choose_smoothing

logger = logging.getLogger(__name__)

Lookup = dict[str | None, float]

#: Most alternations while a configuration effect is active (it nests the one-hot
#: columns, so ridge and effect trade the same signal and converge slowly).
MAX_CONFIG_ROUNDS = 60
#: Stop alternating once no fitted value moves by more than this (log units).
CONFIG_TOL = 1e-5


class RidgeGCV:
    """Ridge with intercept on a fixed design, for any number of right-hand sides.

    One eigendecomposition of the centred Gram matrix serves every candidate penalty and
    every target; the penalty minimising generalised cross-validation is used.

    Args:
        X: Design matrix (rows × columns), sparse.
        alphas: Candidate penalties.
    """

    def __init__(self, X: sparse.csr_matrix, alphas: Sequence[float]) -> None:
        self.X = X
        self.n = X.shape[0]
        self.xm = np.asarray(X.mean(axis=0)).ravel()
        gram = (X.T @ X).toarray() - self.n * np.outer(self.xm, self.xm)
        lam, self.V = np.linalg.eigh(gram)
        self.lam = np.clip(lam, 0.0, None)
        self.alphas = np.asarray(alphas, dtype=np.float64)

    def solve(self, y: np.ndarray) -> tuple[float, np.ndarray, float]:
        """Intercept, coefficients and chosen penalty for target ``y``."""
        ym = float(y.mean())
        yc = y - ym
        vb = self.V.T @ (self.X.T @ yc)
        shrink = 1.0 / (self.lam[None, :] + self.alphas[:, None])
        rss = yc @ yc - (vb**2 * (2.0 * shrink - self.lam * shrink**2)).sum(axis=1)
        dof = (self.lam * shrink).sum(axis=1)
        gcv = rss / np.maximum(self.n - dof, 1.0) ** 2
        best = int(np.argmin(gcv))
        coef = self.V @ (vb * shrink[best])
        return ym - float(self.xm @ coef), coef, float(self.alphas[best])


def level_effects(keys: np.ndarray, r: np.ndarray, smoothing: float) -> Lookup:
    """Per-level mean of ``r`` shrunk towards zero: ``sum / (count + smoothing)``."""
    frame = pd.DataFrame({"k": pd.Series(keys, dtype=object), "r": r})
    stats = frame.groupby("k", dropna=False, sort=False)["r"].agg(["sum", "count"])
    effect = stats["sum"] / (stats["count"] + smoothing)
    return {(None if pd.isna(k) else str(k)): float(v) for k, v in effect.items()}


def backfit(
    design: sparse.csr_matrix,
    z: np.ndarray,
    alphas: Sequence[float],
    effect_keys: Mapping[int, np.ndarray],
    smoothing: float,
    rounds: int,
    config: tuple[np.ndarray, int] | None = None,
) -> tuple[float, np.ndarray, float, dict[int, Lookup], np.ndarray | None]:
    """Alternate ridge on ``design`` and random effects for the columns in ``effect_keys``.

    Args:
        design: Ridge design matrix.
        z: Target.
        alphas: Candidate ridge penalties.
        effect_keys: Input column index → its category per row, for random effects.
        smoothing: Pseudo-count of the random effects.
        rounds: Number of alternations (one when there are no random effects). While a
            configuration effect is active, alternation continues until the fit moves by
            less than :data:`CONFIG_TOL`, up to :data:`MAX_CONFIG_ROUNDS` rounds: the
            effect nests the one-hot columns, and a few rounds leave it far from the
            joint optimum.
        config: Configuration code per row (see :mod:`models.config_effect`) and the
            number of codes, for a configuration effect with a leave-one-out pseudo-count.

    Returns:
        Intercept, ridge coefficients, chosen penalty, the effect lookup per column and the
        configuration effect per code (``None`` when absent or shrunk away).
    """
    solver = RidgeGCV(design, alphas)
    effects: dict[int, Lookup] = {i: {} for i in effect_keys}
    terms = {i: np.zeros(len(z)) for i in effect_keys}
    config_effect: np.ndarray | None = None
    config_term = np.zeros(len(z))
    pseudo: float | None = None
    intercept, coef, alpha = 0.0, np.zeros(design.shape[1]), float(alphas[0])
    previous = np.zeros(len(z))
    step = 0
    while step < (rounds if effect_keys or config is not None else 1) or (
        pseudo is not None and not math.isinf(pseudo) and step < MAX_CONFIG_ROUNDS
    ):
        step += 1
        intercept, coef, alpha = solver.solve(
            z - sum(terms.values(), np.zeros(len(z))) - config_term
        )
        linear = intercept + design @ coef
        for i, keys in effect_keys.items():
            others = sum((t for k, t in terms.items() if k != i), np.zeros(len(z)))
            effects[i] = level_effects(keys, z - linear - others - config_term, smoothing)
            terms[i] = np.array([effects[i].get(v, 0.0) for v in keys])
        if config is not None and (pseudo is None or not math.isinf(pseudo)):
            # The pseudo-count is chosen once, on the first residuals, then kept fixed.
            codes, n_codes = config
            r = z - linear - sum(terms.values(), np.zeros(len(z)))
            pseudo, config_effect = choose_smoothing(codes, r, n_codes, pseudo)
            config_term = config_effect[codes]
            logger.debug("configuration effect pseudo-count %s", pseudo)
        fitted = linear + sum(terms.values(), np.zeros(len(z))) + config_term
        moved = float(np.max(np.abs(fitted - previous))) if len(z) else 0.0
        previous = fitted
        if step >= rounds and moved < CONFIG_TOL:
            break
    logger.debug("ridge alpha %.3g, %d design columns, %d rounds", alpha, len(coef), step)
    if config_effect is not None and math.isinf(pseudo or 0.0):
        config_effect = None
    return intercept, coef, alpha, effects, config_effect

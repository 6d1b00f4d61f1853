"""The additive member: penalised logistic regression on natural cubic splines.

Every numeric feature (input column or pair feature) is ``log1p``-ed when non-negative and
right-skewed, clipped to its central training range, imputed with the median (plus a missing
indicator when the training rows had gaps) and expanded in a natural cubic spline basis with
knots at quantiles — linear beyond the boundary knots, so extrapolation stays tame. A
column with a monotone constraint keeps only its linear term, with the sign of its weight
bounded. Categorical columns are one-hot encoded (rare and unseen levels share "other";
missing is a level of its own). All columns are standardised and one L2 penalty, chosen by
inner cross-validated log-loss, shrinks them.

The model is additive per feature, so its logit is exactly
``intercept + sum of per-feature terms``, each term averaging zero over the training rows.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from models.classification.logistic import fit_logistic, log_loss_terms
from models.tabular import lookup

logger = logging.getLogger(__name__)

_MISSING = "\x00missing"


@dataclass(frozen=True)
class NumericBasis:
    """Spline basis of one numeric feature (see the module docstring)."""

    log: bool
    lo: float
    hi: float
    fill: float
    knots: np.ndarray
    indicator: bool

    def expand(self, x: np.ndarray) -> np.ndarray:
        """Basis columns for raw values ``x``."""
        missing = ~np.isfinite(x)
        g = np.log1p(np.fmax(x, 0.0)) if self.log else x
        g = np.where(missing, self.fill, np.clip(g, self.lo, self.hi))
        blocks = [natural_spline(g, self.knots)]
        if self.indicator:
            blocks.append(missing[:, None].astype(np.float64))
        return np.hstack(blocks)


@dataclass(frozen=True)
class CategoricalBasis:
    """One-hot levels of a categorical feature; the last column is "other"."""

    levels: tuple[str, ...]

    def expand(self, values: np.ndarray) -> np.ndarray:
        """One-hot columns for normalised values (``None`` is missing)."""
        other = len(self.levels)
        index: dict[str | None, float] = {level: float(j) for j, level in enumerate(self.levels)}
        if _MISSING in index:
            index[None] = index[_MISSING]
        codes = lookup(values, index, float(other)).astype(np.int64)
        out = np.zeros((len(values), other + 1))
        out[np.arange(len(values)), codes] = 1.0
        return out


def natural_spline(x: np.ndarray, knots: np.ndarray) -> np.ndarray:
    """Natural cubic spline basis without intercept: ``x`` and ``K - 2`` cubic terms.

    The truncated-power form of Hastie, Tibshirani & Friedman (ESL, eq. 5.4-5.5).
    With fewer than three knots the basis is ``x`` alone.
    """
    if len(knots) < 3:
        return x[:, None]
    last = knots[-1]

    def d(k: int) -> np.ndarray:
        return (np.maximum(x - knots[k], 0) ** 3 - np.maximum(x - last, 0) ** 3) / (last - knots[k])

    d_last = d(len(knots) - 2)
    scale = max(float(last - knots[0]), 1e-12) ** 2  # keeps the cubic terms near unit size
    return np.column_stack([x] + [(d(k) - d_last) / scale for k in range(len(knots) - 2)])


def fit_numeric_basis(
    x: np.ndarray, *, knots: int, skew_threshold: float, linear_only: bool
) -> NumericBasis:
    """Choose the transform, clip range, fill value and knots of one numeric feature."""
    finite = np.isfinite(x)
    observed = x[finite]
    if not len(observed):
        return NumericBasis(False, 0.0, 0.0, 0.0, np.empty(0), False)
    skew = float(np.nan_to_num(pd.Series(observed).skew()))
    log = bool(observed.min() >= 0 and skew > skew_threshold)
    g = np.log1p(observed) if log else observed
    lo, hi = (float(v) for v in np.quantile(g, [0.005, 0.995]))
    g = np.clip(g, lo, hi)
    cuts = np.empty(0) if linear_only else np.unique(np.quantile(g, np.linspace(0.05, 0.95, knots)))
    return NumericBasis(log, lo, hi, float(np.median(g)), cuts, bool((~finite).any()))


def fit_categorical_basis(
    values: np.ndarray, *, min_count: int, max_levels: int
) -> CategoricalBasis:
    """Keep the most frequent levels seen at least ``min_count`` times."""
    counts = pd.Series(values, dtype=object).fillna(_MISSING).value_counts(sort=True)
    kept = [str(k) for k, c in counts.items() if c >= min_count][:max_levels]
    return CategoricalBasis(tuple(kept))


@dataclass(frozen=True)
class SplineMember:
    """Fitted spline member.

    Attributes:
        features: Feature names, in design order.
        bases: Basis of each feature.
        widths: Design columns of each feature.
        mu: Design column means (training rows).
        sd: Design column standard deviations (1 where constant).
        intercept: Intercept on the standardised design.
        weights: Weights of the standardised design columns.
        penalty: The chosen L2 penalty.
    """

    features: tuple[str, ...]
    bases: tuple[NumericBasis | CategoricalBasis, ...]
    widths: tuple[int, ...]
    mu: np.ndarray
    sd: np.ndarray
    intercept: float
    weights: np.ndarray
    penalty: float

    def design(self, columns: Mapping[str, np.ndarray]) -> np.ndarray:
        """Standardised design for feature columns (numeric floats or categorical objects)."""
        raw = np.hstack(
            [b.expand(columns[f]) for f, b in zip(self.features, self.bases, strict=True)]
        )
        return (raw - self.mu) / self.sd

    def terms(self, columns: Mapping[str, np.ndarray]) -> np.ndarray:
        """Per-feature logit terms (rows × features)."""
        weighted = self.design(columns) * self.weights
        ends = np.cumsum(self.widths)
        return np.add.reduceat(weighted, ends - np.asarray(self.widths), axis=1)

    def decision(self, columns: Mapping[str, np.ndarray]) -> np.ndarray:
        """Logit ``intercept + design @ weights``."""
        return self.intercept + self.design(columns) @ self.weights


@dataclass(frozen=True)
class SplineFit:
    """The member refitted on all rows and its out-of-fold logits at the chosen penalty."""

    member: SplineMember
    oof: np.ndarray


def fit_spline_member(
    numeric: Mapping[str, np.ndarray],
    categorical: Mapping[str, np.ndarray],
    y: np.ndarray,
    folds: Sequence[tuple[np.ndarray, np.ndarray]],
    *,
    monotone: Mapping[str, int],
    knots: int,
    penalties: Sequence[float],
    skew_threshold: float,
    min_count: int,
    max_levels: int,
    tune_rows: int,
    seed: int,
) -> SplineFit:
    """Fit the bases, pick the penalty by inner cross-validation, refit on all rows.

    Args:
        numeric: Numeric feature columns (input columns and pair features).
        categorical: Categorical columns (normalised values, ``None`` when missing).
        y: Outcomes (0/1).
        folds: Inner (train, held-out) index pairs.
        monotone: Feature → +1/-1 for constrained numeric features.
        knots: Spline knots per numeric feature.
        penalties: Candidate L2 penalties.
        skew_threshold: See :func:`fit_numeric_basis`.
        min_count: See :func:`fit_categorical_basis`.
        max_levels: See :func:`fit_categorical_basis`.
        tune_rows: With more rows, the penalty is chosen on a random subsample this large.
        seed: Seed of that subsample.

    Returns:
        The member and its out-of-fold logits.
    """
    bases: list[NumericBasis | CategoricalBasis] = []
    for name, x in numeric.items():
        linear_only = name in monotone
        bases.append(
            fit_numeric_basis(
                x, knots=knots, skew_threshold=skew_threshold, linear_only=linear_only
            )
        )
    for values in categorical.values():
        bases.append(fit_categorical_basis(values, min_count=min_count, max_levels=max_levels))
    features = (*numeric, *categorical)
    columns = {**numeric, **categorical}
    blocks = [b.expand(columns[f]) for f, b in zip(features, bases, strict=True)]
    raw = np.hstack(blocks)
    mu = raw.mean(axis=0)
    sd = raw.std(axis=0)
    sd = np.where(sd > 1e-12, sd, 1.0)
    X = (raw - mu) / sd
    widths = tuple(b.shape[1] for b in blocks)
    bounds = _sign_bounds(features, bases, widths, monotone)
    path = sorted(penalties, reverse=True)
    if len(y) > tune_rows:
        # Pick the penalty on a subsample, then cross-fit all rows at that penalty only.
        sub = np.sort(np.random.default_rng(seed).choice(len(y), tune_rows, replace=False))
        sub_folds = _subsample_folds(folds, sub)
        penalty, _ = _choose_penalty(X[sub], y[sub], sub_folds, path, bounds)
        _, oof = _choose_penalty(X, y, folds, [penalty], bounds)
    else:
        penalty, oof = _choose_penalty(X, y, folds, path, bounds)
    theta = fit_logistic(X, y, penalty, bounds=bounds)
    member = SplineMember(
        tuple(features), tuple(bases), widths, mu, sd, float(theta[0]), theta[1:], penalty
    )
    logger.info("spline member: %d design columns, penalty %.3g", X.shape[1], penalty)
    return SplineFit(member=member, oof=oof)


def _sign_bounds(
    features: Sequence[str],
    bases: Sequence[NumericBasis | CategoricalBasis],
    widths: Sequence[int],
    monotone: Mapping[str, int],
) -> list[tuple[float | None, float | None]] | None:
    if not monotone:
        return None
    bounds: list[tuple[float | None, float | None]] = []
    for name, basis, width in zip(features, bases, widths, strict=True):
        free: list[tuple[float | None, float | None]] = [(None, None)] * width
        sign = monotone.get(name, 0)
        if sign and isinstance(basis, NumericBasis):
            # Column 0 is the (standardised, increasing) value itself; the indicator is free.
            free[0] = (0.0, None) if sign > 0 else (None, 0.0)
        bounds.extend(free)
    return bounds


def _subsample_folds(
    folds: Sequence[tuple[np.ndarray, np.ndarray]], sub: np.ndarray
) -> list[tuple[np.ndarray, np.ndarray]]:
    """The folds restricted to the sorted row subset ``sub``, in subset positions."""
    position = np.full(int(sub.max()) + 1, -1)
    position[sub] = np.arange(len(sub))
    out = []
    for train, held in folds:
        out.append((position[train[np.isin(train, sub)]], position[held[np.isin(held, sub)]]))
    return out


def _choose_penalty(
    X: np.ndarray,
    y: np.ndarray,
    folds: Sequence[tuple[np.ndarray, np.ndarray]],
    penalties: Sequence[float],
    bounds: list[tuple[float | None, float | None]] | None,
) -> tuple[float, np.ndarray]:
    """Held-out log-loss of a warm-started path (strong to weak penalty) on each fold."""
    losses = np.zeros(len(penalties))
    oof = np.zeros((len(penalties), len(y)))
    for train, held in folds:
        theta = None
        for i, penalty in enumerate(penalties):
            theta = fit_logistic(X[train], y[train], penalty, start=theta, bounds=bounds)
            z = X[held] @ theta[1:] + theta[0]
            oof[i, held] = z
            losses[i] += log_loss_terms(y[held], z).sum()
    best = int(np.argmin(losses))
    return float(penalties[best]), oof[best]

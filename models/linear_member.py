"""The linear member: ridge regression plus shrunken random effects, all additive per column.

Numeric columns are imputed (training median, plus a missing indicator when the training
data had gaps), ``log1p``-transformed when non-negative and right-skewed, clipped to the
training range and standardised. Low-cardinality categoricals are one-hot encoded (levels
rarer than ``min_count`` pooled into an "other" level that also takes unseen values).
Ridge's penalty is chosen by generalised cross-validation from one eigendecomposition.
High-cardinality categoricals get random-effect style level effects — residual means
shrunk towards zero — estimated by backfitting against the ridge part, and so is the
configuration effect (:mod:`models.config_effect`) when it earns its keep.

The fitted member is a set of per-column term tables, so a prediction is
``intercept + sum(terms)`` both for frames and for a single row.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
from scipy import sparse

from models.config_effect import ConfigKey, fit_config_key
from models.ridge import Lookup, backfit
from models.tabular import ColumnSpec
from models.tabular import lookup as lookup_many

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class LinearMember:
    """Fitted additive linear member (log-price scale).

    Numeric column ``idx`` contributes ``slope * (g - mu)`` with ``g`` the clipped
    (optionally ``log1p``) value, or ``slope * (fill - mu) + miss`` when missing.
    Categorical column ``idx`` contributes ``lookup.get(value, default)``. The optional
    configuration effect ``config_effect[code]`` (zero for unseen configurations) is split
    equally among the columns of ``config_key``.
    """

    intercept: float
    alpha: float
    num_idx: np.ndarray
    num_log: np.ndarray
    num_lo: np.ndarray
    num_hi: np.ndarray
    num_fill: np.ndarray
    num_mu: np.ndarray
    num_slope: np.ndarray
    num_miss: np.ndarray
    cat_idx: tuple[int, ...]
    cat_lookup: tuple[Lookup, ...]
    cat_default: tuple[float, ...]
    config_key: ConfigKey | None = None
    config_effect: np.ndarray | None = None

    def config_value(self, code: int) -> float:
        """Configuration effect of one code (0 for unseen or without the effect)."""
        if self.config_effect is None or code < 0:
            return 0.0
        return float(self.config_effect[code])

    def numeric_terms(self, x: np.ndarray) -> np.ndarray:
        """Terms of the numeric columns for raw values ``x`` (rows × numeric columns)."""
        missing = np.isnan(x)
        # fmax ignores NaN (those rows take ``fill`` below) and is much cheaper than nan_to_num.
        g = np.where(self.num_log, np.log1p(np.fmax(x, 0.0)), x)
        g = np.where(missing, self.num_fill, np.clip(g, self.num_lo, self.num_hi))
        return self.num_slope * (g - self.num_mu) + missing * self.num_miss

    def terms(self, values: Sequence[np.ndarray]) -> np.ndarray:
        """Per-input-column terms (rows × all input columns; zero for unused columns)."""
        n_rows = len(values[0]) if values else 0
        out = np.zeros((n_rows, len(values)))
        if len(self.num_idx):
            x = np.column_stack([values[i] for i in self.num_idx]).astype(np.float64)
            out[:, self.num_idx] = self.numeric_terms(x)
        for i, lookup, default in zip(self.cat_idx, self.cat_lookup, self.cat_default, strict=True):
            out[:, i] = lookup_many(values[i], lookup, default)
        if self.config_key is not None and self.config_effect is not None:
            codes = self.config_key.codes(values)
            effect = np.where(codes >= 0, self.config_effect[np.maximum(codes, 0)], 0.0)
            share = effect / len(self.config_key.columns)
            out[:, list(self.config_key.columns)] += share[:, None]
        return out


@dataclass(frozen=True)
class _NumericPrep:
    log: np.ndarray
    lo: np.ndarray
    hi: np.ndarray
    fill: np.ndarray
    mu: np.ndarray
    sd: np.ndarray
    has_missing: np.ndarray


def _prep_numeric(x: np.ndarray, skew_threshold: float) -> _NumericPrep:
    frame = pd.DataFrame(x)
    nonneg = np.asarray((frame.min() >= 0).fillna(False), dtype=bool)
    skew = np.nan_to_num(np.asarray(frame.skew(), dtype=np.float64))
    log = nonneg & (skew > skew_threshold)
    g = np.where(log, np.log1p(np.maximum(np.nan_to_num(x), 0.0)), x)
    g[np.isnan(x)] = np.nan
    g_frame = pd.DataFrame(g)
    lo = np.nan_to_num(np.asarray(g_frame.min(), dtype=np.float64))
    hi = np.nan_to_num(np.asarray(g_frame.max(), dtype=np.float64))
    fill = np.nan_to_num(np.asarray(g_frame.median(), dtype=np.float64))
    imputed = np.where(np.isnan(g), fill, g)
    sd = imputed.std(axis=0)
    return _NumericPrep(
        log=log,
        lo=lo,
        hi=hi,
        fill=fill,
        mu=imputed.mean(axis=0),
        sd=np.where(sd > 1e-12, sd, 1.0),
        has_missing=np.isnan(x).any(axis=0),
    )


def _onehot_levels(keys: np.ndarray, min_count: int) -> tuple[list[str | None], bool]:
    counts = pd.Series(keys, dtype=object).value_counts(dropna=False)
    kept = [None if pd.isna(k) else str(k) for k, c in counts.items() if c >= min_count]
    return sorted(kept, key=lambda k: (k is not None, k or "")), bool((counts < min_count).any())


def fit_linear_member(
    specs: Sequence[ColumnSpec],
    values: Sequence[np.ndarray],
    z: np.ndarray,
    *,
    alphas: Sequence[float],
    skew_threshold: float,
    min_count: int,
    max_onehot_levels: int,
    effect_smoothing: float,
    config_max_levels: int | None = None,
    backfit_rounds: int = 3,
) -> LinearMember:
    """Fit the linear member on normalised training columns and log prices ``z``.

    Args:
        specs: Column specs from the fitted :class:`FrameEncoder`.
        values: Normalised training columns.
        z: Training log prices.
        alphas: Candidate ridge penalties (on standardised numerics / 0-1 dummies).
        skew_threshold: Non-negative numerics with larger skewness are ``log1p``-ed.
        min_count: One-hot levels rarer than this are pooled into "other".
        max_onehot_levels: Categoricals with more levels become random effects.
        effect_smoothing: Pseudo-count shrinking a random-effect level towards zero.
        config_max_levels: Columns with at most this many distinct values form the
            configuration key (None: no configuration effect).
        backfit_rounds: Alternations between ridge and random effects.

    Returns:
        The fitted member.
    """
    num_idx = np.array([i for i, s in enumerate(specs) if s.kind != "categorical"], dtype=int)
    x = np.column_stack([values[i] for i in num_idx]) if len(num_idx) else np.empty((len(z), 0))
    x = np.where(np.isfinite(x), x, np.nan)  # ±inf (e.g. "inf" as text) would poison the scaling
    prep = _prep_numeric(x, skew_threshold)
    blocks = _numeric_blocks(x, prep)
    onehot: dict[int, tuple[list[str | None], bool]] = {}
    effect_keys: dict[int, np.ndarray] = {}
    for i, spec in enumerate(specs):
        if spec.kind != "categorical":
            continue
        if pd.Series(values[i], dtype=object).nunique(dropna=False) > max_onehot_levels:
            effect_keys[i] = values[i]
            continue
        onehot[i] = _onehot_levels(values[i], min_count)
        blocks.append(_onehot_block(values[i], *onehot[i]))
    design = sparse.hstack(blocks, format="csr") if blocks else sparse.csr_matrix((len(z), 0))
    key = None
    if config_max_levels is not None:
        key = fit_config_key(specs, values, config_max_levels, exclude=list(effect_keys))
    config = None if key is None else (key[1], len(key[1]) and int(key[1].max()) + 1)
    intercept, coef, alpha, effects, config_effect = backfit(
        design, z, alphas, effect_keys, effect_smoothing, backfit_rounds, config
    )
    member = _assemble(prep, num_idx, coef, intercept, alpha, onehot, effects)
    if key is not None and config_effect is not None:
        member = replace(member, config_key=key[0], config_effect=config_effect)
    return _centred(member, values)


def _centred(member: LinearMember, values: Sequence[np.ndarray]) -> LinearMember:
    """Shift each categorical column's terms to average zero over the training rows.

    Predictions do not change (the intercept takes the shifts), but a term now reads as the
    effect of a level against the average sale — "intact" is a little above average, not
    +20 % against an arbitrary reference level — which is what the reasons shown to a judge
    need. Numeric terms are centred by construction.
    """
    if not member.cat_idx:
        return member
    terms = member.terms(values)
    shifts = [float(terms[:, i].mean()) for i in member.cat_idx]
    lookups = tuple(
        {level: v - shift for level, v in lookup.items()}
        for lookup, shift in zip(member.cat_lookup, shifts, strict=True)
    )
    defaults = tuple(d - shift for d, shift in zip(member.cat_default, shifts, strict=True))
    return replace(
        member,
        intercept=member.intercept + sum(shifts),
        cat_lookup=lookups,
        cat_default=defaults,
    )


def _numeric_blocks(x: np.ndarray, prep: _NumericPrep) -> list[sparse.csr_matrix]:
    if not x.shape[1]:
        return []
    g = np.where(prep.log, np.log1p(np.fmax(x, 0.0)), x)
    g = np.where(np.isnan(x), prep.fill, g)
    return [
        sparse.csr_matrix((g - prep.mu) / prep.sd),
        sparse.csr_matrix(np.isnan(x)[:, prep.has_missing].astype(np.float64)),
    ]


def _onehot_block(keys: np.ndarray, levels: list[str | None], has_other: bool) -> sparse.csr_matrix:
    index = {level: j for j, level in enumerate(levels)}
    other = len(levels) if has_other else -1
    cols = np.array([index.get(v, other) for v in keys], dtype=np.int64)
    rows = np.flatnonzero(cols >= 0)
    width = len(levels) + int(has_other)
    data = np.ones(len(rows))
    return sparse.csr_matrix((data, (rows, cols[rows])), shape=(len(keys), width))


def _assemble(
    prep: _NumericPrep,
    num_idx: np.ndarray,
    coef: np.ndarray,
    intercept: float,
    alpha: float,
    onehot: dict[int, tuple[list[str | None], bool]],
    effects: dict[int, Lookup],
) -> LinearMember:
    n_num = len(num_idx)
    n_miss = int(prep.has_missing.sum())
    miss = np.zeros(n_num)
    miss[prep.has_missing] = coef[n_num : n_num + n_miss]
    start = n_num + n_miss
    cat_idx, lookups, defaults = [], [], []
    for i, (levels, has_other) in onehot.items():
        block = coef[start : start + len(levels) + int(has_other)]
        start += len(block)
        cat_idx.append(i)
        lookups.append({level: float(c) for level, c in zip(levels, block, strict=False)})
        defaults.append(float(block[-1]) if has_other else 0.0)
    for i, lookup in effects.items():
        cat_idx.append(i)
        lookups.append(lookup)
        defaults.append(0.0)
    return LinearMember(
        intercept=intercept,
        alpha=alpha,
        num_idx=num_idx,
        num_log=prep.log,
        num_lo=prep.lo,
        num_hi=prep.hi,
        num_fill=prep.fill,
        num_mu=prep.mu,
        num_slope=coef[:n_num] / prep.sd,
        num_miss=miss,
        cat_idx=tuple(cat_idx),
        cat_lookup=tuple(lookups),
        cat_default=tuple(defaults),
    )

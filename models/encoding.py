"""Tree-member design: numeric columns as they are, categorical columns as codes or targets.

Low-cardinality categoricals become integer codes handled natively by LightGBM;
high-cardinality ones (thousands of 小区 communities) become smoothed target means of the
log price, cross-fitted on the training rows so a row's own price never leaks into its
feature. Missing and unseen values never raise: codes become ``NaN`` (LightGBM's missing
branch) and target means fall back to the prior.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from models.tabular import ColumnSpec, lookup

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class TreeColumn:
    """Encoding of one input column for the tree member.

    Attributes:
        name: Input column name.
        mode: ``numeric`` (value as is), ``native`` (LightGBM categorical code) or
            ``target`` (smoothed target mean).
        lookup: Category → encoded value, for ``native`` and ``target`` columns.
        default: Value for categories not in ``lookup`` (``NaN`` for codes, the prior for
            target means).
    """

    name: str
    mode: str
    lookup: dict[str | None, float] = field(default_factory=dict)
    default: float = math.nan


@dataclass(frozen=True)
class TreeDesign:
    """Fitted tree-member design; one feature per input column, in input order."""

    columns: tuple[TreeColumn, ...]

    @property
    def categorical_indices(self) -> list[int]:
        """Indices of the features LightGBM must treat as categorical."""
        return [i for i, col in enumerate(self.columns) if col.mode == "native"]

    def matrix(self, values: Sequence[np.ndarray]) -> np.ndarray:
        """Encode normalised columns (see :meth:`FrameEncoder.normalize`) into a matrix."""
        n_rows = len(values[0]) if values else 0
        out = np.empty((n_rows, len(self.columns)), dtype=np.float64)
        for j, (col, vals) in enumerate(zip(self.columns, values, strict=True)):
            out[:, j] = vals if col.mode == "numeric" else map_lookup(vals, col)
        return out


def map_lookup(values: np.ndarray, col: TreeColumn) -> np.ndarray:
    """Vectorised ``col.lookup.get(value, col.default)``."""
    return lookup(values, col.lookup, col.default)


def _smoothed_means(
    keys: np.ndarray, z: np.ndarray, prior: float, smoothing: float
) -> dict[str | None, float]:
    frame = pd.DataFrame({"k": pd.Series(keys, dtype=object), "z": z})
    stats = frame.groupby("k", dropna=False, sort=False)["z"].agg(["sum", "count"])
    means = (stats["sum"] + smoothing * prior) / (stats["count"] + smoothing)
    return {(None if pd.isna(k) else str(k)): float(v) for k, v in means.items()}


def _native_codes(keys: np.ndarray) -> dict[str | None, float]:
    levels = sorted({str(v) for v in keys if v is not None})
    return {level: float(code) for code, level in enumerate(levels)}


def _cross_fitted_target(
    keys: np.ndarray, z: np.ndarray, fold_ids: np.ndarray, prior: float, smoothing: float
) -> np.ndarray:
    out = np.empty(len(keys), dtype=np.float64)
    for fold in np.unique(fold_ids):
        held = fold_ids == fold
        rest = ~held
        lookup = _smoothed_means(keys[rest], z[rest], float(z[rest].mean()), smoothing)
        col = TreeColumn(name="", mode="target", lookup=lookup, default=prior)
        out[held] = map_lookup(keys[held], col)
    return out


def fit_tree_design(
    specs: Sequence[ColumnSpec],
    values: Sequence[np.ndarray],
    z: np.ndarray,
    *,
    max_native_levels: int,
    smoothing: float,
    fold_ids: np.ndarray,
) -> tuple[TreeDesign, np.ndarray]:
    """Fit the tree design and encode the training rows.

    Args:
        specs: Column specs from the fitted :class:`FrameEncoder`.
        values: Normalised training columns.
        z: Training log prices.
        max_native_levels: Categoricals with more distinct values are target-encoded.
        smoothing: Pseudo-count pulling a level's target mean towards the prior.
        fold_ids: Fold of each training row for cross-fitted target means.

    Returns:
        The design and the training matrix (target means cross-fitted).
    """
    prior = float(z.mean())
    columns: list[TreeColumn] = []
    for spec, vals in zip(specs, values, strict=True):
        if spec.kind != "categorical":
            columns.append(TreeColumn(name=spec.name, mode="numeric"))
            continue
        n_levels = pd.Series(vals, dtype=object).nunique(dropna=True)
        if n_levels <= max_native_levels:
            columns.append(TreeColumn(spec.name, "native", _native_codes(vals), math.nan))
        else:
            lookup = _smoothed_means(vals, z, prior, smoothing)
            columns.append(TreeColumn(spec.name, "target", lookup, prior))
    design = TreeDesign(columns=tuple(columns))
    train = design.matrix(values)
    for j, col in enumerate(design.columns):
        if col.mode == "target":
            train[:, j] = _cross_fitted_target(values[j], z, fold_ids, prior, smoothing)
    return design, train

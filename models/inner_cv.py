"""Inner cross-validation on the training rows: outlier screen and out-of-fold members.

Everything here sees only the rows passed to :meth:`ValueRegressor.fit`; held-out rows of
an outer evaluation never reach it.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
from sklearn.model_selection import KFold

from models.linear_member import LinearMember, fit_linear_member
from models.parallel import current_executor, run_in
from models.params import EstimatorParams
from models.tabular import ColumnSpec
from models.tree_member import fit_tree_member, predict_tree

logger = logging.getLogger(__name__)

Columns = list[np.ndarray]


TreeTarget = Literal["log_price", "linear_residual"]


@dataclass(frozen=True)
class OutOfFold:
    """Out-of-fold log predictions of the members for every training row.

    Attributes:
        linear: Linear-member predictions.
        tree: Per tree target, the tree-member predictions (including the linear base for
            ``linear_residual``).
        rounds: Per tree target, the early-stopped boosting rounds per fold.
    """

    linear: np.ndarray
    tree: dict[TreeTarget, np.ndarray]
    rounds: dict[TreeTarget, list[int]]


def tree_targets(params: EstimatorParams) -> tuple[TreeTarget, ...]:
    """The tree targets the inner cross-validation tries (both for ``auto``)."""
    if params.tree_target == "auto":
        return ("log_price", "linear_residual")
    return (params.tree_target,)


def take(values: Sequence[np.ndarray], mask: np.ndarray) -> Columns:
    """The rows ``mask`` of every column."""
    return [v[mask] for v in values]


def fold_ids(n_rows: int, folds: int, seed: int) -> np.ndarray:
    """Shuffled K-fold assignment of ``n_rows`` rows."""
    ids = np.empty(n_rows, dtype=np.int64)
    splitter = KFold(folds, shuffle=True, random_state=seed)
    for k, (_, held) in enumerate(splitter.split(np.zeros(n_rows))):
        ids[held] = k
    return ids


def fit_linear(
    specs: list[ColumnSpec], values: Sequence[np.ndarray], z: np.ndarray, params: EstimatorParams
) -> LinearMember:
    """Fit the linear member with the hyperparameters in ``params``."""
    return fit_linear_member(
        specs,
        values,
        z,
        alphas=params.ridge_alphas,
        skew_threshold=params.skew_threshold,
        min_count=params.min_category_count,
        max_onehot_levels=params.max_onehot_levels,
        effect_smoothing=params.effect_smoothing,
        config_max_levels=params.config_max_levels,
    )


def predict_linear(member: LinearMember, values: Sequence[np.ndarray]) -> np.ndarray:
    """Linear-member log predictions."""
    return member.intercept + member.terms(values).sum(axis=1)


def screen_outliers(
    specs: list[ColumnSpec],
    values: Columns,
    z: np.ndarray,
    folds: np.ndarray,
    params: EstimatorParams,
) -> np.ndarray:
    """Inlier mask: out-of-fold linear residual within ``outlier_threshold`` robust SDs."""
    if params.outlier_threshold is None:
        return np.ones(len(z), dtype=bool)
    oof = np.empty(len(z))
    for k in np.unique(folds):
        held = folds == k
        member = fit_linear(specs, take(values, ~held), z[~held], params)
        oof[held] = predict_linear(member, take(values, held))
    resid = z - oof
    centre = float(np.median(resid))
    scale = 1.4826 * float(np.median(np.abs(resid - centre)))
    keep = np.abs(resid - centre) <= params.outlier_threshold * max(scale, 1e-12)
    logger.info("outlier screen: %d of %d rows left out", int((~keep).sum()), len(z))
    return keep


def cross_fit(
    specs: list[ColumnSpec],
    values: Columns,
    z: np.ndarray,
    folds: np.ndarray,
    keep: np.ndarray,
    params: EstimatorParams,
    seed: int,
) -> OutOfFold:
    """Fit both members on each fold's inliers and predict all of its held-out rows.

    The booster early-stops on the held-out inliers; outliers are predicted too, so that
    they count in the conformal scores. The folds are independent steps: they run on the
    executor of :func:`models.parallel.fitting_on` when one is set (a Dask cluster's, in
    training), else here one after another; the answer is the same.
    """
    targets = tree_targets(params)
    pool = current_executor()
    parts = [
        run_in(pool, _fit_fold, specs, values, z, folds == k, keep, params, seed + int(k) + 1)
        for k in np.unique(folds)
    ]
    oof_linear = np.empty(len(z))
    oof_tree = {target: np.empty(len(z)) for target in targets}
    rounds: dict[TreeTarget, list[int]] = {target: [] for target in targets}
    for k, part in zip(np.unique(folds), parts, strict=True):
        held = folds == k
        linear, trees, best = part.result()
        oof_linear[held] = linear
        for target in targets:
            oof_tree[target][held] = trees[target]
            rounds[target].append(best[target])
    return OutOfFold(linear=oof_linear, tree=oof_tree, rounds=rounds)


def _fit_fold(
    specs: list[ColumnSpec],
    values: Columns,
    z: np.ndarray,
    held: np.ndarray,
    keep: np.ndarray,
    params: EstimatorParams,
    tree_seed: int,
) -> tuple[np.ndarray, dict[TreeTarget, np.ndarray], dict[TreeTarget, int]]:
    """One inner fold: the held-out rows' linear and tree predictions (the linear base
    included for ``linear_residual``) and each tree target's early-stopped rounds."""
    train, stop = ~held & keep, held & keep
    linear = fit_linear(specs, take(values, train), z[train], params)
    oof_linear = np.empty(len(z))
    oof_linear[held] = predict_linear(linear, take(values, held))
    trees: dict[TreeTarget, np.ndarray] = {}
    rounds: dict[TreeTarget, int] = {}
    for target in tree_targets(params):
        residual_mode = target == "linear_residual"
        base_train = predict_linear(linear, take(values, train)) if residual_mode else None
        base_stop = oof_linear[stop] if residual_mode else None
        tree = fit_tree_member(
            specs,
            take(values, train),
            z[train],
            base_train,
            params,
            tree_seed,
            valid=(take(values, stop), z[stop], base_stop),
        )
        rounds[target] = tree.best_iteration
        trees[target] = predict_tree(tree, take(values, held))
        if residual_mode:
            trees[target] += oof_linear[held]
    return oof_linear[held], trees, rounds


def best_weight(linear: np.ndarray, tree: np.ndarray, z: np.ndarray) -> float:
    """Weight of ``tree`` in ``(1 - w) * linear + w * tree`` minimising squared error."""
    diff = tree - linear
    denom = float(diff @ diff)
    if denom <= 0.0:
        return 1.0
    return float(np.clip(diff @ (z - linear) / denom, 0.0, 1.0))

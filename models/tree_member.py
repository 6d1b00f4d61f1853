"""The gradient-boosted tree member (LightGBM on the log price or on the linear residual)."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import lightgbm as lgb
import numpy as np

from models.encoding import TreeDesign, fit_tree_design
from models.params import EstimatorParams
from models.tabular import ColumnSpec

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class TreeMember:
    """A fitted booster with the design that feeds it.

    Attributes:
        design: Encoding of input columns into booster features.
        booster: The LightGBM booster (raw score, log scale, without any base score).
        best_iteration: Number of boosting rounds used.
    """

    design: TreeDesign
    booster: lgb.Booster
    best_iteration: int


def booster_params(params: EstimatorParams, seed: int) -> dict[str, Any]:
    """LightGBM training parameters for ``params`` and ``seed``."""
    return {
        "objective": params.tree_objective,
        "alpha": params.huber_delta,
        "learning_rate": params.learning_rate,
        "num_leaves": params.num_leaves,
        "max_depth": params.max_depth,
        "min_data_in_leaf": params.min_data_in_leaf,
        "feature_fraction": params.feature_fraction,
        "bagging_fraction": params.bagging_fraction,
        "bagging_freq": 1 if params.bagging_fraction < 1.0 else 0,
        "lambda_l2": params.lambda_l2,
        "min_data_per_group": params.min_data_in_leaf,
        "cat_smooth": 10.0,
        "cat_l2": 10.0,
        "max_cat_to_onehot": 8,
        "num_threads": params.n_jobs,
        "seed": seed,
        "deterministic": True,
        "force_row_wise": True,
        "verbose": -1,
    }


def fit_tree_member(
    specs: Sequence[ColumnSpec],
    values: Sequence[np.ndarray],
    z: np.ndarray,
    base: np.ndarray | None,
    params: EstimatorParams,
    seed: int,
    *,
    rounds: int | None = None,
    valid: tuple[Sequence[np.ndarray], np.ndarray, np.ndarray | None] | None = None,
) -> TreeMember:
    """Fit the design and the booster, early-stopping on ``valid`` when given.

    Args:
        specs: Column specs from the fitted frame encoder.
        values: Normalised training columns.
        z: Training log prices.
        base: Linear-member prediction to boost from (``None`` boosts from the mean).
        params: Hyperparameters.
        seed: Random seed.
        rounds: Fixed number of rounds (default ``params.n_estimators``).
        valid: Normalised validation columns, their log prices and base, for early stopping.

    Returns:
        The fitted member.
    """
    rng = np.random.default_rng(seed)
    fold_ids = rng.permutation(len(z)) % params.inner_folds
    design, train = fit_tree_design(
        specs,
        values,
        z,
        max_native_levels=params.max_native_levels,
        smoothing=params.target_smoothing,
        fold_ids=fold_ids,
    )
    cats = design.categorical_indices
    dtrain = lgb.Dataset(train, z, init_score=base, categorical_feature=cats, free_raw_data=False)
    lgb_params = booster_params(params, seed)
    callbacks: list[Any] = []
    valid_sets: list[lgb.Dataset] = []
    if valid is not None:
        v_values, v_z, v_base = valid
        dvalid = lgb.Dataset(design.matrix(v_values), v_z, init_score=v_base, reference=dtrain)
        valid_sets.append(dvalid)
        callbacks.append(lgb.early_stopping(params.early_stopping_rounds, verbose=False))
    booster = lgb.train(
        lgb_params,
        dtrain,
        num_boost_round=rounds or params.n_estimators,
        valid_sets=valid_sets,
        callbacks=callbacks,
    )
    best = booster.best_iteration if valid is not None and booster.best_iteration else None
    if best is not None:
        booster = booster.model_from_string(booster.model_to_string(num_iteration=best))
    iterations = booster.current_iteration()
    return TreeMember(design=design, booster=booster, best_iteration=iterations)


def predict_tree(member: TreeMember, values: Sequence[np.ndarray]) -> np.ndarray:
    """Raw booster output for normalised columns."""
    return np.asarray(member.booster.predict(member.design.matrix(values)), dtype=np.float64)

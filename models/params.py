"""Hyperparameters of :class:`models.estimator.ValueRegressor`."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

_DEFAULT_ALPHAS = tuple(float(10.0**e) for e in (-1, -0.5, 0, 0.5, 1, 1.5, 2, 2.5, 3, 3.5, 4))


class EstimatorParams(BaseModel):
    """Hyperparameters for the blended valuation estimator (all optional, all bounded).

    Attributes:
        learning_rate: LightGBM shrinkage.
        num_leaves: Leaves per tree.
        max_depth: Depth limit per tree (-1: none).
        min_data_in_leaf: Minimum rows per leaf (and per categorical group).
        feature_fraction: Share of features sampled per tree.
        bagging_fraction: Share of rows sampled per tree.
        lambda_l2: L2 penalty on leaf values.
        tree_objective: LightGBM objective on the log price.
        huber_delta: Huber transition point (log units), used with ``huber``.
        n_estimators: Upper bound on boosting rounds; the used number is chosen by early
            stopping on the inner folds.
        early_stopping_rounds: Patience of that early stopping.
        tree_target: ``log_price`` fits the booster on the log price; ``linear_residual``
            boosts from the linear member's prediction; ``auto`` fits both in the inner
            cross-validation and keeps the one whose blend has the smaller out-of-fold
            squared error.
        inner_folds: Folds of the inner cross-validation that picks the number of rounds
            and the blend weight, flags outliers and yields the conformal scores.
        max_native_levels: Categoricals with at most this many levels are native LightGBM
            categoricals; more levels are target-encoded.
        target_smoothing: Pseudo-count of the tree member's target encoding.
        ridge_alphas: Candidate ridge penalties (chosen by GCV).
        skew_threshold: Non-negative numerics more skewed than this are ``log1p``-ed for
            the linear member.
        min_category_count: Rarer one-hot levels are pooled into "other".
        max_onehot_levels: Categoricals with more levels become random effects in the
            linear member.
        effect_smoothing: Pseudo-count shrinking random effects towards zero.
        config_max_levels: Columns (of any kind) with at most this many distinct values
            form a configuration key whose random effect the linear member estimates, with
            a leave-one-out pseudo-count (None: no configuration effect).
        outlier_threshold: Training rows whose out-of-fold linear residual lies more than
            this many robust standard deviations (1.4826 MAD) from the median are left out
            of model fitting (None keeps all rows). They stay in the conformal scores.
        coverage: Target coverage of the prediction interval.
        interval_group: Optional input column for Mondrian (per-group) intervals.
        min_group_size: Smallest group with its own interval offsets.
        novelty_column: Optional high-cardinality input column (e.g. ``community``): a row
            whose level no training row held gets interval offsets calibrated by a second
            inner cross-validation grouped by that column (see :mod:`models.novelty`).
        n_jobs: Threads for LightGBM.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    learning_rate: float = Field(0.02, gt=0, le=1)
    num_leaves: int = Field(8, ge=2, le=1024)
    max_depth: int = Field(-1, ge=-1, le=64)
    min_data_in_leaf: int = Field(4, ge=1)
    feature_fraction: float = Field(0.3, gt=0, le=1)
    bagging_fraction: float = Field(0.8, gt=0, le=1)
    lambda_l2: float = Field(1.0, ge=0)
    tree_objective: Literal["regression", "huber", "regression_l1"] = "regression"
    huber_delta: float = Field(0.1, gt=0)
    n_estimators: int = Field(6000, ge=1, le=100_000)
    early_stopping_rounds: int = Field(200, ge=1)
    tree_target: Literal["log_price", "linear_residual", "auto"] = "log_price"
    inner_folds: int = Field(5, ge=2, le=20)
    max_native_levels: int = Field(64, ge=2)
    target_smoothing: float = Field(20.0, ge=0)
    ridge_alphas: tuple[float, ...] = Field(_DEFAULT_ALPHAS, min_length=1)
    skew_threshold: float = Field(0.75, ge=0)
    min_category_count: int = Field(3, ge=1)
    max_onehot_levels: int = Field(200, ge=2)
    effect_smoothing: float = Field(5.0, ge=0)
    config_max_levels: int | None = Field(12, ge=2)
    outlier_threshold: float | None = Field(4.0, gt=0)
    coverage: float = Field(0.8, gt=0, lt=1)
    interval_group: str | None = None
    min_group_size: int = Field(50, ge=1)
    novelty_column: str | None = None
    n_jobs: int = Field(2, ge=1, le=64)

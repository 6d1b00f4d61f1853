"""Hyperparameters of :class:`models.classification.estimator.ProbabilityClassifier`."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from models.classification.calibration import CalibrationRule
from models.classification.stack import StackRule

_DEFAULT_PENALTIES = tuple(float(10.0**e) for e in (-1, -0.5, 0, 0.5, 1, 1.5, 2, 2.5, 3, 3.5))


class ClassifierParams(BaseModel):
    """Hyperparameters of the stacked probability classifier (all optional, all bounded).

    Attributes:
        inner_folds: Folds of the inner cross-validation on the training rows. It picks the
            spline member's penalty, early-stops each booster, and yields the out-of-fold
            member scores on which the stack (and with it the calibration) is fitted.
        n_pairs: Most pairwise log-ratio features built from numeric columns (0: none).
        pair_min_distinct: Numeric columns with fewer distinct values take no part in pairs.
        pair_min_gain: Smallest binned information gain (nats per row) a ratio must show
            over the better of its two source columns to be kept.
        pair_bins: Quantile bins of that information measure.
        spline_knots: Knots of each numeric column's natural cubic spline (at quantiles).
        penalties: Candidate L2 penalties of the spline member (chosen by inner log-loss).
        tune_rows: With more training rows, the spline penalty is chosen on a random subsample
            of this many rows (the out-of-fold logits still use every row).
        skew_threshold: Non-negative numerics more skewed than this are ``log1p``-ed before
            the spline.
        min_category_count: Rarer categorical levels share an "other" level (spline member)
            or the missing branch (tree member).
        max_levels: At most this many of a categorical column's most frequent levels are
            kept by either member.
        learning_rate: LightGBM shrinkage.
        num_leaves: Leaves per tree.
        min_data_in_leaf: Minimum rows per leaf (and per categorical group).
        feature_fraction: Share of features sampled per tree.
        bagging_fraction: Share of rows sampled per tree.
        lambda_l2: L2 penalty on leaf values.
        cat_smooth: Candidate smoothings of the per-level gradient statistics of categorical
            columns with more than 8 levels (LightGBM ``cat_smooth``, in units of the
            hessian); the inner cross-validation picks one. The first is used when no such
            column exists.
        extra_trees_max_rows: With at most this many training rows, the inner
            cross-validation also tries LightGBM's ``extra_trees`` (one random threshold
            per feature and split) with every smoothing candidate and keeps it when its
            held-out log-loss is lower (0: never). A variance reducer for small samples: on
            lending_club it lifts the out-of-fold AUC by 0.002–0.004; on 50,000 synthetic
            debtors it is worse and needs 3–4 times the trees, hence the bound.
        n_estimators: Upper bound on boosting rounds.
        early_stopping_rounds: Patience of the early stopping on the mean inner held-out
            log-loss.
        stack_penalty: L2 penalty on the stack's member weights (logit scale).
        stack_weights: ``"equal"`` (Platt scaling of the mean member logit), ``"free"`` (one
            weight per member) or ``"auto"`` (free only when it lowers the out-of-fold
            log-loss by more than ``stack_free_z`` standard errors); see
            :mod:`models.classification.stack`.
        stack_free_z: The standard errors that ``"auto"`` asks of the free weights.
        calibration: After the stack, ``"auto"`` fits a beta map of its logit (one slope per
            tail) on the out-of-fold rows and keeps it when its likelihood-ratio statistic
            exceeds ``calibration_min_lr``; ``"beta"`` always keeps it, ``"platt"`` never fits
            it (see :mod:`models.classification.calibration`).
        calibration_min_lr: The likelihood-ratio statistic ``"auto"`` asks of the beta map
            (3.84: chi-squared with one degree of freedom at 5%).
        n_jobs: Threads for LightGBM and the linear algebra. One thread is the default: on a
            shared machine, OpenMP threads that wait for a busy core slow training badly.
            Where fitting steps run at once (a pool of several workers, and the capacity
            fit), LightGBM keeps to one thread per call whatever this is
            (:func:`models.parallel.one_lightgbm_thread`).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    inner_folds: int = Field(5, ge=2, le=20)
    n_pairs: int = Field(8, ge=0, le=200)
    pair_min_distinct: int = Field(10, ge=2)
    pair_min_gain: float = Field(0.0, ge=0)
    pair_bins: int = Field(16, ge=2, le=256)
    spline_knots: int = Field(5, ge=3, le=20)
    penalties: tuple[float, ...] = Field(_DEFAULT_PENALTIES, min_length=1)
    tune_rows: int = Field(15_000, ge=100)
    skew_threshold: float = Field(0.75, ge=0)
    min_category_count: int = Field(10, ge=1)
    max_levels: int = Field(60, ge=1)
    learning_rate: float = Field(0.03, gt=0, le=1)
    num_leaves: int = Field(8, ge=2, le=1024)
    min_data_in_leaf: int = Field(40, ge=1)
    feature_fraction: float = Field(0.5, gt=0, le=1)
    bagging_fraction: float = Field(0.8, gt=0, le=1)
    lambda_l2: float = Field(10.0, ge=0)
    cat_smooth: tuple[float, ...] = Field((20.0, 100.0, 500.0), min_length=1, max_length=8)
    extra_trees_max_rows: int = Field(15_000, ge=0)
    n_estimators: int = Field(3000, ge=1, le=100_000)
    early_stopping_rounds: int = Field(100, ge=1)
    stack_penalty: float = Field(1.0, ge=0)
    stack_weights: StackRule = "auto"
    stack_free_z: float = Field(2.0, ge=0)
    calibration: CalibrationRule = "auto"
    calibration_min_lr: float = Field(3.84, ge=0)
    n_jobs: int = Field(1, ge=1, le=64)

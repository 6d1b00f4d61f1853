"""A generic, calibrated sale-price estimator for arbitrary tabular sales data.

:class:`ValueRegressor` works on the log price and blends two additive members:

* a linear member (ridge on standardised / ``log1p`` numerics and one-hot categoricals,
  random effects for high-cardinality categoricals and for the configuration — the
  combination of all low-cardinality columns, see :mod:`models.config_effect` — with its
  shrinkage chosen by leave-one-out error; see :mod:`models.linear_member`);
* a LightGBM member (native categoricals, target-encoded high-cardinality ones), fitted on
  the log price or on the linear member's residual (``EstimatorParams.tree_target``; by
  default the inner cross-validation picks one).

Fitting runs one inner K-fold cross-validation on the training rows. A first, cheap pass of
the linear member flags gross outliers (e.g. partial sales) by robust out-of-fold
residuals; they are left out of all model fitting. The second pass yields out-of-fold
predictions of both members, from which the blend weight is chosen (least squares on the
inliers), the number of boosting rounds is taken (early stopping), and the conformal
scores of the interval are computed (see :mod:`models.conformal`). Finally both members are
refitted on all inliers. With a ``novelty_column``, a third pass grouped by that column
calibrates the interval of rows whose level no training row held (see :mod:`models.novelty`).
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.exceptions import NotFittedError
from sklearn.utils.validation import check_is_fitted

from models.conformal import LogResidualConformal
from models.errors import DataError
from models.inner_cv import (
    Columns,
    OutOfFold,
    TreeTarget,
    best_weight,
    cross_fit,
    fit_linear,
    fold_ids,
    predict_linear,
    screen_outliers,
    take,
)
from models.novelty import Blend, Novelty, fit_novelty
from models.params import EstimatorParams
from models.row_plan import RowPlan, compile_plan
from models.single_row import single_row
from models.tabular import ColumnSpec, FrameEncoder, canonical_category, series_categories
from models.tree_member import TreeMember, fit_tree_member, predict_tree

__all__ = ["EstimatorParams", "ValueRegressor"]

logger = logging.getLogger(__name__)

#: The fewest sales the estimator fits on: its outlier screen, members and interval all
#: rest on an inner cross-validation, and a handful of sales cannot support one.
MIN_FIT_ROWS = 30


class ValueRegressor(RegressorMixin, BaseEstimator):
    """Blended linear + LightGBM estimator of sale prices with conformal intervals.

    Args:
        params: Hyperparameters (defaults when None).
        random_state: Seed for the inner folds and LightGBM; results are deterministic.
    """

    def __init__(self, params: EstimatorParams | None = None, random_state: int = 0) -> None:
        self.params = params
        self.random_state = random_state

    def fit(self, X: pd.DataFrame, y: Any) -> ValueRegressor:
        """Fit on a frame of features and positive prices.

        Args:
            X: Training features, any mix of numeric, text, boolean and datetime columns.
            y: Positive sale prices, one per row.

        Returns:
            The fitted estimator.

        Raises:
            ValueError: If ``y`` has the wrong length or non-positive / non-finite values.
            DataError: Fewer than :data:`MIN_FIT_ROWS` sales.
        """
        params = self.params or EstimatorParams()
        z = _log_target(y, len(X))
        if len(z) < MIN_FIT_ROWS:
            raise DataError(
                f"{len(z)} sales to fit on; the estimator needs at least {MIN_FIT_ROWS}"
            )
        self.encoder_ = FrameEncoder().fit(X)
        self.feature_names_in_ = self.encoder_.feature_names_in_
        self.n_features_in_ = len(self.feature_names_in_)
        specs = list(self.encoder_.specs_)
        values = self.encoder_.normalize(X)
        folds = fold_ids(len(z), params.inner_folds, self.random_state)
        keep = screen_outliers(specs, values, z, folds, params)
        self.inlier_mask_ = keep
        oof = cross_fit(specs, values, z, folds, keep, params, self.random_state)
        self.tree_target_, weight, blend = _choose_tree_target(oof, z, keep)
        residual_mode = self.tree_target_ == "linear_residual"
        self.linear_weight_ = 1.0 if residual_mode else 1.0 - weight
        self.tree_weight_ = weight
        rounds = oof.rounds[self.tree_target_]
        self.boosting_rounds_ = max(1, round(float(np.mean(rounds)) * 1.1))
        scores = z - blend
        self.conformal_ = LogResidualConformal(params.coverage, params.min_group_size).fit(
            scores, self._groups(X, params)
        )
        self.interval_method_ = _interval_method(params)
        self.interval_group_ = params.interval_group
        self._fit_members(specs, take(values, keep), z[keep], params)
        self.novelty_: Novelty | None = None
        if params.novelty_column is not None:
            recipe = Blend(self.tree_target_, self.boosting_rounds_, self.linear_weight_, weight)
            self.novelty_ = fit_novelty(
                specs,
                values,
                z,
                keep,
                params.novelty_column,
                params,
                recipe,
                self.random_state,
                self._groups(X, params),
            )
        logger.info(
            "fitted on %d rows (%d outliers left out): tree weight %.2f, %d rounds",
            len(z),
            int((~keep).sum()),
            weight,
            self.boosting_rounds_,
        )
        return self

    def _fit_members(
        self, specs: list[ColumnSpec], values: Columns, z: np.ndarray, params: EstimatorParams
    ) -> None:
        self.linear_ = fit_linear(specs, values, z, params)
        residual_mode = self.tree_target_ == "linear_residual"
        base = predict_linear(self.linear_, values) if residual_mode else None
        self.tree_: TreeMember = fit_tree_member(
            specs, values, z, base, params, self.random_state, rounds=self.boosting_rounds_
        )
        self.row_plan_: RowPlan = compile_plan(specs, self.tree_.design, self.linear_)

    @staticmethod
    def _groups(X: pd.DataFrame, params: EstimatorParams) -> np.ndarray | None:
        name = params.interval_group
        if name is None:
            return None
        if name not in X.columns:
            raise ValueError(f"interval_group {name!r} is not a column; got {list(X.columns)}")
        return series_categories(X[name])

    def predict_log(self, X: pd.DataFrame) -> np.ndarray:
        """Log-price estimates for a frame."""
        check_is_fitted(self, "row_plan_")
        values = self.encoder_.normalize(X)
        linear = predict_linear(self.linear_, values)
        tree = predict_tree(self.tree_, values)
        return self.linear_weight_ * linear + self.tree_weight_ * tree

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        """Price estimates for a frame."""
        return np.exp(self.predict_log(X))

    def predict_interval(
        self, X: pd.DataFrame, novel: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Point estimates with lower and upper bounds of the conformal interval (``novel``:
        :meth:`novel_mask` of ``X``, when the caller has it already)."""
        log_point = self.predict_log(X)
        groups = None
        params = self.params or EstimatorParams()
        if params.interval_group is not None:
            if params.interval_group in X.columns:
                groups = self._groups(X, params)
            else:
                groups = np.full(len(X), None, dtype=object)
        lower, upper = self.conformal_.bounds(log_point, groups)
        novelty = self.novelty
        novel = self.novel_mask(X) if novel is None else novel
        if novelty is not None and novel.any():
            lower[novel], upper[novel] = novelty.conformal.bounds(
                log_point[novel], None if groups is None else groups[novel]
            )
        return np.exp(log_point), np.exp(lower), np.exp(upper)

    @property
    def novelty(self) -> Novelty | None:
        """The unseen-level calibration (``None`` without a ``novelty_column``, and for
        estimators saved before it existed)."""
        return getattr(self, "novelty_", None)

    def novel_mask(self, X: pd.DataFrame) -> np.ndarray:
        """Per row: whether its ``novelty_column`` level is one no training row held."""
        novelty = self.novelty
        if novelty is None:
            return np.zeros(len(X), dtype=bool)
        if novelty.column not in X.columns:
            return np.ones(len(X), dtype=bool)
        return novelty.mask(series_categories(X[novelty.column]))

    def known_levels(self, column: str) -> list[str]:
        """The values a categorical input column had in training, sorted (none for a numeric
        or unknown column)."""
        check_is_fitted(self, "row_plan_")
        for design in self.tree_.design.columns:
            if design.name == column and design.mode != "numeric":
                return sorted(level for level in design.lookup if level is not None)
        return []

    def is_novel_row(self, row: Mapping[str, Any]) -> bool:
        """:meth:`novel_mask` of one row given as a mapping."""
        novelty = self.novelty
        return novelty is not None and novelty.is_novel(row.get(novelty.column))

    def estimate_row(self, row: Mapping[str, Any]) -> tuple[float, float, float]:
        """Fast path: point, lower and upper estimate for one already-typed row.

        Args:
            row: Column name → ``str``/``float``/``int``/``bool``/``None``; datetime columns
                as days since 1970-01-01 (see :func:`models.tabular.date_to_number`).

        Returns:
            ``(estimate, lower, upper)`` prices, equal to :meth:`predict_interval` on a
            one-row frame.
        """
        # check_is_fitted scans every attribute; on the fast path one lookup must do.
        if not hasattr(self, "row_plan_"):
            raise NotFittedError("call fit before estimate_row")
        arr, linear = self.row_plan_.encode(row)
        return self._estimate(row, arr, linear)

    def explain_row(
        self, row: Mapping[str, Any]
    ) -> tuple[tuple[float, float, float], float, dict[str, float]]:
        """:meth:`estimate_row` and :meth:`contributions_row` of one row, encoded once.

        Returns:
            ``(estimate, lower, upper)``, the bias and the column → contribution mapping.
        """
        if not hasattr(self, "row_plan_"):
            raise NotFittedError("call fit before explain_row")
        arr, linear, terms = self.row_plan_.encode_terms(row)
        bias, effects = self._effects(arr, terms)
        return self._estimate(row, arr, linear), bias, effects

    def _estimate(
        self, row: Mapping[str, Any], arr: np.ndarray, linear: float
    ) -> tuple[float, float, float]:
        # A zero-weight booster cannot change the answer; skip its cost. One row on one
        # thread (OpenMP threads waiting on a busy core cost milliseconds per call), through
        # LightGBM's prepared single-row call.
        tree = single_row(self.tree_.booster).raw_score(arr) if self.tree_weight_ else 0.0
        log_point = self.linear_weight_ * linear + self.tree_weight_ * tree
        group = self.interval_group_
        novelty = self.novelty
        novel = novelty is not None and self.is_novel_row(row)
        calibration = novelty.conformal if novelty is not None and novel else self.conformal_
        lower, upper = calibration.offsets_for(
            canonical_category(row.get(group)) if group is not None else None
        )
        return math.exp(log_point), math.exp(log_point + lower), math.exp(log_point + upper)

    def contributions_row(self, row: Mapping[str, Any]) -> tuple[float, dict[str, float]]:
        """Fast-path twin of :meth:`contributions` for one row given as a mapping.

        Returns:
            The bias and a column → contribution mapping (log scale) that sum to the log
            estimate of :meth:`estimate_row`.
        """
        check_is_fitted(self, "row_plan_")
        arr, _, linear_terms = self.row_plan_.encode_terms(row)
        return self._effects(arr, linear_terms)

    def _effects(self, arr: np.ndarray, linear_terms: np.ndarray) -> tuple[float, dict[str, float]]:
        shap = single_row(self.tree_.booster).contributions(arr)
        contrib = self.linear_weight_ * linear_terms + self.tree_weight_ * shap[:-1]
        bias = self.linear_weight_ * self.linear_.intercept + self.tree_weight_ * shap[-1]
        names = [str(name) for name in self.feature_names_in_]
        return float(bias), dict(zip(names, contrib.tolist(), strict=True))

    def contributions(self, X: pd.DataFrame) -> tuple[np.ndarray, pd.DataFrame]:
        """Additive per-column contributions to the log estimate.

        Tree SHAP values (LightGBM ``pred_contrib``) and the linear member's exact terms are
        combined with the blend weights, so ``bias + contributions.sum(axis=1)`` equals
        :meth:`predict_log`.

        Returns:
            The bias per row and a frame of contributions (rows × input columns).
        """
        check_is_fitted(self, "row_plan_")
        values = self.encoder_.normalize(X)
        shap = np.asarray(
            self.tree_.booster.predict(self.tree_.design.matrix(values), pred_contrib=True)
        )
        linear_terms = self.linear_.terms(values)
        contrib = self.linear_weight_ * linear_terms + self.tree_weight_ * shap[:, :-1]
        bias = self.linear_weight_ * self.linear_.intercept + self.tree_weight_ * shap[:, -1]
        names = [str(name) for name in self.feature_names_in_]
        return bias, pd.DataFrame(contrib, columns=names, index=X.index)


def _choose_tree_target(
    oof: OutOfFold, z: np.ndarray, keep: np.ndarray
) -> tuple[TreeTarget, float, np.ndarray]:
    """The tree target whose blend has the smallest out-of-fold error on the inliers.

    Returns:
        The target, its blend weight and the blended out-of-fold predictions.
    """
    best: tuple[float, TreeTarget, float, np.ndarray] | None = None
    for target, tree in oof.tree.items():
        weight = best_weight(oof.linear[keep], tree[keep], z[keep])
        blend = (1.0 - weight) * oof.linear + weight * tree
        error = float(np.mean((z[keep] - blend[keep]) ** 2))
        logger.info("tree target %s: weight %.2f, inner MSE %.5f", target, weight, error)
        if best is None or error < best[0]:
            best = (error, target, weight, blend)
    assert best is not None  # oof.tree always holds at least one target
    error, target, weight, blend = best
    if weight > 0.0 and not _trees_clearly_win(oof.linear[keep], blend[keep], z[keep]):
        logger.info("trees do not clearly beat the linear member: tree weight 0")
        return target, 0.0, oof.linear.copy()
    return target, weight, blend


#: Standard errors by which the blend must beat the linear member to keep the trees.
CLEAR_WIN_SE = 2.0


def _trees_clearly_win(linear: np.ndarray, blend: np.ndarray, z: np.ndarray) -> bool:
    """Whether the blend's out-of-fold squared error beats the linear member's clearly.

    The inner-fold linear members see fewer rows than the final one, so their
    configuration effects are weaker and the least-squares weight leans towards the
    trees; the simpler member is kept unless the paired per-row gain exceeds
    :data:`CLEAR_WIN_SE` standard errors.
    """
    gain = (z - linear) ** 2 - (z - blend) ** 2
    if len(gain) < 2:
        return False
    return float(gain.mean()) > CLEAR_WIN_SE * float(gain.std(ddof=1)) / math.sqrt(len(gain))


def _interval_method(params: EstimatorParams) -> str:
    method = (
        f"cross-conformal: equal-tailed quantiles of {params.inner_folds}-fold out-of-fold "
        f"log residuals, {params.coverage:.0%} nominal"
    )
    if params.interval_group is not None:
        method += f", Mondrian by {params.interval_group}"
    return method


def _log_target(y: Any, n_rows: int) -> np.ndarray:
    prices = np.asarray(y, dtype=np.float64).ravel()
    if len(prices) != n_rows:
        raise ValueError(f"y has {len(prices)} values for {n_rows} rows")
    if not np.all(np.isfinite(prices)) or np.any(prices <= 0):
        raise ValueError("y must be finite, positive prices")
    return np.log(prices)

"""A generic stacked probability classifier for mixed tabular data.

:class:`ProbabilityClassifier` fits, on the training rows only:

1. column typing and value normalisation (:class:`models.tabular.FrameEncoder`);
2. up to ``n_pairs`` pairwise log-ratio features of numeric columns, screened on the rows
   (:mod:`models.classification.pairs`);
3. two members on an inner stratified K-fold split: a penalised natural-spline logistic
   regression (:mod:`~models.classification.spline_member`) and LightGBM boosters bagged
   over the folds (:mod:`~models.classification.boosted_member`);
4. a logistic stack on the members' out-of-fold logits (:mod:`~models.classification.stack`):
   Platt scaling of their mean logit, or of a blend with one non-negative weight per member
   when that fits the out-of-fold rows clearly better. The stack is the calibration step,
   fitted on predictions for rows the members did not train on;
5. on the same out-of-fold rows, a beta map of the stack's logit, one slope per tail, kept
   only when it fits them significantly better (:mod:`~models.classification.calibration`).

The calibrated probability is ``expit(g(stack_intercept + w_s * spline_logit + w_t *
tree_logit))`` with ``g`` the beta map (often the identity). Because both members are additive
on the logit scale (the spline member by construction, the trees through SHAP values), and
``g`` is monotone, :meth:`ProbabilityClassifier.contributions` splits the calibrated logit
exactly over the input columns: each row's contributions to the stack's logit, times the
map's secant slope between the base value and that logit.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from concurrent.futures import Executor
from typing import Self

import numpy as np
import pandas as pd
from scipy.special import expit
from sklearn.base import BaseEstimator
from sklearn.model_selection import StratifiedKFold
from sklearn.utils.validation import check_is_fitted
from threadpoolctl import threadpool_limits

from models.classification.boosted_member import BoostedMember, fit_boosted_member
from models.classification.calibration import BetaMap, fit_beta_map
from models.classification.pairs import PairFeature, select_pairs
from models.classification.params import ClassifierParams
from models.classification.spline_member import SplineMember, fit_spline_member
from models.classification.stack import fit_stack
from models.errors import InvalidInputError
from models.parallel import run_in
from models.tabular import FrameEncoder, normalize_scalar

logger = logging.getLogger(__name__)

Columns = dict[str, np.ndarray]


class ProbabilityClassifier(BaseEstimator):
    """Calibrated P(y = 1) for mixed numeric / boolean / categorical frames with gaps.

    Args:
        params: Hyperparameters (defaults when ``None``).
        seed: Seed of the inner folds and the boosters; the same seed gives the same model.

    Attributes:
        feature_names_in_: Input column names seen in :meth:`fit`.
        base_value_: Calibrated logit that :meth:`contributions` start from (see there).
        pairs_: The pairwise log-ratio features built.
        stack_: ``[intercept, spline weight, tree weight]`` of the logistic stack.
        calibration_: The beta map of the stack's logit (the identity when not kept).
        stack_base_: The stack's logit at the base value, before the beta map.
    """

    def __init__(self, params: ClassifierParams | None = None, seed: int = 0) -> None:
        self.params = params
        self.seed = seed

    def fit(
        self,
        X: pd.DataFrame,
        y: np.ndarray | pd.Series,
        monotone: Mapping[str, int] | None = None,
        pool: Executor | None = None,
    ) -> Self:
        """Fit encoder, pair features, both members and the calibrating stack.

        Args:
            X: Training frame (numeric, boolean, text or category columns; gaps allowed).
            y: Outcomes, 0/1 (1 is the positive class).
            monotone: Optional column → +1 (probability never falls as the column rises) or
                -1; numeric or boolean columns only. It binds the trees, the spline member
                (which then keeps a signed linear term for the column) and the stack.
            pool: Where the independent pieces run: the spline member and each booster
                setting of the tree member (see :func:`fit_boosted_member`). ``None`` runs
                them here, one after another. The fitted model is the same either way.

        Returns:
            The fitted classifier.
        """
        params = self.params or ClassifierParams()
        target = _binary_target(y, len(X), params.inner_folds)
        with threadpool_limits(limits=params.n_jobs):
            self.encoder_ = FrameEncoder().fit(X)
            kinds = self.encoder_.kinds()
            self.monotone_ = _checked_monotone(monotone, kinds)
            numeric, categorical = _split(self.encoder_, X)
            splitter = StratifiedKFold(params.inner_folds, shuffle=True, random_state=self.seed)
            folds = list(splitter.split(np.zeros(len(target)), target))
            unconstrained = {c: v for c, v in numeric.items() if c not in self.monotone_}
            self.pairs_ = select_pairs(
                unconstrained,
                target,
                max_pairs=params.n_pairs,
                min_distinct=params.pair_min_distinct,
                min_gain=params.pair_min_gain,
                bins=params.pair_bins,
            )
            features = _with_pairs(numeric, self.pairs_)
            spline_job = run_in(
                pool,
                fit_spline_member,
                features,
                categorical,
                target,
                folds,
                monotone=self.monotone_,
                knots=params.spline_knots,
                penalties=params.penalties,
                skew_threshold=params.skew_threshold,
                min_count=params.min_category_count,
                max_levels=params.max_levels,
                tune_rows=params.tune_rows,
                seed=self.seed,
            )
            boosted = fit_boosted_member(
                features,
                categorical,
                target,
                folds,
                monotone=self.monotone_,
                params=params,
                seed=self.seed,
                pool=pool,
            )
            spline = spline_job.result()
            oof = np.column_stack([spline.oof, boosted.oof])
            self.stack_ = fit_stack(
                oof,
                target,
                penalty=params.stack_penalty,
                rule=params.stack_weights,
                min_z=params.stack_free_z,
            )
            stacked = self.stack_[0] + oof @ self.stack_[1:]
            self.calibration_ = fit_beta_map(
                stacked, target, params.calibration, params.calibration_min_lr
            )
        self.spline_: SplineMember = spline.member
        self.boosted_: BoostedMember = boosted.member
        self.feature_names_in_: list[str] = [str(c) for c in self.encoder_.feature_names_in_]
        first = {name: values[:1] for name, values in {**features, **categorical}.items()}
        expected = float(self.boosted_.contributions(first)[0, -1])
        intercept, w_spline, w_tree = (float(v) for v in self.stack_)
        self.stack_base_ = intercept + w_spline * self.spline_.intercept + w_tree * expected
        self.base_value_ = float(self.calibration_(self.stack_base_))
        logger.info(
            "stack: intercept %.3f, spline weight %.3f, tree weight %.3f",
            intercept,
            w_spline,
            w_tree,
        )
        return self

    @property
    def beta_map(self) -> BetaMap:
        """The beta map after the stack (the identity for a model fitted before it)."""
        return getattr(self, "calibration_", None) or BetaMap()

    def decision_function(self, X: pd.DataFrame) -> np.ndarray:
        """Calibrated logit of P(y = 1): the beta map of the stack's linear predictor."""
        check_is_fitted(self, "stack_")
        columns = self._columns(X)
        intercept, w_spline, w_tree = self.stack_
        stacked = (
            intercept
            + w_spline * self.spline_.decision(columns)
            + w_tree * self.boosted_.decision(columns)
        )
        return np.asarray(self.beta_map(stacked), dtype=np.float64)

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        """Calibrated P(y = 1), one value per row (never raises on unseen or missing values)."""
        return np.asarray(expit(self.decision_function(X)), dtype=np.float64)

    def contributions(self, X: pd.DataFrame) -> pd.DataFrame:
        """Signed contribution of each input column to the calibrated logit.

        ``base_value_ + contributions(X).sum(axis=1)`` equals ``decision_function(X)``,
        i.e. ``logit(predict_proba(X))``, up to float rounding. A column's contribution to
        the stack's logit is the stack-weighted sum of its spline term (zero on average over
        the training rows) and its mean SHAP value over the fold boosters; a pair feature's
        share is split equally between its two columns. The beta map then scales a row's
        contributions by one positive factor, its secant slope from the base value to the
        row's stacked logit, so their sum is the calibrated logit's and no sign changes.
        Positive values push towards y = 1.

        Args:
            X: Frame to explain.

        Returns:
            Frame with the index of ``X`` and one column per input column of :meth:`fit`.
        """
        check_is_fitted(self, "stack_")
        columns = self._columns(X)
        _, w_spline, w_tree = self.stack_
        names = self.spline_.features
        in_tree = {name: j for j, name in enumerate(self.boosted_.features)}
        shap = self.boosted_.contributions(columns)[:, [in_tree[name] for name in names]]
        per_feature = w_spline * self.spline_.terms(columns) + w_tree * shap
        calibration = self.beta_map
        if not calibration.is_identity:
            base = self.stack_base_
            per_feature *= calibration.secant(base + per_feature.sum(axis=1), base)[:, None]
        # Summed in NumPy, column by column: one pandas column update per feature cost
        # more than the boosters on the single rows served over HTTP.
        position = {name: j for j, name in enumerate(self.feature_names_in_)}
        out = np.zeros((len(X), len(position)))
        pairs = {pair.name: pair for pair in self.pairs_}
        for j, name in enumerate(names):
            values = per_feature[:, j]
            if name in pairs:
                out[:, position[pairs[name].left]] += values / 2
                out[:, position[pairs[name].right]] += values / 2
            else:
                out[:, position[name]] += values
        return pd.DataFrame(out, index=X.index, columns=self.feature_names_in_)

    def _columns(self, X: pd.DataFrame) -> Columns:
        numeric, categorical = _split(self.encoder_, X)
        return {**_with_pairs(numeric, self.pairs_), **categorical}


def _split(encoder: FrameEncoder, X: pd.DataFrame) -> tuple[Columns, Columns]:
    """Normalised columns, numeric kinds (as float, ±inf as missing) and categorical apart."""
    numeric: Columns = {}
    categorical: Columns = {}
    for spec, values in zip(encoder.specs_, _normalized(encoder, X), strict=True):
        if spec.kind == "categorical":
            categorical[spec.name] = values
        else:
            numeric[spec.name] = np.where(np.isfinite(values), values, np.nan)
    return numeric, categorical


def _normalized(encoder: FrameEncoder, X: pd.DataFrame) -> list[np.ndarray]:
    """``encoder.normalize(X)``, with a fast path for the single rows served over HTTP."""
    if len(X) != 1:
        return encoder.normalize(X)
    row = X.iloc[0]
    out = []
    for spec in encoder.specs_:
        value = normalize_scalar(spec.kind, row[spec.name] if spec.name in row.index else None)
        dtype = object if spec.kind == "categorical" else np.float64
        out.append(np.array([value], dtype=dtype))
    return out


def _with_pairs(numeric: Columns, pairs: list[PairFeature]) -> Columns:
    return {**numeric, **{pair.name: pair.values(numeric) for pair in pairs}}


def _binary_target(y: np.ndarray | pd.Series, n_rows: int, folds: int) -> np.ndarray:
    values = np.asarray(y, dtype=np.float64).ravel()
    if len(values) != n_rows:
        raise InvalidInputError("y", f"has {len(values)} values for {n_rows} rows")
    if not np.isin(values, (0.0, 1.0)).all():
        raise InvalidInputError("y", "must hold only 0 and 1 (1 = positive class)")
    if values.min() == values.max():
        raise InvalidInputError("y", "must hold both classes, 0 and 1")
    rarer = int(min(values.sum(), len(values) - values.sum()))
    if rarer < folds:
        raise InvalidInputError(
            "y",
            f"holds {rarer} rows of its rarer class; the inner {folds}-fold cross-validation "
            f"needs at least {folds}",
        )
    return values


def _checked_monotone(
    monotone: Mapping[str, int] | None, kinds: Mapping[str, str]
) -> dict[str, int]:
    checked: dict[str, int] = {}
    for name, sign in (monotone or {}).items():
        if name not in kinds:
            raise InvalidInputError(
                "monotone", f"unknown column {name!r}; columns are {sorted(kinds)}"
            )
        if kinds[name] == "categorical":
            raise InvalidInputError(
                "monotone",
                f"column {name!r} is categorical; only numeric or boolean columns can be"
                " constrained",
            )
        if sign not in (-1, 1):
            raise InvalidInputError(
                "monotone", f"column {name!r} has sign {sign!r}; allowed are +1 and -1"
            )
        checked[name] = int(sign)
    return checked

"""The tree member: LightGBM boosters bagged over the inner folds.

Each inner fold trains a strongly regularised booster (small learning rate, few leaves,
large leaves, row and feature sampling, L2 on leaf values), all stopped at the one round
count where the mean held-out log-loss of the folds stops falling; the held-out raw scores
are the member's out-of-fold logits and the member's prediction is the mean raw score of
the fold boosters. Categorical columns are LightGBM native categoricals: their most
frequent levels get integer codes, while rare, unseen and missing values take the missing
branch, so prediction never raises. A column with many levels is split by groups of levels
sorted by their gradient statistics, which overfits when few rows of the rarer class fall
in each level; the smoothing of those statistics (``cat_smooth``) is chosen by the inner
cross-validation from a few candidates.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass
from typing import Any, cast

import lightgbm as lgb
import numpy as np
import pandas as pd

from models.classification.params import ClassifierParams
from models.parallel import run_in
from models.tabular import lookup

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class BoostedMember:
    """Fitted tree member.

    Attributes:
        numeric: Numeric feature names (input columns, then pair features).
        categorical: Categorical column names.
        codes: Per categorical column, level → integer code.
        boosters: One early-stopped booster per inner fold.
    """

    numeric: tuple[str, ...]
    categorical: tuple[str, ...]
    codes: tuple[dict[str | None, float], ...]
    boosters: tuple[lgb.Booster, ...]

    @property
    def features(self) -> tuple[str, ...]:
        """Feature names in matrix order."""
        return (*self.numeric, *self.categorical)

    def matrix(self, columns: Mapping[str, np.ndarray]) -> np.ndarray:
        """Booster input for feature columns."""
        n_rows = len(next(iter(columns.values()))) if columns else 0
        out = np.empty((n_rows, len(self.features)))
        for j, name in enumerate(self.numeric):
            out[:, j] = columns[name]
        for j, (name, table) in enumerate(zip(self.categorical, self.codes, strict=True)):
            out[:, len(self.numeric) + j] = lookup(columns[name], table, np.nan)
        return out

    def decision(self, columns: Mapping[str, np.ndarray]) -> np.ndarray:
        """Mean raw score (logit) of the fold boosters."""
        matrix = self.matrix(columns)
        scores = [b.predict(matrix, raw_score=True, num_threads=1) for b in self.boosters]
        return np.asarray(np.mean(scores, axis=0), dtype=np.float64)

    def contributions(self, columns: Mapping[str, np.ndarray]) -> np.ndarray:
        """Mean SHAP values (rows × features, then the expected value as last column)."""
        matrix = self.matrix(columns)
        parts = [b.predict(matrix, pred_contrib=True, num_threads=1) for b in self.boosters]
        return np.asarray(np.mean(parts, axis=0), dtype=np.float64)


@dataclass(frozen=True)
class BoostedFit:
    """The bagged member and its out-of-fold logits."""

    member: BoostedMember
    oof: np.ndarray


#: Categorical columns with more levels than this are split by level groups, not one level.
MAX_CAT_TO_ONEHOT = 8


def booster_params(
    params: ClassifierParams,
    seed: int,
    constraints: list[int],
    cat_smooth: float,
    extra_trees: bool,
) -> dict[str, Any]:
    """LightGBM training parameters."""
    out: dict[str, Any] = {
        "objective": "binary",
        "learning_rate": params.learning_rate,
        "num_leaves": params.num_leaves,
        "min_data_in_leaf": params.min_data_in_leaf,
        "min_data_per_group": params.min_data_in_leaf,
        "feature_fraction": params.feature_fraction,
        "bagging_fraction": params.bagging_fraction,
        "bagging_freq": 1 if params.bagging_fraction < 1.0 else 0,
        "lambda_l2": params.lambda_l2,
        "cat_smooth": cat_smooth,
        "cat_l2": 10.0,
        "max_cat_to_onehot": MAX_CAT_TO_ONEHOT,
        "extra_trees": extra_trees,
        "num_threads": params.n_jobs,
        "seed": seed,
        "deterministic": True,
        "force_row_wise": True,
        "verbose": -1,
    }
    if any(constraints):
        out["monotone_constraints"] = constraints
        out["monotone_constraints_method"] = "advanced"
    return out


def _level_codes(values: np.ndarray, min_count: int, max_levels: int) -> dict[str | None, float]:
    counts = pd.Series(values, dtype=object).value_counts(dropna=True)
    kept = sorted(str(k) for k, c in counts.items() if c >= min_count)
    kept = sorted(kept, key=lambda k: -int(counts[k]))[:max_levels]
    return {level: float(code) for code, level in enumerate(sorted(kept))}


def fit_boosted_member(
    numeric: Mapping[str, np.ndarray],
    categorical: Mapping[str, np.ndarray],
    y: np.ndarray,
    folds: Sequence[tuple[np.ndarray, np.ndarray]],
    *,
    monotone: Mapping[str, int],
    params: ClassifierParams,
    seed: int,
    pool: Executor | None = None,
) -> BoostedFit:
    """Cross-validate the boosters, choose their settings, keep the fold boosters.

    Every candidate setting is boosted on all inner folds at once, stopped at the round
    where the mean held-out log-loss stops falling; the candidate with the lowest mean
    held-out log-loss wins. The candidates are the categorical smoothings of
    ``params.cat_smooth`` — only the first unless a categorical column is split by level
    groups (more levels than ``max_cat_to_onehot``), the only case where smoothing matters —
    each with exact split thresholds and, on at most ``params.extra_trees_max_rows`` rows,
    also with randomised ones (``extra_trees``).

    Args:
        numeric: Numeric feature columns.
        categorical: Categorical columns.
        y: Outcomes (0/1).
        folds: Inner (train, held-out) index pairs.
        monotone: Feature → +1/-1 monotone constraint.
        params: Hyperparameters.
        seed: Random seed of the boosters.
        pool: Where the candidates are cross-validated (``None``: here, in turn); each
            is deterministic, so the choice and the boosters do not depend on it.

    Returns:
        The member (one booster per inner fold, all at the common round count) and its
        out-of-fold raw scores.
    """
    codes = tuple(
        _level_codes(v, params.min_category_count, params.max_levels) for v in categorical.values()
    )
    shell = BoostedMember(tuple(numeric), tuple(categorical), codes, ())
    matrix = shell.matrix({**numeric, **categorical})
    cat_idx = list(range(len(numeric), matrix.shape[1]))
    constraints = [int(monotone.get(name, 0)) for name in shell.features]
    grouped = any(len(table) > MAX_CAT_TO_ONEHOT for table in codes)
    smoothings = params.cat_smooth if grouped else params.cat_smooth[:1]
    randomised = (False, True) if len(y) <= params.extra_trees_max_rows else (False,)
    candidates = [(smooth, extra) for extra in randomised for smooth in smoothings]

    def run(candidate: tuple[float, bool]) -> tuple[float, list[lgb.Booster]]:
        # A Dataset of its own: LightGBM's cross-validation updates its training set's
        # parameters, so candidates running at once must not share one. Binning is
        # deterministic, so each is the same as a shared one would be.
        data = lgb.Dataset(matrix, y, categorical_feature=cat_idx, free_raw_data=False)
        training = booster_params(params, seed, constraints, *candidate)
        return _cross_validated(data, folds, training, params)

    runs = [job.result() for job in [run_in(pool, run, c) for c in candidates]]
    losses = [loss for loss, _ in runs]
    best = int(np.argmin(losses))
    boosters = runs[best][1]
    oof = np.zeros(len(y))
    for booster, (_, held) in zip(boosters, folds, strict=True):
        oof[held] = booster.predict(matrix[held], raw_score=True, num_threads=params.n_jobs)
    logger.info(
        "tree member: %d rounds, cat_smooth %s, extra_trees %s (held-out log-loss %s)",
        max(b.current_iteration() for b in boosters),
        *candidates[best],
        [round(loss, 5) for loss in losses],
    )
    return BoostedFit(
        member=BoostedMember(shell.numeric, shell.categorical, codes, tuple(boosters)), oof=oof
    )


def _cross_validated(
    data: lgb.Dataset,
    folds: Sequence[tuple[np.ndarray, np.ndarray]],
    training: dict[str, Any],
    params: ClassifierParams,
) -> tuple[float, list[lgb.Booster]]:
    """Mean held-out log-loss at the common best round, and the fold boosters cut there.

    One round count for every fold, rather than early stopping each fold on its own
    held-out rows, keeps the out-of-fold scores honest: a fold's rows no longer pick, on
    their own, the round at which they are scored, so the stack does not overrate the trees.
    """
    result = lgb.cv(
        {**training, "metric": "binary_logloss"},
        data,
        num_boost_round=params.n_estimators,
        folds=list(folds),
        stratified=False,
        callbacks=[lgb.early_stopping(params.early_stopping_rounds, verbose=False)],
        return_cvbooster=True,
    )
    cv = cast(lgb.CVBooster, result["cvbooster"])
    curve = cast(list[float], result["valid binary_logloss-mean"])
    rounds = int(cv.best_iteration) or len(curve)
    boosters = [lgb.Booster(model_str=b.model_to_string(num_iteration=rounds)) for b in cv.boosters]
    return float(curve[rounds - 1]), boosters

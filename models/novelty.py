"""Intervals for a level the model never saw: a new 小区, or a misspelt one.

The conformal scores of :mod:`models.conformal` come from an inner cross-validation over
rows: a held-out sale's 小区 almost always has other sales in the training folds, so its
residual is that of a *known* 小区. A property in a 小区 without a single training sale is
valued from its location, district and other facts alone, and errs more: on the synthetic
market (2026-12-06, 30,000 sales, a tenth of the 小区 held out of training, time-split
holdout; ``notebooks/unseen_levels_holdout.py``) the 80% interval covered 77.3% of known-小区
sales but 50.8% of unseen-小区 ones, at a median APE of 6.3% against 11.1%.

So when the estimator is given a ``novelty_column`` it runs a second inner cross-validation
whose folds are whole levels of that column (every sale of a 小区 in one fold), with the
final model's blend, tree target and number of rounds. Its out-of-fold residuals are those
of unseen levels, and they calibrate the interval of every row whose level the training
rows never held. The estimate itself is unchanged.
"""

from __future__ import annotations

import difflib
import heapq
from collections.abc import Collection, Sequence
from dataclasses import dataclass

import numpy as np

from models.conformal import LogResidualConformal
from models.inner_cv import Columns, TreeTarget, fit_linear, predict_linear, take
from models.parallel import current_executor, run_in
from models.params import EstimatorParams
from models.tabular import ColumnSpec, canonical_category
from models.tree_member import fit_tree_member, predict_tree

#: Fewest distinct levels for a grouped cross-validation: each fold must hold out some.
MIN_LEVELS = 10

#: How alike a known level must be to be offered in place of an unseen one (difflib ratio).
SIMILAR_CUTOFF = 0.5
#: What fitting the other inputs adds to a level's likeness (a ratio step of one character in
#: a 5-character name is 0.1 to 0.2).
PREFER_BONUS = 0.1


@dataclass(frozen=True)
class Blend:
    """The fitted estimator's recipe, which the grouped folds repeat."""

    tree_target: TreeTarget
    rounds: int
    linear_weight: float
    tree_weight: float


@dataclass(frozen=True)
class Novelty:
    """The levels a column held in training, and the interval offsets for any other level.

    Attributes:
        column: The input column (e.g. ``community``).
        levels: Its canonical training levels (``None`` among them if some were missing).
        conformal: Offsets calibrated on grouped out-of-fold residuals.
    """

    column: str
    levels: frozenset[str | None]
    conformal: LogResidualConformal

    def is_novel(self, value: object) -> bool:
        """Whether one raw value is a level the training rows never held."""
        return canonical_category(value) not in self.levels

    def mask(self, values: np.ndarray) -> np.ndarray:
        """Per canonical value (see :func:`models.tabular.series_categories`): novel or not."""
        known = self.levels
        return np.fromiter((v not in known for v in values), dtype=bool, count=len(values))

    def similar(self, value: object, n: int = 5, prefer: Collection[str] = ()) -> list[str]:
        """Up to ``n`` known levels most like ``value`` (best first): what a typist meant.

        Likeness is difflib's ratio (at least :data:`SIMILAR_CUTOFF`), raised by
        :data:`PREFER_BONUS` for the levels in ``prefer`` (the 小区 of the same 街道/镇, the
        series of the same brand), so a near tie goes to the one that fits the other inputs.
        """
        text = canonical_category(value)
        if text is None or n <= 0:
            return []
        matcher = difflib.SequenceMatcher(b=text)
        scored = []
        for level in self.levels:
            if level is None:
                continue
            matcher.set_seq1(level)
            if (
                matcher.real_quick_ratio() < SIMILAR_CUTOFF
                or matcher.quick_ratio() < SIMILAR_CUTOFF
            ):
                continue
            ratio = matcher.ratio()
            if ratio >= SIMILAR_CUTOFF:
                scored.append((ratio + (PREFER_BONUS if level in prefer else 0.0), level))
        return [level for _, level in heapq.nlargest(n, scored)]


def group_fold_ids(keys: np.ndarray, folds: int, seed: int) -> np.ndarray:
    """Fold of each row such that all rows of one key share a fold (keys shuffled by seed)."""
    uniques, codes = np.unique(np.asarray([str(k) for k in keys]), return_inverse=True)
    order = np.random.default_rng(seed).permutation(len(uniques))
    return (order % folds)[codes].astype(np.int64)


def fit_novelty(
    specs: list[ColumnSpec],
    values: Columns,
    z: np.ndarray,
    keep: np.ndarray,
    column: str,
    params: EstimatorParams,
    blend: Blend,
    seed: int,
    groups: np.ndarray | None,
) -> Novelty | None:
    """The unseen-level offsets of ``column``, or ``None`` when it has too few levels.

    Args:
        specs: Column specs of the fitted frame encoder.
        values: Normalised training columns.
        z: Training log prices.
        keep: Inlier mask (outliers are predicted, never fitted on, as in the main pass).
        column: A categorical input column.
        params: Hyperparameters.
        blend: The fitted estimator's recipe.
        seed: Seed of the fold assignment and the boosters.
        groups: Mondrian group per row (see ``interval_group``), or ``None``.

    Raises:
        ValueError: If ``column`` is not a categorical input column.
    """
    names = [spec.name for spec in specs]
    if column not in names or specs[names.index(column)].kind != "categorical":
        raise ValueError(f"novelty_column {column!r} is not a categorical input column")
    keys = values[names.index(column)]
    levels = frozenset(keys.tolist())
    if len(levels) < MIN_LEVELS:
        return None
    folds = group_fold_ids(keys, params.inner_folds, seed)
    pool = current_executor()
    parts = [
        run_in(pool, _grouped_fold, specs, values, z, folds == k, keep, params, blend, seed + k)
        for k in range(params.inner_folds)
    ]
    predicted = np.empty(len(z))
    for k, part in enumerate(parts):
        predicted[folds == k] = part.result()
    conformal = LogResidualConformal(params.coverage, params.min_group_size)
    return Novelty(column=column, levels=levels, conformal=conformal.fit(z - predicted, groups))


def _grouped_fold(
    specs: list[ColumnSpec],
    values: Sequence[np.ndarray],
    z: np.ndarray,
    held: np.ndarray,
    keep: np.ndarray,
    params: EstimatorParams,
    blend: Blend,
    seed: int,
) -> np.ndarray:
    """The blended log estimate of the held-out levels' rows, from the other levels'."""
    train = ~held & keep
    linear = fit_linear(specs, take(values, train), z[train], params)
    held_values = take(values, held)
    linear_held = predict_linear(linear, held_values)
    residual_mode = blend.tree_target == "linear_residual"
    base = predict_linear(linear, take(values, train)) if residual_mode else None
    tree = fit_tree_member(
        specs, take(values, train), z[train], base, params, seed, rounds=blend.rounds
    )
    # As ValueRegressor.predict_log blends them (the linear weight is 1 when boosting from it).
    return blend.linear_weight * linear_held + blend.tree_weight * predict_tree(tree, held_values)

"""Stratified K-fold evaluation of :class:`ProbabilityClassifier` with pooled probabilities.

Each outer fold's classifier is fitted on the other folds only; everything it tunes
(penalty, boosting rounds, pair features, stack and calibration) is chosen by its own inner
cross-validation, so the held-out rows never influence their predictions.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from concurrent.futures import Executor
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.model_selection import StratifiedKFold

from models.classification import (
    ClassifierMetrics,
    ClassifierParams,
    ProbabilityClassifier,
    classifier_metrics,
)
from models.errors import DataError
from models.parallel import fitting_pool
from training.cv_columns import feature_frame
from training.folds import FoldRunner

logger = logging.getLogger(__name__)

#: Labels read as the positive class when ``positive`` is not given (case-insensitive), the
#: first one present winning: English and Chinese yes-words (是, 有), and paid (已履行).
POSITIVE_LABELS: tuple[str, ...] = (
    "good", "yes", "true", "1", "paid", "是", "有", "已履行",
)  # fmt: skip


def _label(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip().lower()


def binary_target(
    frame: pd.DataFrame, target: str, positive: str | None = None
) -> tuple[pd.DataFrame, np.ndarray]:
    """Rows with a known target and the target as 0/1.

    Args:
        frame: Data including the target column.
        target: Target column name.
        positive: Label of the positive class; by default the first of
            :data:`POSITIVE_LABELS` present, else 1 for a numeric 0/1 target.

    Returns:
        The frame without rows whose target is missing, and the 0/1 outcomes.

    Raises:
        DataError: Missing target column, a target without exactly two values, or no
            recognisable positive label.
    """
    if target not in frame.columns:
        raise DataError(f"target column {target!r} not found; columns are {list(frame.columns)}")
    known = frame[target].notna()
    if not known.all():
        logger.warning("dropping %d rows with a missing %r", int((~known).sum()), target)
        frame = frame.loc[known]
    labels = frame[target].map(_label)  # "Yes" and "yes", 1 and 1.0 are one value
    distinct = list(pd.unique(labels))
    if len(distinct) != 2:
        shown = ", ".join(repr(v) for v in distinct[:5]) + (", …" if len(distinct) > 5 else "")
        raise DataError(
            f"target column {target!r} must have exactly two values, found {len(distinct)}: {shown}"
        )
    chosen = _positive_label(target, distinct, positive)
    return frame, (labels == chosen).to_numpy(dtype=np.int64)


def _enough_per_class(target: str, y: np.ndarray, folds: int) -> None:
    """Stratified K-fold needs each class in every fold: at least ``folds`` rows of each."""
    rarer = min(int(y.sum()), int(len(y) - y.sum()))
    if rarer < folds:
        raise DataError(
            f"the rarer class of {target!r} has {rarer} rows; {folds}-fold cross-validation "
            f"needs at least {folds} of each class (give fewer --folds, or more rows)"
        )


def _positive_label(target: str, labels: list[str], positive: str | None) -> str:
    if positive is not None:
        if _label(positive) not in labels:
            raise DataError(f"positive label {positive!r} is not a value of {target!r}: {labels!r}")
        return _label(positive)
    for candidate in POSITIVE_LABELS:
        if candidate in labels:
            return candidate
    raise DataError(
        f"cannot tell the positive class of {target!r} from its values {labels!r}; "
        f"write the positive class (paid in full, a good loan) as one of "
        f"{', '.join(POSITIVE_LABELS)}"
    )


def out_of_fold_probabilities(
    frame: pd.DataFrame,
    y: np.ndarray,
    folds: int = 5,
    seed: int = 0,
    params: ClassifierParams | None = None,
    runner: FoldRunner | None = None,
) -> np.ndarray:
    """Pooled out-of-fold P(y = 1) of a stratified K-fold split of ``frame`` (features only).

    Fitted here, each fold's classifier fits its independent steps (the spline member, each
    booster setting) on up to ``runner.workers`` threads; on a Dask cluster each fold is a
    task (:mod:`training.folds`). The probabilities depend on neither.
    """
    runner = runner or FoldRunner()
    splitter = StratifiedKFold(folds, shuffle=True, random_state=seed)
    splits = list(splitter.split(np.zeros(len(y)), y))
    shared = (frame, y, params, seed)
    if runner.here:
        with fitting_pool(runner.workers, "classifier-cv") as pool:
            answers = runner.map(_fold_probabilities, shared, splits, "classifier-cv", pool=pool)
    else:
        answers = runner.map(_fold_probabilities, shared, splits, "classifier-cv")
    oof = np.empty(len(y))
    for (_, held), answer in zip(splits, answers, strict=True):
        oof[held] = answer
    return oof


def _fold_probabilities(
    frame: pd.DataFrame,
    y: np.ndarray,
    params: ClassifierParams | None,
    seed: int,
    train: np.ndarray,
    held: np.ndarray,
    pool: Executor | None = None,
) -> np.ndarray:
    """One fold: fit on ``train``, P(y = 1) of ``held``."""
    model = ProbabilityClassifier(params, seed=seed)
    model.fit(frame.iloc[train], y[train], pool=pool)
    return model.predict_proba(frame.iloc[held])


@dataclass(frozen=True)
class ScoredOutcomes:
    """Out-of-sample P(y = 1) (pooled out-of-fold, or a holdout's), with the 0/1 outcomes."""

    y: np.ndarray
    probabilities: np.ndarray

    @property
    def n_rows(self) -> int:
        """Rows scored."""
        return len(self.y)

    def metrics(self, rows: np.ndarray | None = None) -> ClassifierMetrics:
        """The metrics of all rows, or of the rows ``rows`` (indices, repeats allowed;
        ``ValueError`` when they hold only one class)."""
        pick = slice(None) if rows is None else rows
        return classifier_metrics(self.y[pick], self.probabilities[pick])


def out_of_fold_scores(
    frame: pd.DataFrame,
    target: str,
    positive: str | None = None,
    exclude: Sequence[str] = (),
    folds: int = 5,
    seed: int = 0,
    params: ClassifierParams | None = None,
    runner: FoldRunner | None = None,
) -> ScoredOutcomes:
    """Pooled out-of-fold probabilities under stratified K-fold.

    Args:
        frame: Data with features and the target.
        target: Target column (two values; see :func:`binary_target`).
        positive: Positive-class label (default: see :data:`POSITIVE_LABELS`).
        exclude: Columns left out of the features (identifiers, row names).
        folds: Outer folds.
        seed: Seed of the outer split and of each fold's classifier.
        params: Classifier hyperparameters.
        runner: Where the folds are fitted, and with how many threads each (the same
            figures either way; default: here, one thread).
    """
    kept, y = binary_target(frame, target, positive)
    _enough_per_class(target, y, folds)
    features = feature_frame(kept, target, exclude).reset_index(drop=True)
    oof = out_of_fold_probabilities(
        features, y, folds=folds, seed=seed, params=params, runner=runner
    )
    return ScoredOutcomes(y=y, probabilities=oof)

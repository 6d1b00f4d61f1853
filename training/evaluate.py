"""Out-of-fold cross-validation of :class:`models.estimator.ValueRegressor`."""

from __future__ import annotations

import logging
from collections.abc import Sequence

import numpy as np
import pandas as pd
from sklearn.model_selection import KFold

from models.errors import DataError
from models.estimator import EstimatorParams, ValueRegressor
from models.tabular import series_to_number
from training.cv_columns import feature_frame
from training.folds import FoldRunner
from training.scored import ScoredSales

logger = logging.getLogger(__name__)


#: A price this many times above or below the table's median is a data error (a unit typed
#: wrong), not a sale: one such row would bend every model that trains on it.
IMPLAUSIBLE_RATIO = 1_000.0


def priced_sales(frame: pd.DataFrame, target: str) -> tuple[pd.DataFrame, np.ndarray]:
    """The rows of ``frame`` with a usable price and those prices: a missing, non-numeric or
    non-positive price, or one over :data:`IMPLAUSIBLE_RATIO` times off the median, is
    dropped with a warning.

    Raises:
        DataError: If ``target`` is not a column.
    """
    if target not in frame.columns:
        raise DataError(f"target {target!r} is not a column; got {list(frame.columns)}")
    prices = series_to_number(frame[target])  # "1,250,000" too
    usable = np.isfinite(prices) & (prices > 0)
    dropped = int((~usable).sum())
    if dropped:
        logger.warning(
            "dropped %d rows whose %s is missing, not a number or not positive", dropped, target
        )
    if usable.any():
        distance = np.abs(np.log(np.where(usable, prices, 1.0)) - np.median(np.log(prices[usable])))
        implausible = usable & (distance > np.log(IMPLAUSIBLE_RATIO))
        if implausible.any():
            rows = np.flatnonzero(implausible)
            logger.warning(
                "dropped %d rows whose %s is over %g times above or below the median "
                "(data rows %s)",
                len(rows),
                target,
                IMPLAUSIBLE_RATIO,
                ", ".join(str(r + 1) for r in rows[:5]) + (" …" if len(rows) > 5 else ""),
            )
            usable &= ~implausible
    return frame.loc[usable], prices[usable]


def out_of_fold_valuations(
    frame: pd.DataFrame,
    target: str,
    exclude: Sequence[str] = (),
    folds: int = 5,
    seed: int = 0,
    params: EstimatorParams | None = None,
    runner: FoldRunner | None = None,
) -> ScoredSales:
    """K-fold out-of-fold estimates and intervals of every usable sale in ``frame``.

    Each fold's estimates and intervals come from a model fitted on the other folds only;
    all tuning, outlier handling and calibration happen inside that fit.

    Args:
        frame: Sales table including the target column.
        target: Price column; rows with a missing or non-positive price are dropped.
        exclude: Columns never used as features (identifiers).
        folds: Number of folds.
        seed: Seed of the fold split and of the estimator.
        params: Estimator hyperparameters (defaults when None).
        runner: Where the folds are fitted (default: here, one after another).

    Raises:
        DataError: If ``target`` is not a column or fewer than ``folds`` rows remain.
    """
    data, prices = priced_sales(frame, target)
    if len(prices) < folds:
        raise DataError(f"{len(prices)} rows with a positive {target} for {folds} folds")
    features = feature_frame(data, target, exclude)
    splits = list(KFold(n_splits=folds, shuffle=True, random_state=seed).split(features))
    answers = (runner or FoldRunner()).map(
        _fold_valuations, (features, prices, params, seed), splits, label="valuation-cv"
    )
    point = np.empty(len(prices))
    lower, upper = np.empty(len(prices)), np.empty(len(prices))
    for (_, held), answer in zip(splits, answers, strict=True):
        point[held], lower[held], upper[held] = answer
    return ScoredSales(prices=prices, point=point, lower=lower, upper=upper)


def _fold_valuations(
    features: pd.DataFrame,
    prices: np.ndarray,
    params: EstimatorParams | None,
    seed: int,
    train: np.ndarray,
    held: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One fold: fit on ``train``, the estimates and interval bounds of ``held``."""
    model = ValueRegressor(params=params, random_state=seed)
    model.fit(features.iloc[train], prices[train])
    return model.predict_interval(features.iloc[held])

"""Robust references for outlier rules: group medians and MADs, and median polish."""

from collections.abc import Sequence

import numpy as np
import pandas as pd

Levels = Sequence[Sequence[str]]
_MAD_TO_SD = 1.4826  # MAD x this = SD for a normal distribution


def group_center_scale(
    values: pd.Series, frame: pd.DataFrame, levels: Levels, min_group_size: int
) -> tuple[pd.Series, pd.Series]:
    """Median and robust SD (1.4826 x MAD) of each row's group, from the finest level that fits.

    Args:
        values: Numbers aligned with ``frame``.
        frame: Holds the grouping columns.
        levels: Groupings from finest to coarsest, e.g. ``[["model", "year"], ["model"], []]``;
            an empty grouping is the whole frame.
        min_group_size: A row takes the first level where its group has this many values;
            the last level is used regardless.

    Returns:
        The centre and the scale of each row's group (NaN where the group has no values).
    """
    if not levels:
        raise ValueError("levels needs at least one grouping, e.g. [[]] for the whole frame")
    center = pd.Series(np.nan, index=frame.index)
    scale = pd.Series(np.nan, index=frame.index)
    for i, columns in enumerate(levels):
        keys = [frame[c] for c in columns] or [pd.Series(0, index=frame.index)]
        med = values.groupby(keys, dropna=False).transform("median")
        count = values.groupby(keys, dropna=False).transform("count")
        mad = (values - med).abs().groupby(keys, dropna=False).transform("median")
        is_last = i == len(levels) - 1
        take = center.isna() & med.notna() & (count.ge(min_group_size) | is_last)
        center[take] = med[take]
        scale[take] = _MAD_TO_SD * mad[take]
    return center, scale


def robust_outliers(
    values: pd.Series,
    frame: pd.DataFrame,
    levels: Levels,
    k: float,
    min_group_size: int = 20,
    min_scale: float = 0.0,
) -> pd.Series:
    """Rows more than ``k`` robust SDs from the median of their own group.

    The scale is each group's own, so a group that is wide by nature (e.g. factories) keeps
    its tails while a narrow one is checked tightly. Missing values are never flagged.

    Args:
        values: Numbers aligned with ``frame`` (typically a log unit price).
        frame: Holds the grouping columns.
        levels: Groupings from finest to coarsest (see ``group_center_scale``).
        k: Threshold in robust SDs.
        min_group_size: Smallest group used at a level before falling back to the next.
        min_scale: Lower bound on a group's scale (guards against MAD = 0).

    Returns:
        True for the outliers.
    """
    center, scale = group_center_scale(values, frame, levels, min_group_size)
    deviation = (values - center).abs()
    return deviation.gt(k * scale.clip(lower=min_scale)).fillna(False).astype(bool)


def median_polish(
    values: pd.Series, frame: pd.DataFrame, factors: Sequence[str], iterations: int = 3
) -> pd.Series:
    """Residuals of an additive fit ``value ~ sum of per-level effects``, by median polish.

    Each pass subtracts, factor by factor, the median of the residuals within each level. A
    row's own error barely moves its levels' medians, so a sparse cell (a rare type in one
    community) still gets a sharp reference from its row and column.

    Args:
        values: Numbers aligned with ``frame`` (typically a log unit price).
        frame: Holds the factor columns.
        factors: Columns whose levels have additive effects, e.g. ``["community", "type"]``.
        iterations: Passes over all factors.

    Returns:
        The residuals (NaN where the value is missing).
    """
    residual = values.astype("float64")
    for _ in range(iterations):
        for factor in factors:
            effect = residual.groupby(frame[factor], dropna=False).transform("median")
            residual = residual - effect.fillna(0.0)
    return residual

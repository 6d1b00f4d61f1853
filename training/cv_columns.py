"""The columns a cross-validation of a user's table learns from (shared by every kind)."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from models.errors import DataError


def feature_frame(frame: pd.DataFrame, target: str, exclude: Sequence[str]) -> pd.DataFrame:
    """All columns but ``target`` and ``exclude``.

    Raises:
        DataError: If an excluded column is not in the table, or no column is left to learn
            from (a table of the target alone).
    """
    missing = [c for c in exclude if c not in frame.columns]
    if missing:
        raise DataError(
            f"cannot exclude unknown columns {missing}; columns are {list(frame.columns)}"
        )
    features = frame.drop(columns=[target, *exclude])
    if features.shape[1] == 0:
        left_out = f" and the excluded {list(exclude)}" if exclude else ""
        raise DataError(f"no column to learn from: the table holds only {target!r}{left_out}")
    return features

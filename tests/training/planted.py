"""Planted vs caught: each generated row's planted defect beside whether cleaning removed it."""

from __future__ import annotations

import pandas as pd


def planted_outcome(
    frame: pd.DataFrame, planted: pd.DataFrame, kept: pd.DataFrame, key: str = "transaction_id"
) -> pd.DataFrame:
    """Columns ``defect`` (``"clean"`` if none was planted) and ``removed``, one row per row;
    rows are matched on the id column ``key``."""
    defect = frame[key].map(planted.set_index(key)["defect"])
    return pd.DataFrame({"defect": defect.fillna("clean"), "removed": ~frame[key].isin(kept[key])})

"""Planted vs caught: each generated row's planted defect beside whether cleaning removed it."""

from __future__ import annotations

import pandas as pd


def planted_outcome(frame: pd.DataFrame, planted: pd.DataFrame, kept: pd.DataFrame) -> pd.DataFrame:
    """Columns ``defect`` (``"clean"`` if none was planted) and ``removed``, one row per row."""
    defect = frame["transaction_id"].map(planted.set_index("transaction_id")["defect"])
    return pd.DataFrame(
        {
            "defect": defect.fillna("clean"),
            "removed": ~frame["transaction_id"].isin(kept["transaction_id"]),
        }
    )

"""The last step every generator shares: order by date, number the rows, list the defects."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd


def finish(
    frame: pd.DataFrame,
    defects: np.ndarray,
    *,
    id_prefix: str,
    dtypes: Mapping[str, str],
    date_column: str = "transaction_date",
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Sort by date, number the rows ``<prefix>00000001``…, and build the answer key.

    Args:
        frame: The generated rows, defects planted.
        defects: The defect kind of each row of ``frame`` ("" for a clean row).
        id_prefix: Letter of the transaction ids (``P`` property, ``V`` vehicle).
        dtypes: Column dtypes of the result, ``transaction_id`` included.
        date_column: The column to sort by (stable, so generation order breaks ties).

    Returns:
        The frame and the planted defects (``transaction_id``, ``defect``).
    """
    order = np.argsort(frame[date_column].to_numpy(), kind="stable")
    frame = frame.iloc[order].reset_index(drop=True)
    ids = pd.Series(np.arange(1, len(frame) + 1)).astype("str").str.zfill(8)
    frame.insert(0, "transaction_id", (id_prefix + ids).astype("str"))
    frame = frame.astype(dict(dtypes))
    defect_of_row = defects[order]
    planted = pd.DataFrame(
        {
            "transaction_id": frame["transaction_id"][defect_of_row != ""].to_numpy(),
            "defect": defect_of_row[defect_of_row != ""],
        }
    ).astype("str")
    return frame, planted

"""Time-based evaluation split: train on the past, evaluate on the most recent months."""

from __future__ import annotations

import pandas as pd

from models.errors import DataError


def split_by_time(
    frame: pd.DataFrame, date_column: str, eval_months: int
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Rows before the last ``eval_months`` calendar months, and the rows in them."""
    dates = pd.to_datetime(frame[date_column])
    last = dates.max().to_period("M")
    cutoff = (last - (eval_months - 1)).to_timestamp()
    past, recent = frame[dates < cutoff], frame[dates >= cutoff]
    if past.empty or recent.empty:
        raise DataError(
            f"cannot hold out the last {eval_months} months of {date_column}: "
            f"{len(past)} rows before {cutoff.date()}, {len(recent)} from it"
        )
    return past, recent

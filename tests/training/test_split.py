"""The time split holds out the most recent calendar months."""

from __future__ import annotations

import pandas as pd
import pytest

from models.errors import DataError
from training.split import split_by_time


def test_holds_out_the_last_months() -> None:
    frame = pd.DataFrame({"d": pd.date_range("2024-01-01", "2024-12-31", freq="D")})
    past, recent = split_by_time(frame, "d", 3)
    assert past["d"].max() == pd.Timestamp("2024-09-30")
    assert recent["d"].min() == pd.Timestamp("2024-10-01")
    assert len(past) + len(recent) == len(frame)


def test_too_short_a_history_is_an_error() -> None:
    frame = pd.DataFrame({"d": pd.date_range("2024-12-01", "2024-12-31", freq="D")})
    with pytest.raises(DataError, match="last 3 months"):
        split_by_time(frame, "d", 3)

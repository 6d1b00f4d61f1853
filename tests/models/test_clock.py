"""The model clock."""

from __future__ import annotations

import datetime as dt

import pytest

from models.clock import month_end, month_label, months_since_epoch, shift_months


@pytest.mark.parametrize(
    ("date", "label"),
    [
        (dt.date(2000, 1, 1), "2000-01"),
        (dt.date(2020, 12, 31), "2020-12"),
        (dt.date(2026, 10, 20), "2026-10"),
    ],
)
def test_month_label_round_trips(date: dt.date, label: str) -> None:
    assert month_label(months_since_epoch(date)) == label


def test_month_arithmetic() -> None:
    assert shift_months(dt.date(2026, 1, 15), -1) == (2025, 12)
    assert shift_months(dt.date(2026, 11, 30), 2) == (2027, 1)
    assert month_end(2028, 2) == dt.date(2028, 2, 29)

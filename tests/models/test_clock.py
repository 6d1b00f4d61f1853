"""The model clock and how input values are shown to judges."""

from __future__ import annotations

import datetime as dt

import pytest

from models.clock import month_end, month_label, months_since_epoch, shift_months
from models.valuer import format_value


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


def test_values_are_shown_readably() -> None:
    assert format_value("t_months", months_since_epoch(dt.date(2026, 10, 20))) == "2026-10"
    assert format_value("new_price", 129_900.0) == "129,900"
    assert format_value("age_years", 5.3391) == "5.339"
    assert format_value("latitude", float("nan")) == ""
    assert format_value("fuel", "汽油") == "汽油"

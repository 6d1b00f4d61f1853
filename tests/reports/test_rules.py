"""The legal rules of the report at their boundaries: auction shares, rounding, validity."""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal

import pytest

from serving.reports import auction_prices, validity_end


@pytest.mark.parametrize(
    ("reference", "first", "second"),
    [
        (100_000.0, 70_000, 56_000),  # exact: 70% and 56% on whole hundreds
        (100_001.0, 70_100, 56_100),  # 70,000.70 rounds up, never down to 70,000
        (100_000.4, 70_100, 56_100),  # a few jiao above still rounds up
        (273_456.0, 191_500, 153_200),  # 191,419.2 → 191,500; 80% = 153,200
        (1_000.0, 700, 600),  # 80% of 700 = 560 → 600
        (50.0, 100, 100),  # tiny amounts still get a positive whole-hundred price
    ],
)
def test_auction_prices_round_up_to_hundreds(reference: float, first: int, second: int) -> None:
    prices = auction_prices(reference)
    assert (prices.first_start, prices.second_start) == (first, second)


@pytest.mark.parametrize("reference", [1.0, 99_999.99, 273_456.0, 634_000_000.0, 1234.5678])
def test_auction_prices_never_below_legal_shares(reference: float) -> None:
    prices = auction_prices(reference)
    exact = Decimal(repr(reference))  # exact shares: float products round either way
    assert prices.first_start >= Decimal("0.70") * exact
    assert prices.second_start >= Decimal("0.80") * prices.first_start
    assert prices.second_start >= Decimal("0.56") * exact
    assert prices.first_start % 100 == 0 and prices.second_start % 100 == 0
    assert prices.first_start - Decimal("0.70") * exact < 100  # the lowest such hundred


@pytest.mark.parametrize("reference", [0.0, -5.0, math.inf, math.nan])
def test_auction_prices_refuse_bad_reference(reference: float) -> None:
    with pytest.raises(ValueError, match="positive amount"):
        auction_prices(reference)


@pytest.mark.parametrize(
    ("inquiry", "last_day"),
    [
        (dt.date(2024, 7, 1), dt.date(2025, 7, 1)),
        (dt.date(2024, 2, 29), dt.date(2025, 2, 28)),  # no 29 Feb: last day of the month
        (dt.date(2023, 2, 28), dt.date(2024, 2, 28)),  # into a leap year: not the 29th
        (dt.date(2023, 3, 1), dt.date(2024, 3, 1)),
        (dt.date(2024, 12, 31), dt.date(2025, 12, 31)),
    ],
)
def test_validity_is_one_year(inquiry: dt.date, last_day: dt.date) -> None:
    assert validity_end(inquiry) == last_day


def test_validity_over_four_years_keeps_leap_day() -> None:
    assert validity_end(dt.date(2024, 2, 29), years=4) == dt.date(2028, 2, 29)

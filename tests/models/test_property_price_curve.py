"""A property's price curve: its value at past month-ends and its 小区's sales per month."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from models.curve_chart import curve_chart, render_svg
from models.property.price_curve import price_curve
from models.property.schemas import PropertyRequest
from models.registry import LoadedModel


@pytest.fixture(scope="module")
def sold_flat(flat: PropertyRequest, clean_property_data: pd.DataFrame) -> PropertyRequest:
    """The busiest 小区's flat, valued on the day of its 小区's last sale."""
    sales = clean_property_data[clean_property_data["community"] == flat.community]
    last = pd.to_datetime(sales["transaction_date"]).max().date()
    return flat.model_copy(update={"valuation_date": last})


def test_the_history_is_the_model_s_value_at_each_past_month_end(
    champion: LoadedModel, sold_flat: PropertyRequest
) -> None:
    curve = price_curve(champion.model, sold_flat, champion.info, history_months=24)
    dates = [p.date for p in curve.history]
    assert len(dates) == 24 and dates == sorted(dates) and dates[-1] < sold_flat.valuation_date
    assert all((d + dt.timedelta(days=1)).day == 1 for d in dates)  # month-ends
    assert curve.current.date == sold_flat.valuation_date
    one = champion.model.regressor.predict_interval(
        champion.model.features(champion.model.requests_frame([sold_flat]), "valuation_date")
    )
    assert curve.current.value == pytest.approx(float(one[0][0]), rel=1e-9)
    for point in [*curve.history, curve.current]:
        assert point.lower < point.value < point.upper
    year_ago = curve.history[-12].value
    assert curve.change_12_months_pct == pytest.approx(
        (curve.current.value / year_ago - 1) * 100, abs=0.01
    )
    assert curve.model == champion.info


def test_the_observed_months_are_the_community_s_unit_prices_times_the_area(
    champion: LoadedModel, sold_flat: PropertyRequest, clean_property_data: pd.DataFrame
) -> None:
    curve = price_curve(champion.model, sold_flat, champion.info, history_months=24)
    assert curve.observed, "the busiest 小区 sold in the last two years"
    start = curve.history[0].date.replace(day=1)
    sales = clean_property_data
    sold_on = pd.to_datetime(sales["transaction_date"]).dt.date
    mine = sales[
        (sales["community"] == sold_flat.community)
        & (sales["property_type"] == sold_flat.property_type.value)
        & (sold_on >= start)
        & (sold_on <= sold_flat.valuation_date)
    ]
    months = pd.to_datetime(mine["transaction_date"]).dt.strftime("%Y-%m").to_numpy()
    units = (mine["price"] / mine["area_m2"]).to_numpy()
    expected = {
        m: (float(np.median(units[months == m])) * sold_flat.area_m2, int((months == m).sum()))
        for m in sorted(set(months))
    }
    got = {o.month: (o.median_price, o.count) for o in curve.observed}
    assert got.keys() == expected.keys()
    for month, (median, count) in expected.items():
        assert got[month][0] == pytest.approx(median, rel=1e-9) and got[month][1] == count


def test_a_community_without_sales_has_no_observed_months_and_a_short_history_no_change(
    champion: LoadedModel, sold_flat: PropertyRequest
) -> None:
    unseen = sold_flat.model_copy(update={"community": "未见过的小区"})
    curve = price_curve(champion.model, unseen, champion.info, history_months=6)
    assert curve.observed == [] and len(curve.history) == 6
    assert curve.change_12_months_pct is None


def test_the_history_starts_no_earlier_than_the_building(
    champion: LoadedModel, sold_flat: PropertyRequest
) -> None:
    new = sold_flat.model_copy(update={"build_year": 2025, "valuation_date": dt.date(2025, 6, 15)})
    curve = price_curve(champion.model, new, champion.info, history_months=24)
    assert [p.date for p in curve.history] == [
        dt.date(2025, 1, 31),
        dt.date(2025, 2, 28),
        dt.date(2025, 3, 31),
        dt.date(2025, 4, 30),
        dt.date(2025, 5, 31),
    ]


def test_the_chart_draws_the_history_and_the_sales_without_a_projection(
    champion: LoadedModel, sold_flat: PropertyRequest
) -> None:
    curve = price_curve(champion.model, sold_flat, champion.info, history_months=24)
    svg = render_svg(
        curve_chart(
            "锦园 89.5㎡ 住宅 价格走势", [*curve.history, curve.current], curve.observed, "同小区"
        )
    )
    assert svg.startswith("<svg") and "锦园 89.5㎡ 住宅 价格走势" in svg
    assert svg.count("<circle") == len(curve.observed) + 1  # the sales and the valuation day
    assert "stroke-dasharray" not in svg and "预测" not in svg

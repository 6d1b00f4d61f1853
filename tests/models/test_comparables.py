"""Comparable sales: same type, before the valuation date, most similar first."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from models.adjustment import comparables_value
from models.property.comparables import ComparablesIndex, haversine_km
from models.property.schemas import PropertyRequest


@pytest.fixture(scope="module")
def index(clean_property_data: pd.DataFrame) -> ComparablesIndex:
    return ComparablesIndex().fit(clean_property_data)


def test_returns_k_sales_of_the_same_type_before_the_date(
    index: ComparablesIndex, flat: PropertyRequest, clean_property_data: pd.DataFrame
) -> None:
    found = index.query(flat, k=5, months=24)
    assert len(found) == 5
    window_start = flat.valuation_date - dt.timedelta(days=24 * 31)
    homes = set(clean_property_data.loc[clean_property_data.property_type == "住宅", "community"])
    for comparable in found:
        assert window_start <= comparable.transaction_date <= flat.valuation_date
        assert comparable.community in homes


def test_sorted_by_similarity(index: ComparablesIndex, flat: PropertyRequest) -> None:
    similarity = [c.similarity for c in index.query(flat, k=5, months=24)]
    assert similarity == sorted(similarity, reverse=True)


def test_own_community_first(index: ComparablesIndex, flat: PropertyRequest) -> None:
    assert index.query(flat, k=1, months=24)[0].community == flat.community


def test_nothing_before_the_market_existed(index: ComparablesIndex, flat: PropertyRequest) -> None:
    old = flat.model_copy(update={"valuation_date": dt.date(2001, 1, 1)})
    assert index.query(old, k=5, months=24) == []


def test_haversine_one_degree_of_latitude() -> None:
    import numpy as np

    assert haversine_km(28.0, 121.0, np.array([29.0]), np.array([121.0]))[0] == pytest.approx(
        111.2, abs=0.2
    )


def test_adjusted_prices_carry_each_sale_to_the_subject(
    clean_property_data: pd.DataFrame, flat: PropertyRequest
) -> None:
    """With the model's value of each sale given, a comparable's adjusted price is its price
    times value(subject) / value(sale). A model that values every sale at exactly its price
    adjusts every comparable to the subject's value: the log values follow their rows through
    the index's date sort."""
    shuffled = clean_property_data.sample(frac=1.0, random_state=0)
    exact = np.log(shuffled["price"].to_numpy(dtype="float64"))
    subject = float(np.log(812_345.0))
    found = ComparablesIndex().fit(shuffled, exact).query(flat, 5, 24, subject)
    assert [c.adjusted_price for c in found] == pytest.approx([812_345.0] * 5)
    # Sales the model values 10% below their price point 10% above the subject.
    low = ComparablesIndex().fit(shuffled, exact + np.log(0.9)).query(flat, 5, 24, subject)
    assert comparables_value([c.adjusted_price for c in low]) == pytest.approx(812_345.0 / 0.9)
    # No value of the subject, or an index without the sales' values: nothing adjusted.
    unvalued = ComparablesIndex().fit(shuffled, exact).query(flat, 5, 24)
    old_index = ComparablesIndex().fit(shuffled).query(flat, 5, 24, subject)
    assert {c.adjusted_price for c in unvalued + old_index} == {None}
    assert comparables_value([None, None]) is None
    # GB/T 50291-2015: a 比准价格 rests on three comparables or more.
    assert comparables_value([100.0, None, 300.0]) is None
    assert comparables_value([100.0, None, 300.0, 200.0]) == 200.0
    with pytest.raises(ValueError, match="3 log values"):
        ComparablesIndex().fit(shuffled, exact[:3])


def test_an_answer_says_whether_its_check_lies_inside_its_interval() -> None:
    """Computed from the answer itself, so an answer read back from the ledger, stored before
    the field existed, says it too; the batch row reads its own bounds."""
    from models.property.schemas import PropertyBatchItem

    row = {"value": 100.0, "value_per_m2": 1.0, "lower": 90.0, "upper": 110.0}
    row["rule_based_value"] = 100.0
    checks = {None: None, 95.0: True, 110.0: True, 111.0: False, 80.0: False}
    for check, inside in checks.items():
        item = PropertyBatchItem.model_validate({**row, "comparables_value": check})
        assert item.comparables_inside_interval is inside
        assert item.model_dump()["comparables_inside_interval"] is inside

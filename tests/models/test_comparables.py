"""Comparable sales: same type, before the valuation date, most similar first."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

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

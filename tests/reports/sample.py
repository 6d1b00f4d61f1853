"""A realistic inquiry report built by hand from the schemas: fixed numbers, no training."""

from __future__ import annotations

import datetime as dt
from typing import Any

from models.property.schemas import (
    Comparable,
    PropertyRequest,
    PropertyValuation,
    RuleBasedFigure,
)
from models.property.vocabulary import Decoration, Orientation, PropertyType
from models.schemas import Contribution, ModelInfo, ValueInterval
from serving.reports import PropertyReport

CASE_NUMBER = "（2024）浙1081执1234号"
LEDGER_HASH = "3f6c1e0a9b8d7c6e5f4a3b2c1d0e9f8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e"


def _comparable(
    day: int, community: str, area: float, price: float, sim: float, adjusted: float
) -> Comparable:
    return Comparable(
        transaction_date=dt.date(2024, 5, day),
        community=community,
        area_m2=area,
        floor=5,
        total_floors=11,
        price=price,
        price_per_m2=price / area,
        distance_km=0.4 if community != "锦园小区" else None,
        similarity=sim,
        adjusted_price=adjusted,
    )


def sample_interval(lower: float, upper: float) -> ValueInterval:
    """An 80% interval as the models make it."""
    method = "cross-conformal: equal-tailed quantiles of 5-fold out-of-fold log residuals"
    return ValueInterval(lower=lower, upper=upper, coverage=0.8, method=f"{method}, 80% nominal")


def sample_request() -> PropertyRequest:
    return PropertyRequest(
        district="太平街道",
        community="锦园小区",
        property_type=PropertyType.RESIDENTIAL,
        area_m2=40.0,
        total_floors=11,
        floor=6,
        orientation=Orientation.SOUTH,
        rooms=2,
        elevator=True,
        decoration=Decoration.SIMPLE,
        valuation_date=dt.date(2024, 6, 28),
        build_year=2008,
    )


def sample_valuation() -> PropertyValuation:
    return PropertyValuation(
        value=273_456.0,
        value_per_m2=6_836.4,
        interval=sample_interval(241_200.0, 309_800.0),
        rule_based=RuleBasedFigure(
            value=265_100.0,
            value_per_m2=6_627.5,
            base_price_per_m2=6_500.0,
            base_source="community",
            floor_coefficient=1.02,
            orientation_coefficient=1.01,
            time_index=0.99,
        ),
        comparables=[
            _comparable(3, "锦园小区", 42.0, 289_000.0, 0.93, 281_200.0),
            _comparable(17, "东辉花园", 38.5, 251_000.0, 0.81, 262_900.0),
            _comparable(24, "<b>万昌</b>公寓", 45.0, 301_500.0, 0.74, 276_400.0),
        ],
        comparables_value=276_400.0,
        contributions=[
            Contribution(feature="community", label="小区", value="锦园小区", effect_pct=4.2),
            Contribution(feature="build_year", label="建成年份", value="2008", effect_pct=-3.1),
        ],
        model=ModelInfo(
            name="courtval-property",
            version="7",
            run_id="9c1b2d3e4f5a6b7c8d9e0f1a2b3c4d5e",
            alias="champion",
            trained_at=dt.datetime(2024, 6, 1, 9, 30),
            metrics={"median_ape": 0.071, "ppe10": 0.62, "cod": 9.8, "rows_in": 5000.0},
        ),
    )


def sample_case() -> dict[str, Any]:
    """The case and ledger fields of every sample report."""
    return {
        "case_number": CASE_NUMBER,
        "judge_name": "王法官",
        "purpose": "确定财产处置参考价",
        "inquiry_date": dt.date(2024, 7, 1),
        "ledger_hash": LEDGER_HASH,
    }


def sample_report() -> PropertyReport:
    return PropertyReport(
        **sample_case(),
        court="温岭市人民法院",
        request=sample_request(),
        valuation=sample_valuation(),
        ledger_entry_id=1042,
    )

"""How a valuation's reasons read to a judge: names, units, groups (models/feature_display.py)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from models.clock import months_since_epoch
from models.feature_display import NOT_GIVEN, FeatureDisplay, format_value
from models.property.features import DISPLAY as PROPERTY
from models.vehicle.features import DISPLAY as VEHICLE


def test_values_are_shown_readably() -> None:
    assert format_value("t_months", months_since_epoch(dt.date(2026, 10, 20))) == "2026-10"
    assert format_value("new_price", 129_900.0) == "129,900"
    assert format_value("age_years", 5.3391) == "5.339"
    assert format_value("latitude", float("nan")) == NOT_GIVEN
    assert format_value("color", None) == NOT_GIVEN
    assert format_value("fuel", "汽油") == "汽油"


def _shown(row: dict[str, object], display: FeatureDisplay) -> dict[str, str]:
    effects = {name: 0.01 for name in row}
    return {
        c.feature: f"{c.label}（{c.value}）" for c in display.contributions(effects, row, len(row))
    }


def test_property_reasons_read_with_their_units_and_the_floor_as_one() -> None:
    row = {
        "area_m2": 81.37,
        "floor": 1.0,
        "total_floors": 33.0,
        "floor_ratio": 1.0 / 33.0,
        "rooms": 3.0,
        "age_years": 16.0,
        "elevator": 1.0,
        "latitude": 28.305485,
        "longitude": 121.509855,
        "decoration": "精装",
    }
    assert _shown(row, PROPERTY) == {
        "area_m2": "建筑面积（81.37㎡）",
        "floor_position": "楼层（1/33层）",
        "rooms": "房间数（3间）",
        "age_years": "房龄（16年）",
        "elevator": "电梯（有）",
        "coordinates": "经纬度（28.30549, 121.50986）",
        "decoration": "装修（精装）",
    }
    unplaced = {"area_m2": 89.5, "elevator": 0.0, "latitude": np.nan, "longitude": np.nan}
    assert _shown(unplaced, PROPERTY) == {
        "area_m2": "建筑面积（89.5㎡）",
        "elevator": "电梯（无）",
        "coordinates": "经纬度（未填）",
    }


def test_a_groups_effect_is_the_sum_of_its_members() -> None:
    effects = {"floor": 0.02, "total_floors": -0.05, "floor_ratio": 0.01, "area_m2": -0.03}
    row = {"floor": 6.0, "total_floors": 18.0, "floor_ratio": 1 / 3, "area_m2": 90.0}
    (first, second) = PROPERTY.contributions(effects, row, 2)
    assert (first.feature, first.value) == ("area_m2", "90㎡")
    assert (second.feature, second.label, second.value) == ("floor_position", "楼层", "6/18层")
    assert second.effect_pct == round(100 * np.expm1(-0.02), 2)  # the members summed


def test_vehicle_reasons_read_with_their_units() -> None:
    row = {
        "power_kw": 81.0,
        "new_price": 99_900.0,
        "age_years": 4.1234,
        "mileage_km": 62_000.0,
        "transfers": 1.0,
        "color": None,
        "t_months": months_since_epoch(dt.date(2026, 10, 15)),
    }
    assert _shown(row, VEHICLE) == {
        "power_kw": "功率（81kW）",
        "new_price": "新车指导价（9.99万元）",
        "age_years": "车龄（4.1年）",
        "mileage_km": "表显里程（6.2万公里）",
        "transfers": "过户次数（1次）",
        "color": "车身颜色（未填）",
        "t_months": "估价时点（2026-10）",
    }
    assert _shown({"mileage_km": 8_400.0}, VEHICLE) == {"mileage_km": "表显里程（8,400公里）"}


def test_a_group_without_a_format_is_refused() -> None:
    with pytest.raises(ValueError, match="floor_position"):
        FeatureDisplay(labels={}, groups={"floor_position": ("floor", "total_floors")})

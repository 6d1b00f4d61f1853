"""The model clock and how input values are shown to judges (with their units)."""

from __future__ import annotations

import datetime as dt

import pytest

from models.clock import month_end, month_label, months_since_epoch, shift_months
from models.property.features import FEATURE_FORMATS as PROPERTY_FORMATS
from models.property.features import FEATURE_LABELS as PROPERTY_LABELS
from models.text import NOT_GIVEN, ValueFormat
from models.valuer import format_value, top_contributions
from models.vehicle.features import FEATURE_FORMATS as VEHICLE_FORMATS
from models.vehicle.features import FEATURE_LABELS as VEHICLE_LABELS


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
    assert format_value("latitude", float("nan")) == NOT_GIVEN
    assert format_value("color", None) == NOT_GIVEN
    assert format_value("fuel", "汽油") == "汽油"


def _shown(
    row: dict[str, object], labels: dict[str, str], formats: dict[str, ValueFormat]
) -> dict[str, str]:
    effects = {name: 0.01 for name in row}
    return {
        c.feature: f"{c.label}（{c.value}）"
        for c in top_contributions(effects, row, len(row), labels, formats)
    }


def test_property_reasons_read_with_their_units() -> None:
    row = {
        "area_m2": 81.37,
        "floor": 1.0,
        "total_floors": 33.0,
        "floor_ratio": 1.0 / 33.0,
        "rooms": 3.0,
        "age_years": 16.0,
        "elevator": 1.0,
        "latitude": float("nan"),
        "decoration": "精装",
    }
    assert _shown(row, PROPERTY_LABELS, PROPERTY_FORMATS) == {
        "area_m2": "建筑面积（81.37㎡）",
        "floor": "所在楼层（1层）",
        "total_floors": "总楼层（共33层）",
        "floor_ratio": "楼层位置（1/33层）",
        "rooms": "房间数（3间）",
        "age_years": "房龄（16年）",
        "elevator": "电梯（有）",
        "latitude": "纬度（未填）",
        "decoration": "装修（精装）",
    }
    assert _shown({"area_m2": 89.5, "elevator": 0.0}, PROPERTY_LABELS, PROPERTY_FORMATS) == {
        "area_m2": "建筑面积（89.5㎡）",
        "elevator": "电梯（无）",
    }


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
    assert _shown(row, VEHICLE_LABELS, VEHICLE_FORMATS) == {
        "power_kw": "功率（81kW）",
        "new_price": "新车指导价（9.99万元）",
        "age_years": "车龄（4.1年）",
        "mileage_km": "表显里程（6.2万公里）",
        "transfers": "过户次数（1次）",
        "color": "车身颜色（未填）",
        "t_months": "估价时点（2026-10）",
    }
    assert _shown({"mileage_km": 8_400.0}, VEHICLE_LABELS, VEHICLE_FORMATS) == {
        "mileage_km": "表显里程（8,400公里）"
    }

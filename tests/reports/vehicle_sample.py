"""A realistic vehicle inquiry report built by hand from the schemas: fixed numbers, no training."""

from __future__ import annotations

import datetime as dt

from models.schemas import Contribution, ModelInfo
from models.vehicle.schemas import (
    ResidualRateFigure,
    VehicleComparable,
    VehicleRequest,
    VehicleValuation,
)
from models.vehicle.vocabulary import (
    BodyType,
    Color,
    Damage,
    EmissionStandard,
    Fuel,
    Gearbox,
    Origin,
)
from serving.reports import VehicleReport
from tests.reports.sample import sample_case, sample_interval

#: The comparables' models as the PDF and HTML show them (brand and series).
COMPARABLE_MODELS = ("大众 朗逸", "大众 朗逸 2020款 1.5L 自动舒适版", "丰田 卡罗拉")


def _comparable(
    model: str, day: int, mileage: float, damage: str, price: float, sim: float, adjusted: float
) -> VehicleComparable:
    brand, series = model.split(" ", 1)
    return VehicleComparable(
        transaction_date=dt.date(2024, 5, day),
        brand=brand,
        series=series,
        region="银川",
        registration_date=dt.date(2020, 8, 1),
        age_years=3.8,
        mileage_km=mileage,
        damage=damage,
        new_price=119_900.0 if brand == "大众" else 129_800.0,
        price=price,
        similarity=sim,
        adjusted_price=adjusted,
    )


def sample_vehicle_request() -> VehicleRequest:
    return VehicleRequest(
        plate_number="宁A12345",
        vin="LSVAU2183L2183294",
        brand="大众",
        series="朗逸",
        origin=Origin.JOINT_VENTURE,
        body_type=BodyType.SEDAN,
        fuel=Fuel.PETROL,
        gearbox=Gearbox.AUTOMATIC,
        power_kw=83.0,
        new_price=119_900.0,
        region="银川",
        valuation_date=dt.date(2024, 6, 28),
        registration_date=dt.date(2020, 9, 15),
        mileage_km=62_300.0,
        transfers=1,
        damage=Damage.NONE,
        emission_standard=EmissionStandard.CN6,
        color=Color.WHITE,
    )


def sample_vehicle_valuation() -> VehicleValuation:
    return VehicleValuation(
        value=67_800.0,
        age_years=3.79,
        interval=sample_interval(60_100.0, 75_900.0),
        rule_based=ResidualRateFigure(
            value=65_405.0,
            new_price=119_900.0,
            residual_rate=0.5612,
            rate_source="series",
            age_year=3,
            mileage_band="1.5–2.5万公里/年",
            mileage_coefficient=0.972,
            condition_coefficient=1.0,
        ),
        comparables=[
            _comparable(COMPARABLE_MODELS[0], 6, 58_000.0, "无", 69_500.0, 0.91, 67_900.0),
            _comparable(COMPARABLE_MODELS[1], 13, 71_200.0, "无", 64_800.0, 0.84, 66_300.0),
            _comparable(COMPARABLE_MODELS[2], 27, 9_400.0, "事故", 61_000.0, 0.62, 70_100.0),
        ],
        comparables_value=67_900.0,
        contributions=[
            Contribution(feature="age_years", label="车龄", value="3.8年", effect_pct=-6.4),
            Contribution(feature="region", label="交易城市", value="银川", effect_pct=1.9),
        ],
        model=ModelInfo(
            name="courtval-vehicle",
            version="3",
            run_id="5e4d3c2b1a0f9e8d7c6b5a4f3e2d1c0b",
            alias="champion",
            trained_at=dt.datetime(2024, 6, 2, 14, 5),
            metrics={"median_ape": 0.064, "ppe10": 0.71, "cod": 8.1},
        ),
    )


def sample_vehicle_report() -> VehicleReport:
    return VehicleReport(
        **sample_case(),
        court="银川市兴庆区人民法院",
        request=sample_vehicle_request(),
        valuation=sample_vehicle_valuation(),
        ledger_entry_id=2051,
    )

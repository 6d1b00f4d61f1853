"""Model features of a vehicle, built the same way for training frames and single requests.

The batch path (:func:`feature_frame`) and the single-row fast path (:func:`feature_row`) must
agree exactly; a test checks it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from models.clock import months_since_epoch, months_since_epoch_series, years_between
from models.feature_display import FeatureDisplay
from models.request_frame import requests_to_frame
from models.text import decimal, wan
from models.vehicle.schemas import VehicleRequest

#: Raw input columns a vehicle table must have (transaction data uses ``transaction_date``
#: where a request has ``valuation_date``).
INPUT_COLUMNS: tuple[str, ...] = (
    "brand",
    "series",
    "origin",
    "body_type",
    "fuel",
    "gearbox",
    "power_kw",
    "new_price",
    "region",
    "registration_date",
    "mileage_km",
    "transfers",
    "damage",
    "emission_standard",
    "seller_type",
    "color",
)
DATE_COLUMN = "transaction_date"
TARGET_COLUMN = "price"
CATEGORICAL: tuple[str, ...] = (
    "brand",
    "series",
    "origin",
    "body_type",
    "fuel",
    "gearbox",
    "region",
    "damage",
    "emission_standard",
    "seller_type",
    "color",
)
#: The features the estimator sees, in order.
FEATURES: tuple[str, ...] = (
    "brand",
    "series",
    "origin",
    "body_type",
    "fuel",
    "gearbox",
    "power_kw",
    "new_price",
    "region",
    "age_years",
    "mileage_km",
    "transfers",
    "damage",
    "emission_standard",
    "seller_type",
    "color",
    "t_months",
)

#: Chinese labels of the features, for the judges' page and reports.
FEATURE_LABELS: dict[str, str] = {
    "brand": "品牌",
    "series": "车系",
    "origin": "品牌属性",
    "body_type": "车身类型",
    "fuel": "燃料类型",
    "gearbox": "变速箱",
    "power_kw": "功率",
    "new_price": "新车指导价",
    "region": "地区",
    "age_years": "车龄",
    "mileage_km": "表显里程",
    "transfers": "过户次数",
    "damage": "车况(事故/泡水)",
    "emission_standard": "排放标准",
    "seller_type": "卖方类型",
    "color": "车身颜色",
    "t_months": "估价时点",
}


#: How the features read in the reasons shown to judges (with their units).
DISPLAY = FeatureDisplay(
    labels=FEATURE_LABELS,
    formats={
        "power_kw": lambda row: f"{decimal(row['power_kw'], 1)}kW",
        "new_price": lambda row: wan(row["new_price"], "元"),
        "age_years": lambda row: f"{row['age_years']:.1f}年",
        "mileage_km": lambda row: wan(row["mileage_km"], "公里"),
        "transfers": lambda row: f"{row['transfers']:.0f}次",
    },
)


def feature_frame(frame: pd.DataFrame, date_column: str = DATE_COLUMN) -> pd.DataFrame:
    """Features for a table of vehicles (transactions or batch requests)."""
    dates = pd.to_datetime(frame[date_column])
    out = pd.DataFrame(index=frame.index)
    for name in CATEGORICAL:
        out[name] = frame[name].astype(object)
    for name in ("power_kw", "new_price", "mileage_km", "transfers"):
        out[name] = frame[name].astype("float64")
    registered = pd.to_datetime(frame["registration_date"])
    out["age_years"] = ((dates - registered).dt.days / 365.25).astype("float64")
    out["t_months"] = months_since_epoch_series(dates)
    return out[list(FEATURES)]


def feature_row(request: VehicleRequest) -> dict[str, Any]:
    """Features for one request, as plain Python values (no pandas on the fast path)."""
    age = years_between(request.registration_date, request.valuation_date)
    mileage = float(request.mileage_km)
    return {
        "brand": request.brand,
        "series": request.series,
        "origin": request.origin.value,
        "body_type": request.body_type.value,
        "fuel": request.fuel.value,
        "gearbox": request.gearbox.value,
        "power_kw": float(request.power_kw),
        "new_price": float(request.new_price),
        "region": request.region,
        "age_years": age,
        "mileage_km": mileage,
        "transfers": float(request.transfers),
        "damage": request.damage.value,
        "emission_standard": request.emission_standard.value,
        "seller_type": request.seller_type.value,
        "color": None if request.color is None else request.color.value,
        "t_months": months_since_epoch(request.valuation_date),
    }


def requests_frame(requests: Sequence[VehicleRequest]) -> pd.DataFrame:
    """A batch of requests as a raw input table (``valuation_date`` as the date column)."""
    frame = requests_to_frame(requests, VehicleRequest)
    for name in ("valuation_date", "registration_date"):
        frame[name] = pd.to_datetime(frame[name])
    return frame

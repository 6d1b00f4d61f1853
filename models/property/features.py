"""Model features of a property, built the same way for training frames and single requests.

The batch path (:func:`feature_frame`) and the single-row fast path (:func:`feature_row`) must
agree exactly; a test checks it.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from models.clock import months_since_epoch, months_since_epoch_series
from models.feature_display import FeatureDisplay
from models.property.schemas import PropertyRequest
from models.request_frame import requests_to_frame
from models.text import decimal

#: Raw input columns a property table must have (transaction data uses ``transaction_date``
#: where a request has ``valuation_date``).
INPUT_COLUMNS: tuple[str, ...] = (
    "district",
    "community",
    "latitude",
    "longitude",
    "area_m2",
    "floor",
    "total_floors",
    "orientation",
    "rooms",
    "build_year",
    "property_type",
    "elevator",
    "decoration",
)
DATE_COLUMN = "transaction_date"
TARGET_COLUMN = "price"

#: The features the estimator sees, in order.
FEATURES: tuple[str, ...] = (
    "district",
    "community",
    "latitude",
    "longitude",
    "area_m2",
    "floor",
    "total_floors",
    "floor_ratio",
    "orientation",
    "rooms",
    "age_years",
    "property_type",
    "elevator",
    "decoration",
    "t_months",
)

#: Chinese labels of the features, for the judges' page and reports.
FEATURE_LABELS: dict[str, str] = {
    "district": "街道/镇",
    "community": "小区",
    "latitude": "纬度",
    "longitude": "经度",
    "area_m2": "建筑面积",
    "floor": "所在楼层",
    "total_floors": "总楼层",
    "floor_ratio": "楼层位置",
    "orientation": "朝向",
    "rooms": "房间数",
    "age_years": "房龄",
    "property_type": "物业类型",
    "elevator": "电梯",
    "decoration": "装修",
    "t_months": "估价时点",
}


#: How the features read in the reasons shown to judges: with their units, and the floor, the
#: building's floors and their ratio as one reason (楼层 6/18层), the coordinates as another.
DISPLAY = FeatureDisplay(
    labels={**FEATURE_LABELS, "floor_position": "楼层", "coordinates": "经纬度"},
    formats={
        "area_m2": lambda row: f"{decimal(row['area_m2'])}㎡",
        "floor_position": lambda row: f"{row['floor']:.0f}/{row['total_floors']:.0f}层",
        "coordinates": lambda row: f"{row['latitude']:.5f}, {row['longitude']:.5f}",
        "rooms": lambda row: f"{row['rooms']:.0f}间",
        "age_years": lambda row: f"{row['age_years']:.0f}年",
        "elevator": lambda row: "有" if row["elevator"] else "无",
    },
    groups={
        "floor_position": ("floor", "total_floors", "floor_ratio"),
        "coordinates": ("latitude", "longitude"),
    },
)


def feature_frame(frame: pd.DataFrame, date_column: str = DATE_COLUMN) -> pd.DataFrame:
    """Features for a table of properties (transactions or batch requests)."""
    dates = pd.to_datetime(frame[date_column])
    out = pd.DataFrame(index=frame.index)
    for name in ("district", "community", "orientation", "property_type", "decoration"):
        out[name] = frame[name].astype(object)
    for name in ("latitude", "longitude", "area_m2"):
        out[name] = frame[name].astype("float64")
    out["floor"] = frame["floor"].astype("float64")
    out["total_floors"] = frame["total_floors"].astype("float64")
    out["floor_ratio"] = out["floor"] / out["total_floors"]
    out["rooms"] = frame["rooms"].astype("float64")
    out["age_years"] = (dates.dt.year - frame["build_year"]).astype("float64")
    out["elevator"] = frame["elevator"].astype("float64")
    out["t_months"] = months_since_epoch_series(dates)
    return out[list(FEATURES)]


def feature_row(request: PropertyRequest) -> dict[str, Any]:
    """Features for one request, as plain Python values (no pandas on the fast path)."""
    lat = np.nan if request.latitude is None else float(request.latitude)
    lon = np.nan if request.longitude is None else float(request.longitude)
    return {
        "district": request.district,
        "community": request.community,
        "latitude": lat,
        "longitude": lon,
        "area_m2": float(request.area_m2),
        "floor": float(request.floor),
        "total_floors": float(request.total_floors),
        "floor_ratio": request.floor / request.total_floors,
        "orientation": request.orientation.value,
        "rooms": float(request.rooms),
        "age_years": float(request.valuation_date.year - request.build_year),
        "property_type": request.property_type.value,
        "elevator": float(request.elevator),
        "decoration": request.decoration.value,
        "t_months": months_since_epoch(request.valuation_date),
    }


def requests_frame(requests: list[PropertyRequest]) -> pd.DataFrame:
    """A batch of requests as a raw input table (``valuation_date`` as the date column)."""
    frame = requests_to_frame(requests, PropertyRequest)
    frame["latitude"] = pd.to_numeric(frame["latitude"], errors="coerce").astype("float64")
    frame["longitude"] = pd.to_numeric(frame["longitude"], errors="coerce").astype("float64")
    return frame

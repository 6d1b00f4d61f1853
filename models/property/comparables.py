"""Comparable sales (可比案例): the most similar recent transactions of the same type.

Candidates are sales of the same property type in the window before the valuation date, from
the same community first and the same district when the community has too few. Each candidate
gets a dissimilarity score that adds, in comparable units, the differences a valuer would look
at: area (log ratio), position in the building, building age, how long ago it sold, distance and
whether it is in another community. The search touches only one community's and one district's
sales, so it costs tens of microseconds, not a scan of the whole market.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from models.adjustment import LOG_VALUE_COLUMN, adjusted_price, by_sale_date
from models.clock import months_since_epoch
from models.price_curve import ObservedMonth
from models.property.schemas import Comparable, PropertyRequest

_EARTH_KM = 6371.0
# Scale of each difference that counts as "one unit" of dissimilarity.
_SCALE_LOG_AREA = 0.25
_SCALE_FLOOR_RATIO = 0.5
_SCALE_AGE_YEARS = 10.0
_SCALE_MONTHS = 12.0
_SCALE_KM = 2.0
_OTHER_COMMUNITY = 1.0


def haversine_km(lat1: float, lon1: float, lat2: np.ndarray, lon2: np.ndarray) -> np.ndarray:
    """Great-circle distance in km from one point to many."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dlat, dlon = p2 - p1, np.radians(lon2 - lon1)
    a = np.sin(dlat / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dlon / 2) ** 2
    return 2 * _EARTH_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


@dataclass
class ComparablesIndex:
    """Recent sales grouped by community and district, each group sorted by date."""

    columns_: dict[str, np.ndarray] | None = None
    by_community_: dict[str, np.ndarray] | None = None
    by_district_: dict[str, np.ndarray] | None = None
    centroid_: dict[str, tuple[float, float]] | None = None

    def fit(self, frame: pd.DataFrame, log_values: np.ndarray | None = None) -> ComparablesIndex:
        """Index cleaned transactions (needs the raw property columns and ``price``), with the
        model's log value of each as it was when it sold (``log_values``, in ``frame``'s row
        order) for the adjusted prices; without them the adjusted prices are None."""
        frame, fitted = by_sale_date(frame, log_values)
        ptype = frame["property_type"].astype(str)
        dates = pd.to_datetime(frame["transaction_date"])
        self.columns_ = {
            "t": np.array([months_since_epoch(d.date()) for d in dates], dtype="float64"),
            "date": dates.dt.date.to_numpy(),
            "community": frame["community"].astype(str).to_numpy(),
            "area": frame["area_m2"].to_numpy(dtype="float64"),
            "floor": frame["floor"].to_numpy(dtype="int64"),
            "total": frame["total_floors"].to_numpy(dtype="int64"),
            "build_year": frame["build_year"].to_numpy(dtype="float64"),
            "price": frame["price"].to_numpy(dtype="float64"),
        }
        if fitted is not None:
            self.columns_[LOG_VALUE_COLUMN] = fitted
        centroids = frame.groupby("community")[["latitude", "longitude"]].median()
        self.centroid_ = {
            str(c): (float(r.latitude), float(r.longitude))
            for c, r in centroids.dropna().iterrows()
        }
        lat = frame["latitude"].to_numpy(dtype="float64").copy()
        lon = frame["longitude"].to_numpy(dtype="float64").copy()
        missing = np.isnan(lat) | np.isnan(lon)
        fill = [
            self.centroid_.get(c, (np.nan, np.nan)) for c in self.columns_["community"][missing]
        ]
        if fill:
            lat[missing], lon[missing] = np.array(fill).T
        self.columns_["lat"], self.columns_["lon"] = lat, lon
        community_key = frame["community"].astype(str) + "|" + ptype
        district_key = frame["district"].astype(str) + "|" + ptype
        self.by_community_ = {
            str(k): v.to_numpy() for k, v in community_key.groupby(community_key).groups.items()
        }
        self.by_district_ = {
            str(k): v.to_numpy() for k, v in district_key.groupby(district_key).groups.items()
        }
        return self

    def communities_in(self, district: str) -> set[str]:
        """The 小区 with indexed sales in ``district`` (any type)."""
        assert self.columns_ is not None and self.by_district_ is not None
        prefix = f"{district}|"
        rows = [r for key, r in self.by_district_.items() if key.startswith(prefix)]
        return set(self.columns_["community"][np.concatenate(rows)]) if rows else set()

    def districts_of_communities(self) -> dict[str, set[str]]:
        """Each indexed 小区 → the 街道/镇 its sales lie in."""
        assert self.columns_ is not None and self.by_district_ is not None
        places: dict[str, set[str]] = {}
        for key, rows in self.by_district_.items():
            district = key.rsplit("|", 1)[0]
            for community in set(self.columns_["community"][rows].tolist()):
                places.setdefault(community, set()).add(district)
        return places

    def _window(self, rows: np.ndarray | None, t_lo: float, t_hi: float) -> np.ndarray:
        if rows is None or len(rows) == 0:
            return np.empty(0, dtype="int64")
        assert self.columns_ is not None
        t = self.columns_["t"][rows]
        return rows[np.searchsorted(t, t_lo, "left") : np.searchsorted(t, t_hi, "right")]

    def observed_by_month(
        self, request: PropertyRequest, start: dt.date, end: dt.date
    ) -> list[ObservedMonth]:
        """Per month from ``start`` to ``end``: the median price per m² of the sales of the
        same 小区 and type, times this property's area, and their count."""
        assert self.columns_ is not None and self.by_community_ is not None
        key = f"{request.community}|{request.property_type.value}"
        t_lo, t_hi = months_since_epoch(start), months_since_epoch(end)
        rows = self._window(self.by_community_.get(key), t_lo, t_hi)
        if len(rows) == 0:
            return []
        c = self.columns_
        sales = pd.DataFrame(
            {
                "month": [f"{d:%Y-%m}" for d in c["date"][rows]],
                "unit": c["price"][rows] / c["area"][rows],
            }
        )
        stats = sales.groupby("month", sort=True)["unit"].agg(["median", "count"])
        return [
            ObservedMonth(
                month=str(month),
                median_price=float(row["median"]) * request.area_m2,
                count=int(row["count"]),
            )
            for month, row in stats.iterrows()
        ]

    def _location(self, request: PropertyRequest) -> tuple[float, float] | None:
        if request.latitude is not None and request.longitude is not None:
            return request.latitude, request.longitude
        assert self.centroid_ is not None
        return self.centroid_.get(request.community)

    def _candidates(self, request: PropertyRequest, k: int, months: int) -> np.ndarray:
        assert self.by_community_ is not None and self.by_district_ is not None
        t_q = months_since_epoch(request.valuation_date)
        ptype = request.property_type.value
        own = self._window(
            self.by_community_.get(f"{request.community}|{ptype}"), t_q - months, t_q
        )
        if len(own) >= k:
            return own
        near = self._window(self.by_district_.get(f"{request.district}|{ptype}"), t_q - months, t_q)
        return np.union1d(own, near)

    def query(
        self, request: PropertyRequest, k: int, months: int, subject_log: float | None = None
    ) -> list[Comparable]:
        """The ``k`` most similar sales in the ``months`` before the valuation date, their
        prices adjusted to a property the model values at ``exp(subject_log)``."""
        if self.columns_ is None:
            raise RuntimeError("ComparablesIndex is not fitted; call fit() first")
        rows = self._candidates(request, k, months)
        if k == 0 or len(rows) == 0:
            return []
        c = self.columns_
        t_q = months_since_epoch(request.valuation_date)
        score = (
            np.abs(np.log(c["area"][rows] / request.area_m2)) / _SCALE_LOG_AREA
            + np.abs(c["floor"][rows] / c["total"][rows] - request.floor / request.total_floors)
            / _SCALE_FLOOR_RATIO
            + np.abs(c["build_year"][rows] - request.build_year) / _SCALE_AGE_YEARS
            + (t_q - c["t"][rows]) / _SCALE_MONTHS
            + (c["community"][rows] != request.community) * _OTHER_COMMUNITY
        )
        here = self._location(request)
        distance = (
            haversine_km(here[0], here[1], c["lat"][rows], c["lon"][rows])
            if here is not None
            else np.full(len(rows), np.nan)
        )
        score = score + np.nan_to_num(distance, nan=_SCALE_KM) / _SCALE_KM
        order = np.argsort(score, kind="stable")[:k]
        return [
            self._comparable(int(rows[j]), float(score[j]), float(distance[j]), subject_log)
            for j in order
        ]

    def _comparable(
        self, i: int, score: float, distance: float, subject_log: float | None
    ) -> Comparable:
        assert self.columns_ is not None
        c = self.columns_
        area, price = float(c["area"][i]), float(c["price"][i])
        return Comparable(
            transaction_date=c["date"][i],
            community=str(c["community"][i]),
            area_m2=area,
            floor=int(c["floor"][i]),
            total_floors=int(c["total"][i]),
            price=price,
            price_per_m2=price / area,
            distance_km=None if np.isnan(distance) else round(distance, 3),
            similarity=round(1.0 / (1.0 + score), 4),
            adjusted_price=adjusted_price(c, i, subject_log),
        )

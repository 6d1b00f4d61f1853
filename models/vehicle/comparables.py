"""Comparable vehicle sales: the most similar recent transactions, and their monthly prices.

Candidates are sales of the same series in the window before the valuation date (the same
brand and body type when the series has too few). Each candidate gets a dissimilarity score
that adds, in comparable units, what a used-car valuer looks at: the age difference, the trim
(new-car price, log ratio), the mileage (log ratio), how long ago it sold, another region,
another damage state and another series. The search touches one series' sales, so it costs
microseconds, not a scan.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from models.adjustment import LOG_VALUE_COLUMN, adjusted_price, by_sale_date
from models.clock import months_since_epoch, years_between
from models.price_curve import ObservedMonth
from models.vehicle.schemas import VehicleComparable, VehicleRequest

# Scale of each difference that counts as "one unit" of dissimilarity.
_SCALE_AGE_YEARS = 1.5
_SCALE_LOG_MILEAGE = 0.5
_SCALE_MONTHS = 12.0
_OTHER_REGION = 0.5
_OTHER_DAMAGE = 1.0
_OTHER_SERIES = 1.0
_MILEAGE_OFFSET_KM = 5_000.0  # so that 0 km and 2,000 km are not worlds apart
_SCALE_LOG_NEW_PRICE = 0.2  # another trim: a new price 20 % apart is one unit

#: Sales count as the same age band when their age differs by at most this (years).
SIMILAR_AGE_YEARS = 1.5
#: ... and as the same trim level when their new-car prices differ by at most this factor.
SIMILAR_NEW_PRICE = 1.25


@dataclass
class VehicleComparables:
    """Sales grouped by series and by brand × body type, each group sorted by date."""

    columns_: dict[str, np.ndarray] = field(default_factory=dict)
    by_series_: dict[str, np.ndarray] = field(default_factory=dict)
    by_brand_body_: dict[str, np.ndarray] = field(default_factory=dict)
    codes_: dict[str, dict[str, int]] = field(default_factory=dict)

    def fit(self, frame: pd.DataFrame, log_values: np.ndarray | None = None) -> VehicleComparables:
        """Index cleaned transactions (the raw vehicle columns and ``price``), with the model's
        log value of each as it was when it sold (``log_values``, in ``frame``'s row order) for
        the adjusted prices; without them the adjusted prices are None."""
        frame, fitted = by_sale_date(frame, log_values)
        dates = pd.to_datetime(frame["transaction_date"])
        registered = pd.to_datetime(frame["registration_date"])
        self.columns_ = {
            "t": np.array([months_since_epoch(d.date()) for d in dates], dtype="float64"),
            "date": dates.dt.date.to_numpy(),
            "month": dates.dt.strftime("%Y-%m").to_numpy(),
            "registered": registered.dt.date.to_numpy(),
            "age": ((dates - registered).dt.days / 365.25).to_numpy(dtype="float64"),
            "mileage": frame["mileage_km"].to_numpy(dtype="float64"),
            "price": frame["price"].to_numpy(dtype="float64"),
        }
        if fitted is not None:
            self.columns_[LOG_VALUE_COLUMN] = fitted
        self.columns_["log_km"] = np.log(self.columns_["mileage"] + _MILEAGE_OFFSET_KM)
        self.columns_["new_price"] = frame["new_price"].to_numpy(dtype="float64")
        self.columns_["log_new"] = np.log(self.columns_["new_price"])
        for name in ("brand", "series", "region", "damage"):
            self.columns_[name] = frame[name].astype(str).to_numpy()
            # Integer codes: comparing ints is far cheaper than comparing strings per query.
            codes, levels = pd.factorize(self.columns_[name])
            self.columns_[f"{name}_code"] = codes
            self.codes_[name] = {str(level): i for i, level in enumerate(levels)}
        series = frame["series"].astype(str)
        brand_body = frame["brand"].astype(str) + "|" + frame["body_type"].astype(str)
        self.by_series_ = {str(k): v.to_numpy() for k, v in series.groupby(series).groups.items()}
        self.by_brand_body_ = {
            str(k): v.to_numpy() for k, v in brand_body.groupby(brand_body).groups.items()
        }
        return self

    def series_of(self, brand: str) -> set[str]:
        """The series with indexed sales under ``brand``."""
        brands = self.columns_["brand"]
        return {series for series, rows in self.by_series_.items() if brands[rows[0]] == brand}

    def _window(self, rows: np.ndarray | None, t_lo: float, t_hi: float) -> np.ndarray:
        if rows is None or len(rows) == 0:
            return np.empty(0, dtype="int64")
        t = self.columns_["t"][rows]
        return rows[np.searchsorted(t, t_lo, "left") : np.searchsorted(t, t_hi, "right")]

    def _candidates(self, request: VehicleRequest, k: int, months: int) -> np.ndarray:
        t_q = months_since_epoch(request.valuation_date)
        own = self._window(self.by_series_.get(request.series), t_q - months, t_q)
        if len(own) >= k:
            return own
        key = f"{request.brand}|{request.body_type.value}"
        near = self._window(self.by_brand_body_.get(key), t_q - months, t_q)
        return np.union1d(own, near)

    def query(
        self, request: VehicleRequest, k: int, months: int, subject_log: float | None = None
    ) -> list[VehicleComparable]:
        """The ``k`` most similar sales in the ``months`` before the valuation date, their
        prices adjusted to a vehicle the model values at ``exp(subject_log)``."""
        if not self.columns_:
            raise RuntimeError("VehicleComparables is not fitted; call fit() first")
        rows = self._candidates(request, k, months)
        if k == 0 or len(rows) == 0:
            return []
        c = self.columns_
        age = years_between(request.registration_date, request.valuation_date)
        log_km = np.log(request.mileage_km + _MILEAGE_OFFSET_KM)
        score = (
            np.abs(c["age"][rows] - age) / _SCALE_AGE_YEARS
            + np.abs(c["log_km"][rows] - log_km) / _SCALE_LOG_MILEAGE
            + np.abs(c["log_new"][rows] - np.log(request.new_price)) / _SCALE_LOG_NEW_PRICE
            + (months_since_epoch(request.valuation_date) - c["t"][rows]) / _SCALE_MONTHS
            + self._differs("region", rows, request.region) * _OTHER_REGION
            + self._differs("damage", rows, request.damage.value) * _OTHER_DAMAGE
            + self._differs("series", rows, request.series) * _OTHER_SERIES
        )
        return [
            self._comparable(int(rows[j]), float(score[j]), subject_log)
            for j in _smallest(score, k)
        ]

    def _differs(self, name: str, rows: np.ndarray, value: str) -> np.ndarray:
        code = self.codes_[name].get(value, -1)
        return np.asarray(self.columns_[f"{name}_code"][rows] != code)

    def _comparable(self, i: int, score: float, subject_log: float | None) -> VehicleComparable:
        c = self.columns_
        return VehicleComparable(
            transaction_date=c["date"][i],
            brand=str(c["brand"][i]),
            series=str(c["series"][i]),
            region=str(c["region"][i]),
            registration_date=c["registered"][i],
            age_years=round(float(c["age"][i]), 2),
            mileage_km=float(c["mileage"][i]),
            damage=str(c["damage"][i]),
            new_price=float(c["new_price"][i]),
            price=float(c["price"][i]),
            similarity=round(1.0 / (1.0 + score), 4),
            adjusted_price=adjusted_price(c, i, subject_log),
        )

    def observed_by_month(
        self, request: VehicleRequest, start: dt.date, end: dt.date
    ) -> list[ObservedMonth]:
        """Median price and count per month of same-series sales of a similar age and trim.

        "Similar age" follows the vehicle through time: a sale in month m counts when the
        sold car's age was within ``SIMILAR_AGE_YEARS`` of this vehicle's age in month m.
        "Similar trim": a new-car price within a factor ``SIMILAR_NEW_PRICE``. Damaged cars
        (accident, flood) are left out unless this one is damaged the same way.
        """
        rows = self._window(
            self.by_series_.get(request.series),
            months_since_epoch(start),
            months_since_epoch(end),
        )
        if len(rows) == 0:
            return []
        c = self.columns_
        age_then = np.array([years_between(request.registration_date, d) for d in c["date"][rows]])
        similar = (
            (np.abs(c["age"][rows] - age_then) <= SIMILAR_AGE_YEARS)
            & (np.abs(c["log_new"][rows] - np.log(request.new_price)) <= np.log(SIMILAR_NEW_PRICE))
            & (c["damage"][rows] == request.damage.value)
        )
        chosen = rows[similar]
        if len(chosen) == 0:
            return []
        sales = pd.DataFrame({"month": c["month"][chosen], "price": c["price"][chosen]})
        stats = sales.groupby("month", sort=True)["price"].agg(["median", "count"])
        return [
            ObservedMonth(month=str(m), median_price=float(r["median"]), count=int(r["count"]))
            for m, r in stats.iterrows()
        ]


def _smallest(score: np.ndarray, k: int) -> np.ndarray:
    """Indices of the ``k`` smallest scores in order (ties: the earlier row first)."""
    if len(score) > 4 * k:
        part = np.argpartition(score, k - 1)[:k]
        # argpartition does not keep ties stable; take every row tied with the k-th score.
        cut = score[part].max()
        part = np.flatnonzero(score <= cut)
    else:
        part = np.arange(len(score))
    return part[np.argsort(score[part], kind="stable")][:k]

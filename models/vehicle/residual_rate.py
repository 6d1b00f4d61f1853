"""The residual-value-rate method (残值率法), the rule-based figure beside the vehicle model.

Dealers and appraisers value a used car as its new-car price times a residual value rate read
from a table by segment and age, adjusted for mileage and condition:

    value = new price × residual rate[series or segment, age year]
            × mileage coefficient[yearly-mileage band] × condition coefficient[damage]

Here the table is estimated from the recent transactions by robust backfitting on
``log(price / new price)`` (medians, so a few bad sales do not move a cell), the way the
property model's base-price figure is. A cell needs ``min_sales`` sales; otherwise the rate
comes from the brand origin × fuel segment, then from all cars of that age.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from models.clock import years_between
from models.vehicle.schemas import ResidualRateFigure, VehicleRequest
from models.vehicle.vocabulary import Damage

MAX_AGE_YEAR = 15
#: Yearly-mileage bands (km per year of age): upper bounds and names.
MILEAGE_BANDS: tuple[tuple[float, str], ...] = (
    (8_000.0, "低于8千公里/年"),
    (15_000.0, "8千–1.5万公里/年"),
    (25_000.0, "1.5–2.5万公里/年"),
    (float("inf"), "2.5万公里/年以上"),
)
_ITERATIONS = 3


def age_years_of(frame: pd.DataFrame, date_column: str) -> np.ndarray:
    """Age in years at ``date_column`` of every row."""
    dates = pd.to_datetime(frame[date_column])
    return ((dates - pd.to_datetime(frame["registration_date"])).dt.days / 365.25).to_numpy()


def _age_key(age: np.ndarray) -> np.ndarray:
    return np.clip(np.floor(np.maximum(age, 0.0)), 0, MAX_AGE_YEAR).astype(int)


def _mileage_band(mileage: np.ndarray, age: np.ndarray) -> np.ndarray:
    per_year = mileage / np.maximum(age, 0.25)
    edges = np.array([upper for upper, _ in MILEAGE_BANDS[:-1]])
    names = np.array([name for _, name in MILEAGE_BANDS], dtype=object)
    return names[np.searchsorted(edges, per_year, side="right")]


def _segment(frame: pd.DataFrame) -> pd.Series:
    return frame["origin"].astype(str) + "·" + frame["fuel"].astype(str)


@dataclass
class ResidualRateTable:
    """Residual value rates and coefficients estimated from recent sales."""

    window_months: int = 12
    min_sales: int = 10
    series_: dict[str, float] = field(default_factory=dict)
    segment_: dict[str, float] = field(default_factory=dict)
    age_: dict[int, float] = field(default_factory=dict)
    mileage_: dict[str, float] = field(default_factory=dict)
    condition_: dict[str, float] = field(default_factory=dict)

    def fit(self, frame: pd.DataFrame) -> ResidualRateTable:
        """Estimate the table from cleaned transactions (their last ``window_months``)."""
        dates = pd.to_datetime(frame["transaction_date"])
        recent = frame[dates > dates.max() - pd.DateOffset(months=self.window_months)]
        age = age_years_of(recent, "transaction_date")
        y = pd.Series(np.log(recent["price"] / recent["new_price"]).to_numpy(dtype="float64"))
        age_key = pd.Series(_age_key(age))
        series = recent["series"].astype(str).to_numpy() + "|" + age_key.astype(str).to_numpy()
        series_key = pd.Series(series)
        band = pd.Series(_mileage_band(recent["mileage_km"].to_numpy(dtype="float64"), age))
        damage = pd.Series(recent["damage"].astype(str).to_numpy())
        base = y.groupby(series_key).transform("median")
        m_eff = c_eff = pd.Series(0.0, index=y.index)
        for _ in range(_ITERATIONS):
            mileage = (y - base - c_eff).groupby(band).median()
            mileage -= float(mileage.get(MILEAGE_BANDS[1][1], mileage.median()))
            m_eff = band.map(mileage).fillna(0.0)
            condition = (y - base - m_eff).groupby(damage).median()
            condition -= float(condition.get(Damage.NONE.value, 0.0))
            c_eff = damage.map(condition).fillna(0.0)
            base = (y - m_eff - c_eff).groupby(series_key).transform("median")
        adjusted = y - m_eff - c_eff
        counts = series_key.map(series_key.value_counts())
        reliable = counts >= self.min_sales
        self.series_ = adjusted[reliable].groupby(series_key[reliable]).median().to_dict()
        segment = pd.Series(_segment(recent).to_numpy()) + "|" + age_key.astype(str)
        self.segment_ = adjusted.groupby(segment).median().to_dict()
        self.age_ = {int(k): float(v) for k, v in adjusted.groupby(age_key).median().items()}
        self.mileage_ = {str(k): float(v) for k, v in mileage.items()}
        self.condition_ = {str(k): float(v) for k, v in condition.items()}
        return self

    def _rate(self, series: str, segment: str, age_key: int) -> tuple[float, str]:
        if (key := f"{series}|{age_key}") in self.series_:
            return self.series_[key], "series"
        if (key := f"{segment}|{age_key}") in self.segment_:
            return self.segment_[key], "segment"
        return self._nearest_age(age_key), "age"

    def _nearest_age(self, age_key: int) -> float:
        return self.age_[min(self.age_, key=lambda k: abs(k - age_key))]

    def figure(self, request: VehicleRequest) -> ResidualRateFigure:
        """The figure for one vehicle, with every factor shown."""
        if not self.age_:
            raise RuntimeError("ResidualRateTable is not fitted; call fit() first")
        age = years_between(request.registration_date, request.valuation_date)
        age_key = int(_age_key(np.array([age]))[0])
        segment = f"{request.origin.value}·{request.fuel.value}"
        log_rate, source = self._rate(request.series, segment, age_key)
        band = str(_mileage_band(np.array([request.mileage_km]), np.array([age]))[0])
        mileage = float(np.exp(self.mileage_.get(band, 0.0)))
        condition = float(np.exp(self.condition_.get(request.damage.value, 0.0)))
        rate = float(np.exp(log_rate))
        return ResidualRateFigure(
            value=request.new_price * rate * mileage * condition,
            new_price=request.new_price,
            residual_rate=round(rate, 4),
            rate_source=source,
            age_year=age_key,
            mileage_band=band,
            mileage_coefficient=round(mileage, 4),
            condition_coefficient=round(condition, 4),
        )

    def values(self, frame: pd.DataFrame, date_column: str) -> np.ndarray:
        """Vectorised figures (CNY) for a table of vehicles."""
        if not self.age_:
            raise RuntimeError("ResidualRateTable is not fitted; call fit() first")
        age = age_years_of(frame, date_column)
        age_key = _age_key(age)
        log_rate = _grid_lookup(frame["series"], age_key, self.series_)
        missing = np.isnan(log_rate)
        log_rate[missing] = _grid_lookup(_segment(frame), age_key, self.segment_)[missing]
        missing = np.isnan(log_rate)
        nearest = np.array([self._nearest_age(k) for k in range(MAX_AGE_YEAR + 1)])
        log_rate[missing] = nearest[age_key[missing]]
        band = pd.Series(_mileage_band(frame["mileage_km"].to_numpy(dtype="float64"), age))
        log_adjust = (
            band.map(self.mileage_).fillna(0.0).to_numpy()
            + frame["damage"].astype(str).map(self.condition_).fillna(0.0).to_numpy()
        )
        rate = np.exp(log_rate + log_adjust)
        return np.asarray(frame["new_price"].to_numpy(dtype="float64") * rate)


def _grid_lookup(keys: pd.Series, age_key: np.ndarray, table: dict[str, float]) -> np.ndarray:
    """``table[f"{key}|{age}"]`` per row (NaN where absent), looked up once per distinct key."""
    codes, uniques = pd.factorize(keys.to_numpy(dtype=object), use_na_sentinel=True)
    ages = range(MAX_AGE_YEAR + 1)
    grid = np.array(
        [[table.get(f"{key}|{a}", np.nan) for a in ages] for key in uniques] or [[np.nan]],
        dtype="float64",
    )
    out = np.full(len(codes), np.nan)
    known = codes >= 0
    out[known] = grid[codes[known], age_key[known]]
    return out

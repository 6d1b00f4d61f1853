"""The courts' base-price method (基准价法): base price × floor × orientation × area × time.

Wenling's inquiry system values a flat as the building's base price per m² times a floor
coefficient and an orientation coefficient. Here every coefficient is estimated from the
transactions by robust backfitting on log unit price (medians, not means, so a few bad sales
do not move a community's base price):

    log(price / area) = base[community, type] + month[t] + floor[class] + orientation[o] + e

Floor and orientation effects are centred so the average unit has coefficient 1; the month
effects are smoothed into an index with the last month of the data as the base month (= 1).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from models.clock import months_since_epoch
from models.property.schemas import PropertyRequest, RuleBasedFigure
from models.tabular import lookup

_ITERATIONS = 5
_MIN_COMMUNITY_SALES = 5


def floor_class(floor: float, total_floors: float, elevator: bool) -> str:
    """The floor class used by the floor coefficient, e.g. ``电梯·高层``."""
    lift = "电梯" if elevator else "无电梯"
    if floor <= 1:
        level = "底层"
    elif floor >= total_floors:
        level = "顶层"
    elif floor / total_floors <= 1 / 3:
        level = "低层"
    elif floor / total_floors <= 2 / 3:
        level = "中层"
    else:
        level = "高层"
    return f"{lift}·{level}"


def floor_classes(frame: pd.DataFrame) -> pd.Series:
    """Vectorised :func:`floor_class` over a table with floor, total_floors, elevator."""
    floor = frame["floor"].to_numpy(dtype="float64")
    total = frame["total_floors"].to_numpy(dtype="float64")
    ratio = floor / total
    level = np.select(
        [floor <= 1, floor >= total, ratio <= 1 / 3, ratio <= 2 / 3],
        ["底层", "顶层", "低层", "中层"],
        default="高层",
    )
    lift = np.where(frame["elevator"].to_numpy(dtype=bool), "电梯", "无电梯")
    return pd.Series(np.char.add(np.char.add(lift.astype(str), "·"), level), index=frame.index)


def _texts(column: pd.Series) -> list[str]:
    """A column's values as plain texts (an enum member as its value), as ``astype(str)``;
    a column of plain texts (a batch's) as it is, without the round trip."""
    values = column.tolist()
    if all(type(v) is str for v in values):
        return values
    return column.astype(str).tolist()


def _month_key(dates: pd.Series) -> np.ndarray:
    d = pd.to_datetime(dates)
    return ((d.dt.year - 2000) * 12 + d.dt.month - 1).to_numpy(dtype="int64")


def _centred_median(residual: pd.Series, keys: pd.Series) -> dict[str, float]:
    effects = residual.groupby(keys.to_numpy()).median()
    counts = keys.value_counts()
    weighted_mean = float((effects * counts.reindex(effects.index)).sum() / counts.sum())
    return {str(k): float(v - weighted_mean) for k, v in effects.items()}


@dataclass(frozen=True)
class _Design:
    y: pd.Series
    group: pd.Series
    district_group: pd.Series
    ptype: pd.Series
    month: np.ndarray
    floor_key: pd.Series
    orientation: pd.Series


def _design(frame: pd.DataFrame) -> _Design:
    ptype = frame["property_type"].astype(str)
    return _Design(
        y=np.log(frame["price"] / frame["area_m2"]).astype("float64"),
        group=frame["community"].astype(str) + "|" + ptype,
        district_group=frame["district"].astype(str) + "|" + ptype,
        ptype=ptype,
        month=_month_key(frame["transaction_date"]),
        floor_key=floor_classes(frame),
        orientation=frame["orientation"].astype(str),
    )


def _smooth_index(month_effect: dict[int, float]) -> dict[int, float]:
    months = np.arange(min(month_effect), max(month_effect) + 1)
    series = pd.Series(month_effect).reindex(months).interpolate(limit_direction="both")
    smooth = series.rolling(3, center=True, min_periods=1).median()
    smooth = smooth - smooth.iloc[-1]
    return {int(k): float(v) for k, v in smooth.items()}


@dataclass
class RuleBasedPricer:
    """Estimated base prices and coefficients; ``fit`` then ``figure`` / ``values``."""

    base_: dict[str, float] | None = None
    district_base_: dict[str, float] | None = None
    type_base_: dict[str, float] | None = None
    month_: dict[int, float] | None = None
    floor_: dict[str, float] | None = None
    orientation_: dict[str, float] | None = None

    def fit(self, frame: pd.DataFrame) -> RuleBasedPricer:
        """Estimate every coefficient from cleaned transactions."""
        d = _design(frame)
        month = pd.Series(d.month, index=d.y.index)
        base = d.y.groupby(d.group).transform("median")
        m_eff = f_eff = o_eff = pd.Series(0.0, index=d.y.index)
        for _ in range(_ITERATIONS):
            months = (d.y - base - f_eff - o_eff).groupby(month).median()
            m_eff = month.map(months)
            floors = _centred_median(d.y - base - m_eff - o_eff, d.floor_key)
            f_eff = d.floor_key.map(floors)
            orients = _centred_median(d.y - base - m_eff - f_eff, d.orientation)
            o_eff = d.orientation.map(orients)
            base = (d.y - m_eff - f_eff - o_eff).groupby(d.group).transform("median")
        self.month_ = _smooth_index({int(k): float(v) for k, v in months.items()})
        m_eff = month.map(self.month_)
        adjusted = d.y - m_eff - f_eff - o_eff
        counts = d.group.value_counts()
        reliable = d.group.map(counts) >= _MIN_COMMUNITY_SALES
        self.base_ = adjusted[reliable].groupby(d.group[reliable]).median().to_dict()
        self.district_base_ = adjusted.groupby(d.district_group).median().to_dict()
        self.type_base_ = adjusted.groupby(d.ptype).median().to_dict()
        self.floor_, self.orientation_ = floors, orients
        return self

    def _check_fitted(self) -> None:
        if self.base_ is None:
            raise RuntimeError("RuleBasedPricer is not fitted; call fit() first")

    def _base(self, community: str, district: str, ptype: str) -> tuple[float, str]:
        assert self.base_ is not None and self.district_base_ is not None
        assert self.type_base_ is not None
        if (key := f"{community}|{ptype}") in self.base_:
            return self.base_[key], "community"
        if (key := f"{district}|{ptype}") in self.district_base_:
            return self.district_base_[key], "district"
        if ptype in self.type_base_:
            return self.type_base_[ptype], "type"
        return self._type_fallback(), "type"

    def _type_fallback(self) -> float:
        """The base of a property type never seen in training: the median type's."""
        assert self.type_base_ is not None
        return float(np.median(list(self.type_base_.values())))

    def _time(self, month: int) -> float:
        assert self.month_ is not None
        first, last = min(self.month_), max(self.month_)
        return self.month_[min(max(month, first), last)]

    def figure(self, request: PropertyRequest) -> RuleBasedFigure:
        """The base-price figure for one property (fast path: dictionary look-ups)."""
        self._check_fitted()
        assert self.floor_ is not None and self.orientation_ is not None
        base, source = self._base(request.community, request.district, request.property_type.value)
        fkey = floor_class(request.floor, request.total_floors, request.elevator)
        floor_coef = float(np.exp(self.floor_.get(fkey, 0.0)))
        orient_coef = float(np.exp(self.orientation_.get(request.orientation.value, 0.0)))
        time_index = float(np.exp(self._time(int(months_since_epoch(request.valuation_date)))))
        per_m2 = float(np.exp(base)) * floor_coef * orient_coef * time_index
        return RuleBasedFigure(
            value=per_m2 * request.area_m2,
            value_per_m2=per_m2,
            base_price_per_m2=float(np.exp(base)),
            base_source=source,
            floor_coefficient=floor_coef,
            orientation_coefficient=orient_coef,
            time_index=time_index,
        )

    def _bases(self, frame: pd.DataFrame) -> np.ndarray:
        """:meth:`_base` of every row: community, then district, then type level; each
        distinct (community, district, type) once."""
        columns = [_texts(frame[name]) for name in ("community", "district", "property_type")]
        codes, keys = pd.factorize(pd.Series(list(zip(*columns, strict=True)), dtype=object))
        bases = [self._base(*key)[0] for key in keys]
        return np.asarray(bases, dtype=np.float64)[codes]

    def values(self, frame: pd.DataFrame, date_column: str = "transaction_date") -> np.ndarray:
        """Vectorised rule-based values (CNY) for a table of properties.

        The same dictionary look-ups as :meth:`figure` (each distinct floor class, orientation
        and month once): at 10,000 rows faster than joining the key texts and mapping them in
        pandas.
        """
        self._check_fitted()
        assert self.month_ is not None
        months = np.clip(_month_key(frame[date_column]), min(self.month_), max(self.month_))
        log_floor, log_orientation = self._log_coefficients(frame)
        log_unit = self._bases(frame) + lookup(months, self.month_, np.nan)
        return np.exp(log_unit + log_floor + log_orientation) * frame["area_m2"].to_numpy(
            dtype="float64"
        )

    def coefficients(self, frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
        """The floor and orientation coefficients of every row (as :meth:`figure` gives them)."""
        self._check_fitted()
        log_floor, log_orientation = self._log_coefficients(frame)
        return np.exp(log_floor), np.exp(log_orientation)

    def _log_coefficients(self, frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
        assert self.floor_ is not None and self.orientation_ is not None
        orientations = np.asarray(_texts(frame["orientation"]), dtype=object)
        return (
            lookup(floor_classes(frame).to_numpy(), self.floor_, 0.0),
            lookup(orientations, self.orientation_, 0.0),
        )

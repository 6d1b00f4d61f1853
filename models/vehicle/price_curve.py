"""The price curve of a vehicle: what it would have fetched at each past month-end, what
comparable cars sold for each month, and where its value is heading.

* History: the model's value at each month-end before the valuation date, at the car's age
  and mileage then (mileage accrued linearly since registration).
* Observed: same-series sales of a similar age per month (median, count).
* Projection: the next month-ends with age and mileage moving on and the market held at the
  valuation month (the model knows no future market index), so the slope is the depreciation
  the model learned for this car's segment.
"""

from __future__ import annotations

import datetime as dt

from models.clock import months_since_epoch, years_between
from models.curve_chart import Chart, curve_chart
from models.price_curve import month_ends
from models.schemas import ModelInfo
from models.vehicle.comparables import SIMILAR_AGE_YEARS, SIMILAR_NEW_PRICE
from models.vehicle.schemas import CurvePoint, PriceCurve, VehicleRequest
from models.vehicle.valuer import VehicleValuer

#: Yearly mileage assumed for a car younger than ``MIN_AGE_FOR_RATE`` years.
DEFAULT_KM_PER_YEAR = 15_000.0
MIN_AGE_FOR_RATE = 0.25

OBSERVED_LABEL = "可比车辆成交中位数（圆越大成交越多）"

PROJECTION_METHOD = (
    "模型按车龄与里程逐月推进、市场行情保持在估价月的估值 "
    "(age and mileage move on, the market is held at the valuation month)"
)


def _at(request: VehicleRequest, date: dt.date, km_per_year: float) -> VehicleRequest:
    age = max(years_between(request.registration_date, date), 0.0)
    return request.model_copy(update={"valuation_date": date, "mileage_km": km_per_year * age})


def _points(
    valuer: VehicleValuer, requests: list[VehicleRequest], freeze_market_at: float | None = None
) -> list[CurvePoint]:
    if not requests:
        return []
    value, lower, upper = valuer.value_requests(requests, freeze_market_at)
    return [
        CurvePoint(
            date=r.valuation_date,
            value=float(v),
            lower=float(lo),
            upper=float(hi),
            age_years=round(years_between(r.registration_date, r.valuation_date), 2),
            mileage_km=round(r.mileage_km, 0),
        )
        for r, v, lo, hi in zip(requests, value, lower, upper, strict=True)
    ]


def price_curve(
    valuer: VehicleValuer,
    request: VehicleRequest,
    model: ModelInfo,
    history_months: int = 24,
    projection_months: int = 6,
) -> PriceCurve:
    """The curve for one vehicle (see the module docstring for each part)."""
    today = request.valuation_date
    age_now = years_between(request.registration_date, today)
    # A car only weeks old has no yearly mileage of its own to extrapolate from.
    rate = request.mileage_km / age_now if age_now >= MIN_AGE_FOR_RATE else DEFAULT_KM_PER_YEAR
    past = [
        d
        for d in month_ends(today, range(-history_months, 0))
        if request.registration_date <= d < today
    ]
    future = [d for d in month_ends(today, range(projection_months + 1)) if d > today]
    future = future[:projection_months]
    history = _points(valuer, [_at(request, d, rate) for d in past])
    current = _points(valuer, [request])[0]
    projection = _points(valuer, [_at(request, d, rate) for d in future], months_since_epoch(today))
    monthly = 0.0
    if projection:
        ratio = projection[-1].value / current.value
        monthly = (ratio ** (1.0 / len(projection)) - 1.0) * 100.0
    start = past[0] if past else today
    observed = valuer.comparables.observed_by_month(
        request, dt.date(start.year, start.month, 1), today
    )
    return PriceCurve(
        history=history,
        current=current,
        observed=observed,
        projection=projection,
        monthly_depreciation_pct=round(monthly, 3),
        comparable_rule=(
            f"同车系、车龄相差不超过{SIMILAR_AGE_YEARS:g}年、新车指导价相差不超过"
            f"{SIMILAR_NEW_PRICE - 1:.0%}、车况相同的成交 (same series, age within "
            f"{SIMILAR_AGE_YEARS:g} years, new price within {SIMILAR_NEW_PRICE - 1:.0%}, "
            "same damage state)"
        ),
        projection_method=PROJECTION_METHOD,
        model=model,
    )


def chart(request: VehicleRequest, curve: PriceCurve) -> Chart:
    """The curve as the chart the web page and the report show."""
    title = f"{request.brand}{request.series} 价格走势（{request.registration_date:%Y-%m} 登记）"
    known = [*curve.history, curve.current]
    return curve_chart(title, known, curve.observed, OBSERVED_LABEL, curve.projection)

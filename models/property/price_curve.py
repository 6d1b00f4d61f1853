"""The price curve of a property: what the model would have valued it at each past month-end,
and what its 小区's flats sold for each month.

* History: the property's value at each month-end before the valuation date (from the year
  its building was completed), the building as old as it was then and the market as it was
  then (the model's monthly time term).
* Observed: the median price per m² of the same 小区's sales of the same type each month,
  times this property's area, so that flats of other sizes read on the same scale.

No projection: the model knows no future market index, and a property's age moves its value
too slowly for a few months' projection to say anything (unlike a car's depreciation).
"""

from __future__ import annotations

from models.curve_chart import Chart, curve_chart
from models.price_curve import ValuePoint, month_ends
from models.property.schemas import PropertyPriceCurve, PropertyRequest
from models.property.valuer import PropertyValuer
from models.schemas import ModelInfo
from models.valuer import REQUEST_DATE

COMPARABLE_RULE = (
    "同小区、同物业类型的成交，按成交单价中位数乘以本财产面积 "
    "(the same 小区 and type; the median price per m² times this property's area)"
)
_YEAR = 12
OBSERVED_LABEL = "同小区成交单价中位数×本财产面积（圆越大成交越多）"


def price_curve(
    valuer: PropertyValuer, request: PropertyRequest, model: ModelInfo, history_months: int = 24
) -> PropertyPriceCurve:
    """The curve for one property (see the module docstring for each part)."""
    today = request.valuation_date
    past = [
        d
        for d in month_ends(today, range(-history_months, 0))
        if request.build_year <= d.year and d < today  # not before the building stood
    ]
    at = [request.model_copy(update={"valuation_date": d}) for d in past] + [request]
    features = valuer.features(valuer.requests_frame(at), REQUEST_DATE)
    value, lower, upper = valuer.regressor.predict_interval(features)
    points = [
        ValuePoint(date=r.valuation_date, value=float(v), lower=float(lo), upper=float(hi))
        for r, v, lo, hi in zip(at, value, lower, upper, strict=True)
    ]
    change = None
    if len(points) > _YEAR:
        change = round((points[-1].value / points[-1 - _YEAR].value - 1.0) * 100.0, 2)
    start = past[0].replace(day=1) if past else today.replace(day=1)
    return PropertyPriceCurve(
        history=points[:-1],
        current=points[-1],
        observed=valuer.comparables.observed_by_month(request, start, today),
        change_12_months_pct=change,
        comparable_rule=COMPARABLE_RULE,
        model=model,
    )


def chart(request: PropertyRequest, curve: PropertyPriceCurve) -> Chart:
    """The curve as the chart the web page and the report show."""
    title = f"{request.community} {request.area_m2:g}㎡ {request.property_type.value} 价格走势"
    return curve_chart(title, [*curve.history, curve.current], curve.observed, OBSERVED_LABEL)

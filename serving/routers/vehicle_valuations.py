"""Vehicle valuations (车辆询价): one, a batch, and the price curve as data or as an SVG chart.

The curve has its own endpoint rather than riding inside every valuation: it costs ~30
estimates and a scan of the series' sales, which a judge wants once per car and the triage
system's bulk calls never need, and the chart is a different media type.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from fastapi.concurrency import run_in_threadpool

from models.vehicle.curve_chart import render_svg
from models.vehicle.price_curve import price_curve
from models.vehicle.schemas import (
    PriceCurve,
    VehicleBatchRequest,
    VehicleBatchValuation,
    VehicleRequest,
    VehicleValuation,
)
from serving.batch import answer_options, openapi_body, value_batch
from serving.deps import SettingsDep, VehicleModelDep

router = APIRouter(prefix="/v1/valuations", tags=["valuations"])

HistoryMonths = Annotated[
    int | None, Query(ge=1, le=120, description="Default: COURTVAL_CURVE_HISTORY_MONTHS.")
]
ProjectionMonths = Annotated[
    int | None, Query(ge=0, le=24, description="Default: COURTVAL_CURVE_PROJECTION_MONTHS.")
]


@router.post("/vehicle")
async def value_vehicle(
    request: VehicleRequest, loaded: VehicleModelDep, settings: SettingsDep
) -> VehicleValuation:
    """Value one vehicle: estimate, interval, residual-rate figure, comparables, reasons."""
    valuation: VehicleValuation = loaded.model.value(request, loaded.info, answer_options(settings))
    return valuation


@router.post(
    "/vehicle/batch",
    response_model=VehicleBatchValuation,
    openapi_extra=openapi_body(VehicleBatchRequest),
)
async def value_vehicle_batch(
    request: Request, loaded: VehicleModelDep, settings: SettingsDep
) -> Response:
    """Value up to ``COURTVAL_BATCH_LIMIT`` vehicles in one vectorised pass."""
    body = await request.body()
    answer = await run_in_threadpool(value_batch, VehicleBatchRequest, body, loaded, settings)
    return Response(answer, media_type="application/json")


def _curve(
    request: VehicleRequest,
    loaded: VehicleModelDep,
    settings: SettingsDep,
    history_months: int | None,
    projection_months: int | None,
) -> PriceCurve:
    return price_curve(
        loaded.model,
        request,
        loaded.info,
        history_months=history_months or settings.curve_history_months,
        projection_months=(
            settings.curve_projection_months if projection_months is None else projection_months
        ),
    )


@router.post("/vehicle/price-curve")
async def vehicle_price_curve(
    request: VehicleRequest,
    loaded: VehicleModelDep,
    settings: SettingsDep,
    history_months: HistoryMonths = None,
    projection_months: ProjectionMonths = None,
) -> PriceCurve:
    """The vehicle's value at each past month-end, comparable sales per month, a projection."""
    return await run_in_threadpool(
        _curve, request, loaded, settings, history_months, projection_months
    )


@router.post(
    "/vehicle/price-curve.svg",
    response_class=Response,
    responses={200: {"content": {"image/svg+xml": {}}, "description": "The chart."}},
)
async def vehicle_price_curve_svg(
    request: VehicleRequest,
    loaded: VehicleModelDep,
    settings: SettingsDep,
    history_months: HistoryMonths = None,
    projection_months: ProjectionMonths = None,
) -> Response:
    """The price curve as an SVG chart a report or a web page can embed."""
    curve = await run_in_threadpool(
        _curve, request, loaded, settings, history_months, projection_months
    )
    title = f"{request.brand}{request.series} 价格走势（{request.registration_date:%Y-%m} 登记）"
    return Response(render_svg(curve, title), media_type="image/svg+xml")

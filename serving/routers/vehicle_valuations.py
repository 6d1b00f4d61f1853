"""Vehicle valuations (车辆询价): one, a batch, and the price curve as data or as an SVG chart
(:mod:`serving.curves`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from models.curve_chart import render_svg
from models.vehicle.price_curve import price_curve
from models.vehicle.schemas import (
    PriceCurve,
    VehicleBatchInquiry,
    VehicleBatchValuation,
    VehicleInquiry,
    VehicleInquiryBatch,
    VehicleInquiryBatchAnswer,
    VehicleValuation,
)
from serving.access.auth import Caller, JudgeDep
from serving.curves import HistoryMonths, recorded_curve
from serving.deps import SettingsDep, VehicleModelDep
from serving.inquiries import answer_inquiry
from serving.routers.valuation_batches import add_batch_routes

router = APIRouter(prefix="/v1/valuations", tags=["valuations"])

ProjectionMonths = Annotated[
    int | None, Query(ge=0, le=24, description="Default: COURTVAL_CURVE_PROJECTION_MONTHS.")
]


@router.post("/vehicle", response_model=VehicleValuation)
async def value_vehicle(
    caller: JudgeDep,
    inquiry: VehicleInquiry,
    loaded: VehicleModelDep,
    settings: SettingsDep,
    request: Request,
) -> Response:
    """Value one vehicle: estimate, interval, residual-rate figure, comparables, reasons. The
    answer is recorded in the ledger; ``inquiry.id`` names it."""
    return await answer_inquiry(inquiry, loaded, settings, caller, request)


add_batch_routes(
    router,
    "vehicle",
    "vehicles",
    batch=(VehicleBatchInquiry, VehicleBatchValuation),
    inquiries=(VehicleInquiryBatch, VehicleInquiryBatchAnswer),
)


def _curve(
    request: VehicleInquiry,
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


async def _recorded_curve(
    inquiry: VehicleInquiry,
    loaded: VehicleModelDep,
    settings: SettingsDep,
    caller: Caller,
    request: Request,
    months: tuple[int | None, int | None],
) -> tuple[PriceCurve, dict[str, str]]:
    def compute() -> PriceCurve:
        return _curve(inquiry, loaded, settings, *months)

    return await recorded_curve(compute, inquiry, loaded, caller, request, list(months))


@router.post("/vehicle/price-curve")
async def vehicle_price_curve(
    caller: JudgeDep,
    inquiry: VehicleInquiry,
    loaded: VehicleModelDep,
    settings: SettingsDep,
    request: Request,
    response: Response,
    history_months: HistoryMonths = None,
    projection_months: ProjectionMonths = None,
) -> PriceCurve:
    """The vehicle's value at each past month-end, comparable sales per month, a projection."""
    curve, headers = await _recorded_curve(
        inquiry, loaded, settings, caller, request, (history_months, projection_months)
    )
    response.headers.update(headers)
    return curve


@router.post(
    "/vehicle/price-curve.svg",
    response_class=Response,
    responses={200: {"content": {"image/svg+xml": {}}, "description": "The chart."}},
)
async def vehicle_price_curve_svg(
    caller: JudgeDep,
    inquiry: VehicleInquiry,
    loaded: VehicleModelDep,
    settings: SettingsDep,
    request: Request,
    history_months: HistoryMonths = None,
    projection_months: ProjectionMonths = None,
) -> Response:
    """The price curve as an SVG chart a report or a web page can embed."""
    curve, headers = await _recorded_curve(
        inquiry, loaded, settings, caller, request, (history_months, projection_months)
    )
    title = f"{inquiry.brand}{inquiry.series} 价格走势（{inquiry.registration_date:%Y-%m} 登记）"
    chart = render_svg(
        title,
        [*curve.history, curve.current],
        curve.observed,
        "可比车辆成交中位数（圆越大成交越多）",
        curve.projection,
    )
    return Response(chart, media_type="image/svg+xml", headers=headers)

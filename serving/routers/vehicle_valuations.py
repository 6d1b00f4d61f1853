"""Vehicle valuations (车辆询价): one, a batch, and the price curve as data or as an SVG chart
(:mod:`serving.curves`)."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from models.curve_chart import render_svg
from models.vehicle.price_curve import chart
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
from serving.curves import HistoryMonths, ProjectionMonths, recorded_curve, vehicle_curve
from serving.deps import SettingsDep, VehicleModelDep
from serving.inquiries import answer_inquiry
from serving.routers.valuation_batches import add_batch_routes

router = APIRouter(prefix="/v1/valuations", tags=["valuations"])


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


async def _recorded_curve(
    inquiry: VehicleInquiry,
    loaded: VehicleModelDep,
    settings: SettingsDep,
    caller: Caller,
    request: Request,
    months: tuple[int | None, int | None],
) -> tuple[PriceCurve, dict[str, str]]:
    def compute() -> PriceCurve:
        return vehicle_curve(loaded, inquiry, settings, *months)

    inputs = {"inquiry": inquiry.model_dump(mode="json"), "months": list(months)}
    return await recorded_curve(
        compute, request, caller, loaded, inputs, inquiry.case_number, inquiry.purpose
    )


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
    svg = render_svg(chart(inquiry, curve))
    return Response(svg, media_type="image/svg+xml", headers=headers)

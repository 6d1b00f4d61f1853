"""Vehicle valuations (车辆询价): one, a batch, and the price curve as data or as an SVG chart
(:mod:`serving.curves`)."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from models.vehicle.schemas import (
    VehicleBatchInquiry,
    VehicleBatchValuation,
    VehicleInquiry,
    VehicleInquiryBatch,
    VehicleInquiryBatchAnswer,
    VehicleValuation,
)
from serving.access.auth import JudgeDep
from serving.deps import SettingsDep, VehicleModelDep
from serving.inquiries import answer_inquiry
from serving.routers.curve_routes import add_curve_routes, history_and_projection
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


add_curve_routes(
    router,
    "vehicle",
    VehicleInquiry,
    history_and_projection,
    "The vehicle's value at each past month-end, comparable sales per month, a projection.",
)

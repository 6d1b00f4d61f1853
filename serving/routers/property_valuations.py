"""Property valuations (不动产询价) for judges: one at a time, or in batches, and the price
curve as data or as an SVG chart (:mod:`serving.curves`); each recorded."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from models.property.schemas import (
    PropertyBatchInquiry,
    PropertyBatchValuation,
    PropertyInquiry,
    PropertyInquiryBatch,
    PropertyInquiryBatchAnswer,
    PropertyValuation,
)
from serving.access.auth import JudgeDep
from serving.deps import PropertyModelDep, SettingsDep
from serving.inquiries import answer_inquiry
from serving.routers.curve_routes import add_curve_routes, history_only
from serving.routers.valuation_batches import add_batch_routes

router = APIRouter(prefix="/v1/valuations", tags=["valuations"])


@router.post("/property", response_model=PropertyValuation)
async def value_property(
    caller: JudgeDep,
    inquiry: PropertyInquiry,
    loaded: PropertyModelDep,
    settings: SettingsDep,
    request: Request,
) -> Response:
    """Value one property: estimate, interval, rule-based figure, comparables, reasons. The
    answer is recorded in the ledger; ``inquiry.id`` names it for the report and objections."""
    return await answer_inquiry(inquiry, loaded, settings, caller, request)


add_batch_routes(
    router,
    "property",
    "properties",
    batch=(PropertyBatchInquiry, PropertyBatchValuation),
    inquiries=(PropertyInquiryBatch, PropertyInquiryBatchAnswer),
)


add_curve_routes(
    router,
    "property",
    PropertyInquiry,
    history_only,
    "The property's value at each past month-end and its 小区's sales per month.",
)

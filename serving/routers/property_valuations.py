"""Property valuations (不动产询价) for judges: one at a time, or in batches, and the price
curve as data or as an SVG chart (:mod:`serving.curves`); each recorded."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from models.curve_chart import render_svg
from models.property.price_curve import chart
from models.property.schemas import (
    PropertyBatchInquiry,
    PropertyBatchValuation,
    PropertyInquiry,
    PropertyInquiryBatch,
    PropertyInquiryBatchAnswer,
    PropertyPriceCurve,
    PropertyValuation,
)
from serving.access.auth import Caller, JudgeDep
from serving.curves import HistoryMonths, property_curve, recorded_curve
from serving.deps import PropertyModelDep, SettingsDep
from serving.inquiries import answer_inquiry
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


async def _recorded_curve(
    inquiry: PropertyInquiry,
    loaded: PropertyModelDep,
    settings: SettingsDep,
    caller: Caller,
    request: Request,
    history_months: int | None,
) -> tuple[PropertyPriceCurve, dict[str, str]]:
    def compute() -> PropertyPriceCurve:
        return property_curve(loaded, inquiry, settings, history_months)

    inputs = {"inquiry": inquiry.model_dump(mode="json"), "months": [history_months]}
    return await recorded_curve(
        compute, request, caller, loaded, inputs, inquiry.case_number, inquiry.purpose
    )


@router.post("/property/price-curve")
async def property_price_curve(
    caller: JudgeDep,
    inquiry: PropertyInquiry,
    loaded: PropertyModelDep,
    settings: SettingsDep,
    request: Request,
    response: Response,
    history_months: HistoryMonths = None,
) -> PropertyPriceCurve:
    """The property's value at each past month-end and its 小区's sales per month."""
    curve, headers = await _recorded_curve(
        inquiry, loaded, settings, caller, request, history_months
    )
    response.headers.update(headers)
    return curve


@router.post(
    "/property/price-curve.svg",
    response_class=Response,
    responses={200: {"content": {"image/svg+xml": {}}, "description": "The chart."}},
)
async def property_price_curve_svg(
    caller: JudgeDep,
    inquiry: PropertyInquiry,
    loaded: PropertyModelDep,
    settings: SettingsDep,
    request: Request,
    history_months: HistoryMonths = None,
) -> Response:
    """The price curve as an SVG chart a report or a web page can embed."""
    curve, headers = await _recorded_curve(
        inquiry, loaded, settings, caller, request, history_months
    )
    svg = render_svg(chart(inquiry, curve))
    return Response(svg, media_type="image/svg+xml", headers=headers)

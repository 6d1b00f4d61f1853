"""An answered inquiry's price curve (价格走势): ``GET /v1/inquiries/{id}/price-curve`` and
``.svg``, for the judge who asked.

The inquiry was counted against the judge's day when it was answered, so its curve is not
counted again (the allowed hours and the per-minute limit still apply: each request is
recorded). The curve is drawn once, by the model that answered the inquiry, from the facts
the ledger recorded, and recorded itself (:func:`serving.curves.draw_inquiry_curve`; the
inquiry's report draws it the same way when it was never asked for); every later request reads
that record back and is recorded as a reading of it. When the model that answered is no longer
served and no curve was drawn, none is drawn by another model (409).
"""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel

from models.curve_chart import Chart, render_svg
from models.property.schemas import PropertyPriceCurve
from models.schemas import ModelInfo
from models.vehicle.schemas import PriceCurve
from serving.access.auth import Caller, JudgeFollowUpDep, court_store
from serving.access.record import ledger_headers, record
from serving.court.curves import READING_KEY, recorded_curves
from serving.court.objections import asset_facts
from serving.court.tables import LedgerEntryRow
from serving.curves import CURVE_KINDS, SVG_RESPONSE, draw_inquiry_curve, read_curve
from serving.deps import SettingsDep, StoreDep
from serving.routers.inquiries import InquiryId, own_entry

router = APIRouter(tags=["inquiries"])


def _drawn(request: Request, entry: LedgerEntryRow) -> LedgerEntryRow | None:
    with court_store(request).sessions() as session:
        return recorded_curves(session, [entry]).get(entry.id)


async def _inquiry_curve(
    request: Request, caller: Caller, inquiry_id: int, store: StoreDep, settings: SettingsDep
) -> tuple[BaseModel, Chart, dict[str, str]]:
    """The inquiry's curve (read back, or drawn and recorded), its chart and the headers of
    this answer's ledger entry."""
    entry = await run_in_threadpool(own_entry, request, caller, inquiry_id)
    kind, asset = asset_facts(entry)
    drawn = await run_in_threadpool(_drawn, request, entry)
    curve = read_curve(kind, drawn)
    if drawn is None or curve is None:
        curve, headers = await draw_inquiry_curve(request, caller, entry, store, settings)
        return curve, CURVE_KINDS[kind].chart(asset, curve), headers
    model = None
    if drawn.model_name and drawn.model_version:
        model = ModelInfo(name=drawn.model_name, version=drawn.model_version, run_id=drawn.run_id)
    reading = await record(
        request,
        caller,
        inputs={"inquiry_id": inquiry_id},
        outputs={READING_KEY: drawn.id, "entry_hash": drawn.entry_hash},
        model=model,
        case_number=entry.case_number,
        purpose=entry.purpose,
    )
    return curve, CURVE_KINDS[kind].chart(asset, curve), ledger_headers(reading)


@router.get(
    "/v1/inquiries/{inquiry_id}/price-curve", response_model=PropertyPriceCurve | PriceCurve
)
async def inquiry_price_curve(
    inquiry_id: InquiryId,
    caller: JudgeFollowUpDep,
    request: Request,
    response: Response,
    store: StoreDep,
    settings: SettingsDep,
) -> BaseModel:
    """The price curve of one of the caller's property or vehicle inquiries: the asset's value
    at past month-ends (and a car's projection) and comparable sales per month, by the model
    that answered it; not counted against the day's quota (the inquiry was; the per-minute
    limit applies). The same curve every time: drawn once and read back from the ledger. 409
    when none was drawn and that model is no longer served."""
    curve, _, headers = await _inquiry_curve(request, caller, inquiry_id, store, settings)
    response.headers.update(headers)
    return curve


@router.get(
    "/v1/inquiries/{inquiry_id}/price-curve.svg", response_class=Response, responses=SVG_RESPONSE
)
async def inquiry_price_curve_svg(
    inquiry_id: InquiryId,
    caller: JudgeFollowUpDep,
    request: Request,
    store: StoreDep,
    settings: SettingsDep,
) -> Response:
    """The inquiry's price curve as an SVG chart (the web page shows it under the answer)."""
    _, chart, headers = await _inquiry_curve(request, caller, inquiry_id, store, settings)
    return Response(render_svg(chart), media_type="image/svg+xml", headers=headers)

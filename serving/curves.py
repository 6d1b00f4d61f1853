"""Price curves answered and recorded: the vehicle's and the property's endpoints share them.

A curve has its own endpoints rather than riding inside every valuation: it costs a few dozen
estimates and a scan of the sales, which a judge wants once per asset and the triage system's
bulk calls never need, and its chart is a different media type. A curve is asked for either
with the asset's facts (``/v1/valuations/{kind}/price-curve``, a request of its own) or for an
inquiry already answered (``/v1/inquiries/{id}/price-curve``, drawn once by the model that
answered it and read back from the ledger after that).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any, TypeVar

from fastapi import Query, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, ValidationError

from models.curve_chart import Chart
from models.property import price_curve as property_curves
from models.property.schemas import PropertyPriceCurve
from models.property.valuer import PropertyValuer
from models.registry import LoadedModel
from models.settings import Settings
from models.vehicle import price_curve as vehicle_curves
from models.vehicle.schemas import PriceCurve
from models.vehicle.valuer import VehicleValuer
from serving.access.auth import Caller
from serving.access.record import Recordable, ledger_headers, record
from serving.court.curves import inquiry_curve_endpoints
from serving.court.errors import CurveModelChangedError
from serving.court.objections import VALUATION_KINDS, asset_facts
from serving.court.tables import LedgerEntryRow
from serving.state import ModelStore

logger = logging.getLogger(__name__)

C = TypeVar("C", bound=BaseModel)

HistoryMonths = Annotated[
    int | None, Query(ge=1, le=120, description="Default: COURTVAL_CURVE_HISTORY_MONTHS.")
]
ProjectionMonths = Annotated[
    int | None, Query(ge=0, le=24, description="Default: COURTVAL_CURVE_PROJECTION_MONTHS.")
]
#: The OpenAPI answer of a route that answers a curve as its chart.
SVG_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {"content": {"image/svg+xml": {}}, "description": "The chart."}
}


@dataclass(frozen=True)
class CurveKind:
    """How one kind of asset's curve is drawn, read back from the ledger and charted."""

    curve: type[BaseModel]
    valuer: type
    #: ``(valuer, request, model info, history_months=…[, projection_months=…])``.
    price_curve: Callable[..., BaseModel]
    chart: Callable[[Any, Any], Chart]
    #: Whether the curve looks ahead (a car's does; a property has no projection).
    projects: bool

    def draw(
        self,
        loaded: LoadedModel,
        request: BaseModel,
        settings: Settings,
        history_months: int | None = None,
        projection_months: int | None = None,
    ) -> BaseModel:
        """The asset's curve by the ``loaded`` model; months not asked for are the settings'."""
        valuer = loaded.model
        assert isinstance(valuer, self.valuer)
        months = {"history_months": history_months or settings.curve_history_months}
        if self.projects:
            months["projection_months"] = (
                settings.curve_projection_months if projection_months is None else projection_months
            )
        return self.price_curve(valuer, request, loaded.info, **months)


#: Each kind of asset's curve.
CURVE_KINDS: dict[str, CurveKind] = {
    "property": CurveKind(
        PropertyPriceCurve,
        PropertyValuer,
        property_curves.price_curve,
        property_curves.chart,
        projects=False,
    ),
    "vehicle": CurveKind(
        PriceCurve, VehicleValuer, vehicle_curves.price_curve, vehicle_curves.chart, projects=True
    ),
}


async def recorded_curve(
    compute: Callable[[], C],
    request: Request,
    caller: Caller,
    loaded: LoadedModel,
    inputs: Recordable,
    case_number: str | None,
    purpose: str | None,
    endpoint: str | None = None,
) -> tuple[C, dict[str, str]]:
    """The curve ``compute`` draws (off the event loop), recorded in the ledger as the
    answer to ``inputs`` (at ``endpoint``, default the request's path); the curve and the
    ledger's headers."""
    curve = await run_in_threadpool(compute)
    entry = await record(
        request,
        caller,
        inputs=inputs,
        outputs=curve,
        endpoint=endpoint,
        model=loaded.info,
        case_number=case_number,
        purpose=purpose,
    )
    return curve, ledger_headers(entry)


def answering_model(entry: LedgerEntryRow, kind: str, store: ModelStore) -> LoadedModel:
    """The served model of ``kind`` if it is the one that answered ``entry``.

    Raises:
        CurveModelChangedError: Another model is served, or none of the kind (409).
    """
    loaded = store.get(kind)
    answered_by: tuple[str | None, str | None, str | None]
    answered_by = (entry.model_name, entry.model_version, None)
    if loaded is None:
        raise CurveModelChangedError(entry.id, answered_by, None)
    info = loaded.info
    same = entry.model_name == info.name and entry.model_version == info.version
    if same and (entry.run_id is None or info.run_id is None or entry.run_id == info.run_id):
        return loaded
    if same:  # the same name and version, retrained: the runs tell them apart
        answered_by = (entry.model_name, entry.model_version, entry.run_id)
    served = (info.name, info.version, info.run_id if same else None)
    raise CurveModelChangedError(entry.id, answered_by, served)


async def draw_inquiry_curve(
    request: Request, caller: Caller, entry: LedgerEntryRow, store: ModelStore, settings: Settings
) -> tuple[BaseModel, dict[str, str]]:
    """Draw an inquiry's curve with the model that answered it, from the facts its entry
    recorded and the settings' months, and record it at the inquiry's curve endpoint (whatever
    request asked for it: the curve's own, or a report's); the curve and the ledger's headers.

    Raises:
        CurveModelChangedError: That model is no longer served (409).
    """
    kind, asset = asset_facts(entry)
    loaded = answering_model(entry, kind, store)
    spec = CURVE_KINDS[kind]
    inputs = {
        "inquiry_id": entry.id,
        "history_months": settings.curve_history_months,
        "projection_months": settings.curve_projection_months if kind == "vehicle" else 0,
    }
    return await recorded_curve(
        lambda: spec.draw(loaded, asset, settings),
        request,
        caller,
        loaded,
        inputs,
        entry.case_number,
        entry.purpose,
        endpoint=inquiry_curve_endpoints(entry.id)[0],
    )


async def report_curves(
    request: Request,
    caller: Caller,
    entries: list[LedgerEntryRow],
    drawn: dict[int, LedgerEntryRow],
    store: ModelStore,
    settings: Settings,
) -> dict[int, BaseModel]:
    """The curve each inquiry's report shows: the one recorded (``drawn``), else one drawn
    and recorded now by the model that answered; none when that model is no longer served."""
    curves: dict[int, BaseModel] = {}
    for entry in entries:
        curve = read_curve(VALUATION_KINDS[entry.endpoint], drawn.get(entry.id))
        if curve is None:
            try:
                curve, _ = await draw_inquiry_curve(request, caller, entry, store, settings)
            except CurveModelChangedError:
                logger.info("inquiry %d: no price curve in its report (model changed)", entry.id)
                continue
        curves[entry.id] = curve
    return curves


def read_curve(kind: str, row: LedgerEntryRow | None) -> BaseModel | None:
    """The curve a ledger entry recorded for an inquiry of ``kind``, or ``None`` when there
    is none or the entry kept only its digest (a ledger inline limit below a curve's size)."""
    if row is None:
        return None
    try:
        return CURVE_KINDS[kind].curve.model_validate(row.outputs)
    except ValidationError:
        logger.warning("ledger entry %d holds no readable price curve", row.id)
        return None

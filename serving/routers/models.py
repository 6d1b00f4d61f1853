"""Model administration for data scientists: what the server holds, and a reload (of the
champions and of the holiday file)."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Request, Response
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel
from sqlalchemy.orm import Session

from models.property.guide_prices import GuidePriceStatus
from models.schemas import ModelInfo
from serving.access.auth import DataScientistDep, OperatorDep
from serving.access.record import record_change, stamp
from serving.deps import SettingsDep, StoreDep
from serving.guide_prices import guide_prices
from serving.holidays import refresh_calendar
from serving.observability import set_model_info
from serving.state import ModelSource, ReloadReport, reload_store

router = APIRouter(tags=["models"])


class LoadedModelPublic(BaseModel):
    """A loaded model, by kind, and whether it came from the registry or a bundle file."""

    kind: str
    model: ModelInfo
    source: ModelSource | None = None


@router.get("/v1/models")
async def list_models(_: DataScientistDep, store: StoreDep) -> list[LoadedModelPublic]:
    """Name, version, alias, run id, training time and holdout metrics of each loaded model."""
    return [
        LoadedModelPublic(kind=k, model=m.info, source=store.source(k))
        for k, m in sorted(store.loaded.items())
    ]


@router.get("/v1/guide-prices")
async def guide_price_status(_: OperatorDep, settings: SettingsDep) -> GuidePriceStatus:
    """The government base-price table in use (``COURTVAL_GUIDE_PRICE_FILE``): its file and
    SHA-256, how many 小区 it prices, from which dates and sources; all empty without one."""
    path = settings.guide_price_file
    # A copy the court has just put in place is read before it is described.
    table = await run_in_threadpool(guide_prices, path, wait=True)
    if path is None or table is None:
        return GuidePriceStatus(
            file=None, sha256=None, rows=0, communities=0, effective_dates=[], sources=[]
        )
    return table.status(str(path))


def _reload_lock(request: Request) -> asyncio.Lock:
    lock: asyncio.Lock | None = getattr(request.app.state, "reload_lock", None)
    if lock is None:
        lock = request.app.state.reload_lock = asyncio.Lock()
    return lock


@router.post("/v1/admin/reload")
async def reload_models(
    caller: DataScientistDep, request: Request, response: Response
) -> ReloadReport:
    """Load the current champions without a restart. Requests in flight finish on the models
    they started with; the new set is swapped in at once. A kind whose champion cannot be
    loaded (registry unreachable, bad bundle) keeps serving its last good model.

    The holiday file (``COURTVAL_HOLIDAY_FILE``) is read again too (a bad one leaves the
    calendar as it was), and the appraisal tasks whose provisional dates the calendar now
    covers get their exact dates (``calendar.settled``)."""
    settings = request.app.state.settings
    async with _reload_lock(request):
        current = request.app.state.models
        fresh, report = await run_in_threadpool(reload_store, current, settings)

        def settle(session: Session) -> ReloadReport:
            calendar = refresh_calendar(settings.holiday_file, session)
            return report.model_copy(update={"calendar": calendar})

        # Recorded before the swap, and the settled dates committed with the record: a reload
        # the ledger cannot record does not happen (503).
        report, entry = await record_change(
            request, caller, settle, inputs={}, outputs=lambda done: done
        )
        request.app.state.models = fresh
        set_model_info(request, fresh)
    stamp(response, entry)
    return report

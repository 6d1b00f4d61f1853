"""The application factory: ``create_app(settings)``; models load in the lifespan."""

from __future__ import annotations

import gc
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from models.clock import china_today
from models.court import calendar_warning, supplement_calendar
from models.settings import Settings, get_settings
from serving.access.store import CourtStore, open_court_store
from serving.batch import hoist_body_definitions
from serving.court.objections import settleable_count
from serving.errors import install_error_handlers
from serving.guide_prices import load_guide_prices
from serving.holidays import read_holiday_file
from serving.jobs import JobBook
from serving.observability import install_observability, set_model_info
from serving.routers import (
    batch_files,
    cases,
    debtor_capacity,
    health,
    inquiries,
    inquiry_curves,
    ledger,
    models,
    property_valuations,
    queues,
    reports,
    sales,
    vehicle_valuations,
    vocabulary,
)
from serving.state import ModelStore, load_champions
from serving.web import STATIC_DIR
from serving.web import router as web_router

logger = logging.getLogger(__name__)

Loader = Callable[[Settings], ModelStore]


def create_app(settings: Settings | None = None, loader: Loader = load_champions) -> FastAPI:
    """Build the API. ``loader`` fills the model store at start-up.

    The holiday file of the settings, if any, supplements the working-day calendar of the whole
    process from here on (:func:`models.court.supplement_calendar`; a bad file is a
    :class:`~models.errors.DataError` before anything is served); so does a bad guide price
    file (:mod:`serving.guide_prices`).
    """
    settings = settings or get_settings()
    supplement_calendar(read_holiday_file(settings.holiday_file))
    load_guide_prices(settings.guide_price_file)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.court = open_court_store(settings)
        app.state.jobs = JobBook(ttl_seconds=settings.job_ttl_minutes * 60)
        app.state.models = loader(settings)
        set_model_info(app, app.state.models)
        for kind, loaded in app.state.models.loaded.items():
            logger.info("serving %s: %s v%s", kind, loaded.info.name, loaded.info.version)
        if warning := calendar_warning(china_today()):
            logger.warning(warning)
        _warn_of_settleable_tasks(app.state.court)
        # The models live as long as the process: keep the cyclic GC from rescanning them.
        gc.collect()
        gc.freeze()
        try:
            yield
        finally:
            app.state.jobs.close()
            app.state.court.close()

    app = FastAPI(
        title="courtval",
        summary="法院执行询价与风险评估服务 — valuation and risk scoring for court enforcement",
        version="0.1.0",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.models = ModelStore()
    install_error_handlers(app)
    install_observability(app, settings)
    for router in (
        health.router,
        models.router,
        property_valuations.router,
        vehicle_valuations.router,
        debtor_capacity.router,
        cases.router,
        ledger.router,
        inquiries.router,
        reports.router,
        inquiry_curves.router,
        sales.router,
        batch_files.router,
        queues.router,
        vocabulary.router,
        web_router,
    ):
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    _complete_openapi(app)
    return app


def _warn_of_settleable_tasks(court: CourtStore) -> None:
    """Say at start-up when the calendar now covers tasks still marked provisional: a reload
    settles them, and records it in the ledger (a start-up has no key to record it under)."""
    with court.sessions() as session:
        count = settleable_count(session)
    if count:
        logger.warning(
            "%d appraisal tasks have provisional dates the holiday calendar now covers; "
            "POST /v1/admin/reload settles them",
            count,
        )


def _complete_openapi(app: FastAPI) -> None:
    """The OpenAPI document with the hand-parsed bodies' models among its components
    (:func:`serving.batch.hoist_body_definitions`; FastAPI caches the document, and the
    hoisting leaves a hoisted one as it is)."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        return hoist_body_definitions(build())

    app.openapi = openapi  # type: ignore[method-assign]  # FastAPI's documented override

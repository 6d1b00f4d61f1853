"""The application factory: ``create_app(settings)``; models load in the lifespan."""

from __future__ import annotations

import gc
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from fastapi import FastAPI

from models.settings import Settings, get_settings
from serving.access.store import open_court_store
from serving.errors import install_error_handlers
from serving.observability import install_observability, set_model_info
from serving.routers import (
    cases,
    debtor_capacity,
    health,
    inquiries,
    ledger,
    models,
    property_valuations,
    vehicle_valuations,
)
from serving.state import ModelStore, load_champions

logger = logging.getLogger(__name__)

Loader = Callable[[Settings], ModelStore]


def create_app(settings: Settings | None = None, loader: Loader = load_champions) -> FastAPI:
    """Build the API. ``loader`` fills the model store at start-up."""
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.court = open_court_store(settings)
        app.state.models = loader(settings)
        set_model_info(app, app.state.models)
        for kind, loaded in app.state.models.loaded.items():
            logger.info("serving %s: %s v%s", kind, loaded.info.name, loaded.info.version)
        # The models live as long as the process: keep the cyclic GC from rescanning them.
        gc.collect()
        gc.freeze()
        try:
            yield
        finally:
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
    ):
        app.include_router(router)
    return app

"""Liveness and readiness probes (no key needed) and the Prometheus scrape (an operator's key)."""

from __future__ import annotations

import logging

from fastapi import APIRouter, Request, Response, status
from fastapi.concurrency import run_in_threadpool
from sqlalchemy.exc import SQLAlchemyError

from models.clock import china_today
from models.court import covered_years
from serving.access.auth import ScrapeDep, court_store
from serving.court.objections import task_counts
from serving.deps import SettingsDep, StoreDep
from serving.observability import metrics_response, set_court_gauges

logger = logging.getLogger(__name__)

router = APIRouter(tags=["health"])


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    """The process is up."""
    return {"status": "ok"}


@router.get("/readyz")
async def readyz(store: StoreDep, settings: SettingsDep, response: Response) -> dict[str, object]:
    """Ready only when every model the settings serve is loaded."""
    loaded = sorted(store.loaded)
    ready = all(kind in store.loaded for kind in settings.serve_kinds)
    if not ready:
        response.status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    return {"status": "ready" if ready else "not ready", "models": loaded}


@router.get("/metrics", response_class=Response, tags=["operations"])
async def metrics(_: ScrapeDep, request: Request) -> Response:
    """Prometheus metrics: requests and latency histograms per route, the models served,
    quota rejections and ledger writes, the appraisal tasks by state (overdue ones included)
    and the last year the holiday calendar knows. Needs a data-scientist or auditor key
    (Prometheus: ``authorization: {credentials_file: ...}``); a scrape is neither metered nor
    recorded, as it says nothing about a case."""

    def count() -> dict[str, int]:
        try:
            with court_store(request).sessions() as session:
                return task_counts(session, china_today())
        except SQLAlchemyError as exc:  # the rest of the scrape still says what is wrong
            logger.warning("metrics: appraisal tasks not counted: %s", exc)
            return {}

    set_court_gauges(request, await run_in_threadpool(count), covered_years()[-1])
    return metrics_response(request.app)

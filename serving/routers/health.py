"""Liveness and readiness probes (no key needed) and the Prometheus scrape (an operator's key)."""

from __future__ import annotations

import datetime as dt
import logging

from fastapi import APIRouter, Request, Response, status
from fastapi.concurrency import run_in_threadpool
from sqlalchemy.exc import SQLAlchemyError

from models.clock import china_today
from models.court import covered_years
from models.court.sales import SALE_KINDS, RatioStudy
from serving.access.auth import ScrapeDep, court_store
from serving.court.objections import task_counts
from serving.court.sales import ratio_study
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
    quota rejections and ledger writes, the appraisal tasks by state (overdue ones included),
    the last year the holiday calendar knows, and the last year's recorded sales with the
    inquiries' accuracy against them (median APE, PPE10, COD, PRD) by kind. Needs a
    data-scientist or auditor key (Prometheus: ``authorization: {credentials_file: ...}``); a
    scrape is neither metered nor recorded, as it says nothing about a case."""

    today, sessions = china_today(), court_store(request).sessions

    def count() -> tuple[dict[str, int], dict[str, RatioStudy]]:
        since = today - dt.timedelta(days=365)
        tasks: dict[str, int] = {}
        sales: dict[str, RatioStudy] = {}
        try:  # the rest of the scrape still says what is wrong
            with sessions() as session:
                tasks = task_counts(session, today)
        except SQLAlchemyError as exc:
            logger.warning("metrics: appraisal tasks not counted: %s", exc)
        try:
            with sessions() as session:
                sales = {k: ratio_study(session, kind=k, sold_from=since) for k in SALE_KINDS}
        except SQLAlchemyError as exc:
            logger.warning("metrics: sales not studied: %s", exc)
        return tasks, sales

    tasks, sales = await run_in_threadpool(count)
    set_court_gauges(request, tasks, covered_years()[-1], sales)
    return metrics_response(request.app)

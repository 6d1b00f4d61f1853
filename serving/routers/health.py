"""Liveness and readiness probes (no key needed) and the Prometheus scrape (an operator's key)."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response, status

from serving.access.auth import ScrapeDep
from serving.deps import SettingsDep, StoreDep
from serving.observability import metrics_response

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
    quota rejections and ledger writes. Needs a data-scientist or auditor key (Prometheus:
    ``authorization: {credentials_file: ...}``); a scrape is neither metered nor recorded,
    as it says nothing about a case."""
    return metrics_response(request.app)

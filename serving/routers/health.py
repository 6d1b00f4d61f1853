"""Liveness and readiness probes (no key needed)."""

from __future__ import annotations

from fastapi import APIRouter, Response, status

from serving.deps import SettingsDep, StoreDep

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

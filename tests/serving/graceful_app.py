"""A tiny app with a slow endpoint, served by :func:`run_server` as ``courtval serve`` does.

The graceful-shutdown test runs ``python -m tests.serving.graceful_app PORT GRACE`` and sends it
SIGTERM while ``/slow`` is in flight.
"""

from __future__ import annotations

import asyncio
import logging
import sys

from fastapi import FastAPI

from models.settings import Settings
from serving.observability import install_observability, run_server

logger = logging.getLogger(__name__)

#: How long /slow takes; the test signals the server within this time.
SLOW_SECONDS = 1.5


def build_app(settings: Settings) -> FastAPI:
    """An app with ``/ping`` and a ``/slow`` endpoint that logs when it starts."""
    app = FastAPI()
    install_observability(app, settings)

    @app.get("/ping")
    async def ping() -> dict[str, bool]:
        return {"ok": True}

    @app.get("/slow")
    async def slow() -> dict[str, bool]:
        logger.info("slow request started")
        await asyncio.sleep(SLOW_SECONDS)
        return {"ok": True}

    return app


def main(port: int, grace: float) -> None:
    """Serve on loopback ``port`` with JSON logs and ``grace`` seconds to finish on SIGTERM."""
    settings = Settings(
        _env_file=None,  # the test controls every setting
        log_format="json",
        log_level="INFO",
        shutdown_grace_seconds=grace,
    )
    run_server(build_app(settings), settings, host="127.0.0.1", port=port)


if __name__ == "__main__":
    main(int(sys.argv[1]), float(sys.argv[2]))

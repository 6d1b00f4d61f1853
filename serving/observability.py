"""Operations: Prometheus metrics, a request id for the logs, and a graceful server.

Every app gets its own metrics registry (``app.state.metrics``) so that several apps in one
process never share counters. The middleware is plain ASGI: it neither buffers nor breaks
streamed responses. The log formats live in :mod:`serving.logs`.
"""

from __future__ import annotations

import contextlib
import logging
import math
import re
import signal
import threading
import time
import uuid
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING

import uvicorn
from fastapi import FastAPI
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from starlette.applications import Starlette
from starlette.datastructures import MutableHeaders
from starlette.requests import HTTPConnection
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from models.court.sales import RatioStudy
from serving.logs import REQUEST_ID, logging_config

if TYPE_CHECKING:
    from models.settings import Settings
    from serving.state import ModelStore

logger = logging.getLogger(__name__)
access_logger = logging.getLogger(f"{__name__}.access")

REQUEST_ID_HEADER = "X-Request-ID"
_SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
#: Latency buckets from 1 ms (a fast-path valuation) to 30 s (a bulk triage ranking).
DURATION_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)
QUOTA_LIMITS = frozenset({"per_minute", "per_day", "hours"})
UNMATCHED_ROUTE = "unmatched"
# Anything else is "OTHER": a client must not be able to invent label values.
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


class MetricsRegistry(CollectorRegistry):
    """One app's Prometheus registry, holding the courtval metrics as attributes."""

    def __init__(self) -> None:
        super().__init__(auto_describe=True)
        self.requests = Counter(
            "courtval_requests",
            "HTTP requests served, by route template, method and status.",
            ("route", "method", "status"),
            registry=self,
        )
        self.duration = Histogram(
            "courtval_request_duration_seconds",
            "Time to serve a request, by route template, method and status.",
            ("route", "method", "status"),
            buckets=DURATION_BUCKETS,
            registry=self,
        )
        self.model_info = Gauge(
            "courtval_model_info",
            "The models being served (always 1).",
            ("kind", "name", "version", "source"),
            registry=self,
        )
        self.quota_rejections = Counter(
            "courtval_quota_rejections",
            "Requests refused by a key's quota, by role and the limit reached.",
            ("role", "limit"),
            registry=self,
        )
        self.ledger_writes = Counter(
            "courtval_ledger_writes",
            "Inquiry ledger writes, by outcome.",
            ("outcome",),
            registry=self,
        )
        self.appraisal_tasks = Gauge(
            "courtval_appraisal_tasks",
            "Appraisal tasks opened by objections, by state (open, started, done, withdrawn; "
            "overdue: open after the due day; provisional: dates awaiting the holiday calendar), "
            "as of the scrape.",
            ("state",),
            registry=self,
        )
        self.sales = Gauge(
            "courtval_sales_last_year",
            "Sales recorded against inquiries (POST /v1/inquiries/{id}/sale), sold in the last "
            "365 days, by kind.",
            ("kind",),
            registry=self,
        )
        self.sales_accuracy = Gauge(
            "courtval_sales_accuracy_last_year",
            "The inquiries' accuracy against those sales, by kind and figure (median_ape, ppe10: "
            "shares; cod: percent; prd; ours_closest: the share of the sales with a reference "
            "price where ours came closest to the price, Art. 31): alert when it drifts.",
            ("kind", "figure"),
            registry=self,
        )
        self.calendar_last_year = Gauge(
            "courtval_holiday_calendar_last_year",
            "The last year the working-day calendar knows (alert when it is the current year "
            "in December).",
            registry=self,
        )


MetricsTarget = Starlette | HTTPConnection | MetricsRegistry


def metrics_of(target: MetricsTarget) -> MetricsRegistry:
    """The registry of an app, of a request's app, or the registry itself."""
    if isinstance(target, MetricsRegistry):
        return target
    app = target.app if isinstance(target, HTTPConnection) else target
    registry = getattr(app.state, "metrics", None)
    if not isinstance(registry, MetricsRegistry):
        raise RuntimeError(
            "this app has no metrics registry: call install_observability(app, settings) "
            "in create_app"
        )
    return registry


class ObservabilityMiddleware:
    """Give each HTTP request an id, time it, count it and log one access line."""

    def __init__(self, app: ASGIApp, registry: MetricsRegistry) -> None:
        self.app = app
        self.registry = registry

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = _request_id(scope)
        token = REQUEST_ID.set(request_id)
        start = time.perf_counter()
        status = 500  # what the client gets when the app raises before answering

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                MutableHeaders(scope=message)[REQUEST_ID_HEADER] = request_id
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            self._record(scope, status, time.perf_counter() - start)
            REQUEST_ID.reset(token)

    def _record(self, scope: Scope, status: int, seconds: float) -> None:
        route = _route_template(scope)
        method = scope["method"] if scope["method"] in _METHODS else "OTHER"
        labels = {"route": route, "method": method, "status": str(status)}
        self.registry.requests.labels(**labels).inc()
        self.registry.duration.labels(**labels).observe(seconds)
        duration_ms = round(seconds * 1000, 1)
        access_logger.info(
            "%s %s %d %.1f ms",
            method,
            route,
            status,
            duration_ms,
            extra={"method": method, "route": route, "status": status, "duration_ms": duration_ms},
        )


def _request_id(scope: Scope) -> str:
    """The caller's X-Request-ID when it is a sane token, else a new one."""
    for name, value in scope["headers"]:
        if name == b"x-request-id":
            candidate = value.decode("latin-1")
            if _SANE_REQUEST_ID.fullmatch(candidate):
                return candidate
            break
    return uuid.uuid4().hex


def _route_template(scope: Scope) -> str:
    """The matched route's template (``/v1/items/{item_id}``), never the raw path."""
    path = getattr(scope.get("route"), "path", None)
    return path if isinstance(path, str) and path else UNMATCHED_ROUTE


def install_observability(app: FastAPI, settings: Settings) -> None:
    """Give ``app`` its metrics registry (``app.state.metrics``) and the request middleware.

    Call it after any other ``add_middleware``: the last one added runs outermost, and this one
    should see every request. ``settings`` is taken so create_app wires operations in one call.
    """
    del settings  # nothing in the middleware is configurable yet
    registry = MetricsRegistry()
    app.state.metrics = registry
    app.add_middleware(ObservabilityMiddleware, registry=registry)


def metrics_response(app: Starlette) -> Response:
    """The Prometheus exposition of ``app``'s metrics."""
    return Response(generate_latest(metrics_of(app)), media_type=CONTENT_TYPE_LATEST)


def set_model_info(target: MetricsTarget, store: ModelStore) -> None:
    """Publish the served models as ``courtval_model_info``; call after every (re)load."""
    gauge = metrics_of(target).model_info
    gauge.clear()  # a reloaded kind must not keep reporting its previous version
    sources = getattr(store, "sources", {})  # registry or bundle, by kind
    for kind, loaded in store.loaded.items():
        gauge.labels(
            kind=kind,
            name=loaded.info.name,
            version=str(loaded.info.version),
            source=str(sources.get(kind, "unknown")),
        ).set(1)


#: The figures of a ratio study published as ``courtval_sales_accuracy_last_year``.
SALES_FIGURES = ("median_ape", "ppe10", "cod", "prd")


def set_court_gauges(
    target: MetricsTarget,
    tasks: Mapping[str, int],
    calendar_last_year: int,
    sales: Mapping[str, RatioStudy] | None = None,
) -> None:
    """Publish the appraisal tasks by state, the calendar's last year and, by kind, the
    last year's sales and the inquiries' accuracy against them; call at a scrape."""
    registry = metrics_of(target)
    registry.appraisal_tasks.clear()
    for state, count in tasks.items():
        registry.appraisal_tasks.labels(state=state).set(count)
    registry.calendar_last_year.set(calendar_last_year)
    registry.sales.clear()
    registry.sales_accuracy.clear()
    for kind, study in (sales or {}).items():
        registry.sales.labels(kind=kind).set(study.n)
        if study.metrics is not None:
            for figure in SALES_FIGURES:
                value = getattr(study.metrics, figure)
                registry.sales_accuracy.labels(kind=kind, figure=figure).set(value)
        if study.fee.ours_closest_share is not None:
            share = study.fee.ours_closest_share
            registry.sales_accuracy.labels(kind=kind, figure="ours_closest").set(share)


def count_quota_rejection(target: MetricsTarget, role: str, limit: str) -> None:
    """Count a request refused by a quota; ``limit`` is per_minute, per_day or hours."""
    if str(limit) not in QUOTA_LIMITS:
        raise ValueError(f"unknown quota limit {limit!r}; choose from {sorted(QUOTA_LIMITS)}")
    metrics_of(target).quota_rejections.labels(role=str(role), limit=str(limit)).inc()


def count_ledger_write(target: MetricsTarget, ok: bool) -> None:
    """Count an inquiry-ledger write that succeeded (``ok``) or failed."""
    metrics_of(target).ledger_writes.labels(outcome="ok" if ok else "failed").inc()


def run_server(app: FastAPI, settings: Settings, *, host: str, port: int) -> None:
    """Serve ``app`` with uvicorn until SIGTERM or Ctrl+C.

    On SIGTERM uvicorn stops accepting connections, lets the requests in flight finish for up to
    ``settings.shutdown_grace_seconds`` (then cancels them), runs the lifespan shutdown and
    returns, so the process exits with status 0.
    """
    with _sigterm_echo_ignored():
        uvicorn.run(
            app,
            host=host,
            port=port,
            log_config=logging_config(settings),
            log_level=settings.log_level.lower(),
            access_log=False,
            # uvicorn takes whole seconds; round up so the grace is never shorter than asked.
            timeout_graceful_shutdown=math.ceil(settings.shutdown_grace_seconds),
        )


@contextlib.contextmanager
def _sigterm_echo_ignored() -> Iterator[None]:
    """Ignore the SIGTERM uvicorn re-raises after its graceful shutdown.

    uvicorn re-raises the signal it handled so that an embedding program's own handler runs;
    with the default handler that kills the process (status 143) after a clean shutdown.
    """
    if threading.current_thread() is not threading.main_thread():
        yield  # signal handlers can only be set from the main thread; uvicorn sets none either
        return
    previous = signal.signal(signal.SIGTERM, _ignore_signal)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _ignore_signal(signum: int, frame: object) -> None:
    """Do nothing: the server has already shut down gracefully."""

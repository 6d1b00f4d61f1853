"""Every request dependency runs on the event loop: FastAPI hands a plain ``def`` dependency
to its worker thread pool, a thread hop per dependency per request."""

from __future__ import annotations

import inspect
from collections.abc import Iterator, Sequence
from pathlib import Path

from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from starlette.routing import BaseRoute

from serving.app import create_app
from tests.conftest import make_settings


def _api_routes(routes: Sequence[BaseRoute]) -> Iterator[APIRoute]:
    """The app's API routes, those of included routers too (FastAPI >= 0.16x wraps each
    included router in a route of its own that keeps the ``original_router``)."""
    for route in routes:
        if isinstance(route, APIRoute):
            yield route
        elif (included := getattr(route, "original_router", None)) is not None:
            yield from _api_routes(included.routes)


def _sub_dependants(dependant: Dependant) -> Iterator[Dependant]:
    for sub in dependant.dependencies:
        yield sub
        yield from _sub_dependants(sub)


def _runs_on_the_loop(call: object) -> bool:
    return any(
        inspect.iscoroutinefunction(f) or inspect.isasyncgenfunction(f)
        for f in (call, getattr(call, "__call__", None))  # noqa: B004 - a security scheme's __call__
    )


def test_no_request_dependency_runs_in_the_thread_pool(tmp_path: Path) -> None:
    app = create_app(make_settings(tmp_path))
    routes = list(_api_routes(app.routes))
    assert len(routes) > 20
    threaded = sorted(
        {
            f"{route.path}: {getattr(sub.call, '__name__', sub.call)}"
            for route in routes
            for sub in _sub_dependants(route.dependant)
            if sub.call is not None and not _runs_on_the_loop(sub.call)
        }
    )
    assert threaded == []

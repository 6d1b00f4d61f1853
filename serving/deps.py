"""Request dependencies: settings and loaded models, as ``Annotated`` aliases.

Each is ``async``, though none awaits: FastAPI runs a plain ``def`` dependency in its worker
thread pool, a hand-over between threads per dependency per request (a valuation had three).
These only read the app's state, which is safe on the event loop; a test checks every route.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request, status

from models.capacity.options import CapacityOptions
from models.identity import identity_key
from models.registry import LoadedModel
from models.settings import Settings
from serving.state import ModelStore


def app_settings(request: Request) -> Settings:
    """The settings the app was built with."""
    settings: Settings = request.app.state.settings
    return settings


async def get_settings(request: Request) -> Settings:
    """The settings the app was built with (the dependency)."""
    return app_settings(request)


async def get_store(request: Request) -> ModelStore:
    """The models the app holds."""
    store: ModelStore = request.app.state.models
    return store


SettingsDep = Annotated[Settings, Depends(get_settings)]
StoreDep = Annotated[ModelStore, Depends(get_store)]


def model_of(kind: str) -> Callable[[ModelStore], Coroutine[Any, Any, LoadedModel]]:
    """A dependency yielding the champion of ``kind``, or 503 when none is loaded."""

    async def dependency(store: StoreDep) -> LoadedModel:
        loaded = store.get(kind)
        if loaded is None:
            raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, f"{kind} model not loaded")
        return loaded

    dependency.__name__ = f"get_{kind}_model"
    return dependency


PropertyModelDep = Annotated[LoadedModel, Depends(model_of("property"))]
VehicleModelDep = Annotated[LoadedModel, Depends(model_of("vehicle"))]
CapacityModelDep = Annotated[LoadedModel, Depends(model_of("capacity"))]


async def get_capacity_options(request: Request) -> CapacityOptions:
    """Tier thresholds, reason and lead counts and the identity key (resolved once)."""
    options: CapacityOptions | None = getattr(request.app.state, "capacity_options", None)
    if options is None:
        settings = app_settings(request)
        options = CapacityOptions.from_settings(settings, identity_key(settings))
        request.app.state.capacity_options = options
    return options


CapacityOptionsDep = Annotated[CapacityOptions, Depends(get_capacity_options)]

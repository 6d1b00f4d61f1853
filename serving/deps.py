"""Request dependencies: settings and loaded models, as ``Annotated`` aliases."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException, Request, status

from models.registry import LoadedModel
from models.settings import Settings
from serving.state import ModelStore


def get_settings(request: Request) -> Settings:
    """The settings the app was built with."""
    settings: Settings = request.app.state.settings
    return settings


def get_store(request: Request) -> ModelStore:
    """The models the app holds."""
    store: ModelStore = request.app.state.models
    return store


SettingsDep = Annotated[Settings, Depends(get_settings)]
StoreDep = Annotated[ModelStore, Depends(get_store)]


def get_property_model(store: StoreDep) -> LoadedModel:
    """The property champion, or 503 when none is loaded."""
    loaded = store.get("property")
    if loaded is None:
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, "property model not loaded")
    return loaded


PropertyModelDep = Annotated[LoadedModel, Depends(get_property_model)]

"""What models the server holds."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from models.schemas import ModelInfo
from serving.deps import StoreDep

router = APIRouter(prefix="/v1/models", tags=["models"])


class LoadedModelPublic(BaseModel):
    """A loaded model, by kind."""

    kind: str
    model: ModelInfo


@router.get("")
async def list_models(store: StoreDep) -> list[LoadedModelPublic]:
    """Name, version, alias, run id, training time and holdout metrics of each loaded model."""
    return [LoadedModelPublic(kind=k, model=m.info) for k, m in sorted(store.loaded.items())]

"""The models a running server holds, loaded in the lifespan (never at import)."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from models.registry import LoadedModel, load_champion
from models.settings import Settings

logger = logging.getLogger(__name__)


@dataclass
class ModelStore:
    """Loaded models by kind (``property``, ``vehicle``)."""

    loaded: dict[str, LoadedModel] = field(default_factory=dict)

    def get(self, kind: str) -> LoadedModel | None:
        """The loaded model of a kind, or None."""
        return self.loaded.get(kind)


def load_champions(settings: Settings) -> ModelStore:
    """Load the champion of every served kind from the registry; raises when one is missing."""
    store = ModelStore()
    for kind in settings.serve_kinds:
        store.loaded[kind] = load_champion(settings, kind)
    return store

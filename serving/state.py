"""The models a running server holds, loaded in the lifespan (never at import).

Where a kind's model comes from follows ``settings.model_source`` (:mod:`models.served`, which
the batch commands share). A model loaded from the registry is also written, signed, to its
kind's bundle file (the "last good" copy), so that a restart without the registry still
serves; without a signing key that copy is skipped. :func:`reload_store` builds a new store
and never touches the one serving, so requests in flight keep the models they started with.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Literal

from pydantic import BaseModel, Field

from models.bundle_file import bundle_file_of, inspect_bundle_file, signing_key, write_bundle_file
from models.errors import CourtvalError
from models.registry import LoadedModel
from models.served import ModelSource, ServedModel, first_line, load_served
from models.settings import Settings
from serving.holidays import CalendarReload

logger = logging.getLogger(__name__)


@dataclass
class ModelStore:
    """Loaded models by kind (``property``, ``vehicle``) and where each came from."""

    loaded: dict[str, LoadedModel] = field(default_factory=dict)
    sources: dict[str, ModelSource] = field(default_factory=dict)

    def get(self, kind: str) -> LoadedModel | None:
        """The loaded model of a kind, or None."""
        return self.loaded.get(kind)

    def source(self, kind: str) -> ModelSource | None:
        """Whether a kind's model came from the registry or a bundle file, or None."""
        return self.sources.get(kind)


class KindReload(BaseModel):
    """What a reload did to one kind."""

    kind: str
    outcome: Literal["changed", "unchanged", "kept"] = Field(
        description="changed: a new version serves; unchanged: the same version; "
        "kept: loading failed and the model serving before stays."
    )
    version: str = Field(description="The version serving after the reload.")
    previous_version: str | None = None
    source: ModelSource
    reason: str | None = Field(
        default=None, description="Why the model was kept, or why it came from a bundle."
    )


class ReloadReport(BaseModel):
    """The answer to a reload: one entry per served kind, and the working-day calendar."""

    models: list[KindReload]
    calendar: CalendarReload | None = Field(
        default=None,
        description="The holiday file read again, and the appraisal dates that became exact.",
    )

    @property
    def changed(self) -> list[str]:
        """Kinds now serving another version."""
        return [m.kind for m in self.models if m.outcome == "changed"]

    @property
    def kept(self) -> dict[str, str]:
        """Kinds whose reload failed, with the reason; their previous model still serves."""
        return {m.kind: m.reason or "" for m in self.models if m.outcome == "kept"}


def _save_last_good(settings: Settings, kind: str, loaded: LoadedModel) -> None:
    """Keep a signed copy of a registry model for restarts without the registry."""
    if settings.bundle_signing_key is None:
        logger.info("no COURTVAL_BUNDLE_SIGNING_KEY: %s is not kept as a bundle file", kind)
        return
    path = bundle_file_of(settings, kind)
    info = loaded.info
    try:
        if path.is_file():
            held = inspect_bundle_file(path)
            if (held.name, held.version, held.run_id) == (info.name, info.version, info.run_id):
                return
        write_bundle_file(loaded, path, signing_key(settings), kind=kind)
    except (OSError, CourtvalError) as exc:  # the model serves all the same
        logger.warning("could not keep %s v%s as %s: %s", kind, info.version, path, exc)


def _load_kind(settings: Settings, kind: str) -> ServedModel:
    """Load one kind (:func:`models.served.load_served`); keep a registry model's last-good
    copy."""
    fresh = load_served(settings, kind)
    if fresh.source == "registry":
        _save_last_good(settings, kind, fresh.loaded)
    return fresh


def load_champions(settings: Settings) -> ModelStore:
    """Load every served kind (see the module docs); raises when one cannot be loaded."""
    store = ModelStore()
    for kind in settings.serve_kinds:
        fresh = _load_kind(settings, kind)
        store.loaded[kind] = fresh.loaded
        store.sources[kind] = fresh.source
    return store


def _same(a: LoadedModel, b: LoadedModel) -> bool:
    return (a.info.name, a.info.version, a.info.run_id) == (
        b.info.name,
        b.info.version,
        b.info.run_id,
    )


def reload_store(current: ModelStore, settings: Settings) -> tuple[ModelStore, ReloadReport]:
    """A new store with every served kind loaded afresh; ``current`` is left untouched.

    A kind that fails to load keeps its current model (the report says why); raises only when
    a kind fails and has no current model either.
    """
    store = ModelStore()
    entries: list[KindReload] = []
    for kind in settings.serve_kinds:
        old = current.get(kind)
        try:
            fresh = _load_kind(settings, kind)
        # Whatever fails (unpickling a new version included), the serving model must stay;
        # the failure is logged in full and named in the report, not swallowed.
        except Exception as exc:
            if old is None:
                raise
            logger.warning(
                "reload: %s keeps v%s: %s", kind, old.info.version, first_line(exc), exc_info=True
            )
            store.loaded[kind] = old
            store.sources[kind] = current.source(kind) or "registry"
            entries.append(_entry(kind, "kept", old, old, store, first_line(exc)))
            continue
        unchanged = old is not None and _same(old, fresh.loaded)
        # The same version stays the same object: no second copy of it in memory.
        store.loaded[kind] = old if unchanged and old is not None else fresh.loaded
        store.sources[kind] = fresh.source
        outcome: Literal["changed", "unchanged"] = "unchanged" if unchanged else "changed"
        entries.append(_entry(kind, outcome, store.loaded[kind], old, store, fresh.note))
    report = ReloadReport(models=entries)
    logger.info("reload: changed %s, kept %s", report.changed, sorted(report.kept))
    return store, report


def _entry(
    kind: str,
    outcome: Literal["changed", "unchanged", "kept"],
    now: LoadedModel,
    old: LoadedModel | None,
    store: ModelStore,
    reason: str | None,
) -> KindReload:
    return KindReload(
        kind=kind,
        outcome=outcome,
        version=now.info.version,
        previous_version=old.info.version if old is not None else None,
        source=store.sources[kind],
        reason=reason,
    )

"""Which model of a kind is in service, and where it comes from: the same for the server and
for the batch commands (``courtval score``), so that a court network that runs on imported
bundle files scores its nightly files with the model its server answers with.

Where a kind's model comes from follows ``settings.model_source``:

* ``registry``: the version holding the champion alias in MLflow;
* ``bundles``: the signed bundle file ``<bundle_dir>/<kind>.cvbundle`` (``courtval models
  import`` puts it there);
* ``auto``: the registry, and when it is unreachable, has no champion or its download fails,
  that bundle file (a warning names the reason).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Literal

from mlflow.exceptions import MlflowException
from sqlalchemy.exc import SQLAlchemyError

from models.bundle_file import bundle_file_of, read_bundle_file, signing_key
from models.errors import CourtvalError, ModelNotFoundError
from models.registry import LoadedModel, load_champion, require_tracking_store
from models.settings import Settings

logger = logging.getLogger(__name__)

ModelSource = Literal["registry", "bundle"]

#: What a failed registry load raises: MLflow's errors (network ones included), its SQL
#: store's, file errors and our own.
REGISTRY_FAILURES = (CourtvalError, MlflowException, SQLAlchemyError, OSError)


@dataclass(frozen=True)
class ServedModel:
    """A model just loaded, where from, and why not from the registry when it was not."""

    loaded: LoadedModel
    source: ModelSource
    note: str | None = None


def first_line(exc: BaseException) -> str:
    """An error's first line, or its type's name when it has no text."""
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


def load_served(settings: Settings, kind: str) -> ServedModel:
    """Load one kind from where ``settings.model_source`` says (see the module's note).

    Raises:
        ModelNotFoundError: Nothing to load (and how to get a model), or one of
            :data:`REGISTRY_FAILURES` in ``registry`` mode.
    """
    if settings.model_source == "bundles":
        return ServedModel(_from_bundle(settings, kind), "bundle")
    try:
        require_tracking_store(settings.resolved_tracking_uri)
        loaded = load_champion(settings, kind)
    except REGISTRY_FAILURES as exc:
        if settings.model_source == "registry":
            raise
        return _fall_back(settings, kind, first_line(exc))
    return ServedModel(loaded, "registry")


def _from_bundle(settings: Settings, kind: str) -> LoadedModel:
    path = bundle_file_of(settings, kind)
    if not path.is_file():
        raise ModelNotFoundError(
            f"no bundle file {path} (`courtval models import FILE` puts one there)"
        )
    return read_bundle_file(path, signing_key(settings), expected_kind=kind)


def _fall_back(settings: Settings, kind: str, why: str) -> ServedModel:
    path = bundle_file_of(settings, kind)
    logger.warning("%s: registry failed (%s); loading the bundle file %s", kind, why, path)
    try:
        loaded = _from_bundle(settings, kind)
    except CourtvalError as exc:
        raise ModelNotFoundError(
            f"no {kind} model to serve: registry: {why}; bundle: {exc}; "
            f"or train one: `courtval train {kind}`"
        ) from exc
    return ServedModel(loaded, "bundle", note=f"registry failed: {why}")

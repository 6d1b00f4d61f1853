"""Resolving and loading registered models from MLflow (tracking store + model registry)."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import mlflow
from mlflow.exceptions import MlflowException
from mlflow.tracking import MlflowClient

from models.bundle import load_bundle
from models.errors import ModelNotFoundError
from models.schemas import ModelInfo
from models.settings import Settings

logger = logging.getLogger(__name__)

#: Where the bundle lies inside a logged MLflow pyfunc model directory.
BUNDLE_ARTIFACT = "bundle"


@dataclass(frozen=True)
class LoadedModel:
    """A model object ready to answer, with what the responses say about it."""

    model: Any
    info: ModelInfo


def client_for(tracking_uri: str) -> MlflowClient:
    """An MLflow client whose tracking store is also its registry."""
    return MlflowClient(tracking_uri=tracking_uri, registry_uri=tracking_uri)


def champion_version(client: MlflowClient, name: str, alias: str) -> Any | None:
    """The model version holding ``alias``, or None when there is none."""
    try:
        return client.get_model_version_by_alias(name, alias)
    except MlflowException as exc:
        if exc.error_code in {"RESOURCE_DOES_NOT_EXIST", "INVALID_PARAMETER_VALUE"}:
            return None
        raise


def model_info(client: MlflowClient, version: Any, alias: str | None) -> ModelInfo:
    """Describe a registered version: name, version, run, training time and metrics."""
    run = client.get_run(version.run_id) if version.run_id else None
    trained_at = dt.datetime.fromtimestamp(run.info.start_time / 1000, tz=dt.UTC) if run else None
    return ModelInfo(
        name=version.name,
        version=str(version.version),
        run_id=version.run_id,
        alias=alias,
        trained_at=trained_at,
        metrics=dict(run.data.metrics) if run else {},
    )


def load_registered(
    tracking_uri: str, name: str, alias: str, cache_dir: Path, kind: str
) -> LoadedModel:
    """Download the version that holds ``alias``, verify its bundle and load it."""
    client = client_for(tracking_uri)
    version = champion_version(client, name, alias)
    if version is None:
        raise ModelNotFoundError(
            f"no version of {name!r} holds the alias {alias!r} in {tracking_uri}; "
            f"train one first: `courtval train {kind}`"
        )
    target = cache_dir / name / str(version.version)
    target.mkdir(parents=True, exist_ok=True)
    # Resolve the storage location through our own client: a "models:/" URI would be
    # resolved against MLflow's process-wide default registry, not ``tracking_uri``.
    location = client.get_model_version_download_uri(name, str(version.version))
    local = mlflow.artifacts.download_artifacts(
        artifact_uri=location, dst_path=str(target), tracking_uri=tracking_uri
    )
    model, _ = load_bundle(Path(local) / "artifacts" / BUNDLE_ARTIFACT, expected_kind=kind)
    info = model_info(client, version, alias)
    logger.info("loaded %s version %s (run %s) as %s", name, info.version, info.run_id, alias)
    return LoadedModel(model=model, info=info)


def load_champion(settings: Settings, kind: str) -> LoadedModel:
    """The champion of ``kind`` under the settings' store, alias and cache."""
    return load_registered(
        settings.resolved_tracking_uri,
        settings.model_name(kind),
        settings.champion_alias,
        settings.resolved_model_cache_dir,
        kind,
    )

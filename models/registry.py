"""Resolving and loading registered models from MLflow (tracking store + model registry)."""

from __future__ import annotations

import datetime as dt
import logging
import socket
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import mlflow
import sqlalchemy
from mlflow.exceptions import MlflowException
from mlflow.tracking import MlflowClient
from sqlalchemy.pool import NullPool

from models.bundle import load_bundle
from models.errors import ModelNotFoundError, RegistryUnreachableError
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


#: Seconds a probe waits for the tracking store's port (MLflow's own client retries with
#: back-off: about 100 s of warnings for a database server that is down).
PROBE_TIMEOUT = 3.0

_DEFAULT_PORTS = {"http": 80, "https": 443, "postgresql": 5432, "mysql": 3306, "mssql": 1433}
_DATABASES = frozenset({"postgresql", "mysql", "mssql"})


def redacted(uri: str) -> str:
    """``uri`` with its password, if any, shown as ``***`` (for messages and logs)."""
    parts = urlsplit(uri)
    if not parts.password:
        return uri
    user, _, host = parts.netloc.rpartition("@")
    name = user.split(":", 1)[0]
    return parts._replace(netloc=f"{name}:***@{host}").geturl()


def tracking_unreachable(tracking_uri: str, *, must_exist: bool = True) -> str | None:
    """A quick reason the tracking store cannot be used, or None when it may be.

    Checks only what is cheap, in seconds: a tracking server's or database server's port
    answers; a database takes one connection (its login and database name, no retries); a
    SQLite store's file exists, when ``must_exist`` (reading models needs a store; a
    training run may make the first one).
    """
    parts = urlsplit(tracking_uri)
    scheme = parts.scheme.split("+", 1)[0]
    if scheme == "sqlite":
        path = tracking_uri.removeprefix(f"{parts.scheme}:///")
        if must_exist and path and path != ":memory:" and not Path(path).is_file():
            return f"no MLflow store at {path}"
        return None
    try:
        port = parts.port or _DEFAULT_PORTS.get(scheme)
    except ValueError:
        return f"the port in {redacted(tracking_uri)} is not a number"
    if parts.hostname and port is not None:
        try:
            with socket.create_connection((parts.hostname, port), timeout=PROBE_TIMEOUT):
                pass
        except OSError as exc:
            return f"cannot connect to {parts.hostname}:{port} ({exc.strerror or exc})"
    return _database_refuses(tracking_uri) if scheme in _DATABASES else None


def _database_refuses(uri: str) -> str | None:
    """Why one connection to the database at ``uri`` fails (login, database name, driver)."""
    try:
        engine = sqlalchemy.create_engine(uri, poolclass=NullPool)
        try:
            with engine.connect():
                return None
        finally:
            engine.dispose()
    except Exception as exc:  # a probe: any failure (driver missing too) is the reason
        cause = getattr(exc, "orig", None) or exc
        text = str(cause).strip()
        return text.splitlines()[0] if text else type(cause).__name__


def require_tracking_store(tracking_uri: str, *, must_exist: bool = True) -> None:
    """Raise :class:`RegistryUnreachableError` when :func:`tracking_unreachable` finds a reason."""
    reason = tracking_unreachable(tracking_uri, must_exist=must_exist)
    if reason is not None:
        raise RegistryUnreachableError(
            f"MLflow registry {redacted(tracking_uri)} is unreachable: {reason}"
        )


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
    return version_info(version, version_run(client, version), alias)


def version_run(client: MlflowClient, version: Any) -> Any | None:
    """The MLflow run that logged ``version``, or None when it names none."""
    return client.get_run(version.run_id) if version.run_id else None


def version_info(version: Any, run: Any | None, alias: str | None) -> ModelInfo:
    """:func:`model_info` from a run already fetched (:func:`version_run`)."""
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
            f"no version of {name!r} holds the alias {alias!r} in {redacted(tracking_uri)}; "
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

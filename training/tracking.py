"""MLflow bookkeeping for training runs: experiment, logged model, registry and promotion."""

from __future__ import annotations

import logging
import tempfile
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

import mlflow
import pandas as pd
from mlflow.models import infer_signature
from mlflow.tracking import MlflowClient

import models
from models.bundle import save_bundle
from models.registry import BUNDLE_ARTIFACT, champion_version, client_for, load_champion
from models.settings import Settings

logger = logging.getLogger(__name__)

#: The "models from code" file MLflow executes to build the pyfunc (never imported here).
PYFUNC_ENTRY = Path(models.__file__).parent / "pyfunc_entry.py"
_RUNTIME_PACKAGES = ("numpy", "pandas", "scikit-learn", "lightgbm", "joblib", "pydantic", "mlflow")


def start_tracking(settings: Settings) -> MlflowClient:
    """Point MLflow at the configured store and make sure the experiment exists."""
    uri = settings.resolved_tracking_uri
    if uri.startswith("sqlite:///"):
        Path(uri.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    mlflow.set_tracking_uri(uri)
    mlflow.set_registry_uri(uri)
    client = client_for(uri)
    if client.get_experiment_by_name(settings.experiment) is None:
        client.create_experiment(
            settings.experiment, artifact_location=settings.resolved_artifact_root
        )
    mlflow.set_experiment(settings.experiment)
    return client


def _pip_requirements() -> list[str]:
    # Explicit requirements: MLflow's inference would import-trace the model in a subprocess.
    return [f"{name}=={metadata.version(name)}" for name in _RUNTIME_PACKAGES]


def log_registered_model(
    model: Any, *, kind: str, name: str, input_example: pd.DataFrame, bundle_meta: dict[str, Any]
) -> Any:
    """Log ``model`` as a verified bundle inside a pyfunc model and register a new version."""
    output_example = model.predict_frame(input_example)
    with tempfile.TemporaryDirectory() as tmp:
        bundle_dir = Path(tmp) / BUNDLE_ARTIFACT
        save_bundle(model, bundle_dir, name=name, kind=kind, metadata=bundle_meta)
        info = mlflow.pyfunc.log_model(
            name="model",
            python_model=str(PYFUNC_ENTRY),
            artifacts={BUNDLE_ARTIFACT: str(bundle_dir)},
            signature=infer_signature(input_example, output_example),
            input_example=input_example,
            registered_model_name=name,
            pip_requirements=_pip_requirements(),
        )
    version = info.registered_model_version
    logger.info("registered %s version %s", name, version)
    return MlflowClient().get_model_version(name, str(version))


@dataclass(frozen=True)
class Promotion:
    """The outcome of comparing a new version with the champion on the same evaluation data."""

    promoted: bool
    metric: str
    candidate: float
    champion: float | None
    champion_version: str | None
    new_version: str

    def describe(self) -> str:
        """One line for the console and the run's tags."""
        if self.champion is None:
            return f"{self.metric}: no champion yet -> version {self.new_version} is champion"
        verdict = "promoted" if self.promoted else "kept champion"
        return (
            f"{self.metric}: candidate v{self.new_version} {self.candidate:.5f} vs champion "
            f"v{self.champion_version} {self.champion:.5f} -> {verdict}"
        )


def promote_if_better(
    client: MlflowClient,
    *,
    name: str,
    alias: str,
    new_version: str,
    metric: str,
    candidate: float,
    champion: float | None,
) -> Promotion:
    """Move ``alias`` to ``new_version`` only if it strictly beats the champion (lower wins)."""
    current = champion_version(client, name, alias)
    promoted = champion is None or current is None or candidate < champion
    if promoted:
        client.set_registered_model_alias(name, alias, new_version)
    return Promotion(
        promoted=promoted,
        metric=metric,
        candidate=candidate,
        champion=champion if current is not None else None,
        champion_version=str(current.version) if current is not None else None,
        new_version=new_version,
    )


def register_and_promote(
    model: Any,
    *,
    kind: str,
    name: str,
    input_example: pd.DataFrame,
    bundle_meta: dict[str, Any],
    client: MlflowClient,
    alias: str,
    metric: str,
    candidate: float,
    champion: float | None,
) -> tuple[str, Promotion]:
    """Inside an active run: register ``model`` as a new version and promote it if better."""
    version = log_registered_model(
        model, kind=kind, name=name, input_example=input_example, bundle_meta=bundle_meta
    )
    promotion = promote_if_better(
        client,
        name=name,
        alias=alias,
        new_version=str(version.version),
        metric=metric,
        candidate=candidate,
        champion=champion,
    )
    mlflow.set_tag("promotion", promotion.describe())
    return str(version.version), promotion


def champion_or_none(client: MlflowClient, settings: Settings, kind: str) -> Any | None:
    """The champion model object of ``kind``, or None while no version holds the alias."""
    if champion_version(client, settings.model_name(kind), settings.champion_alias) is None:
        return None
    return load_champion(settings, kind).model

"""MLflow bookkeeping for training runs: experiment, logged model, registry and promotion."""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Callable
from dataclasses import replace
from importlib import metadata
from pathlib import Path
from typing import Any

import mlflow
import pandas as pd
from mlflow.models import infer_signature
from mlflow.tracking import MlflowClient

import models
from models.bundle import save_bundle
from models.registry import (
    BUNDLE_ARTIFACT,
    champion_version,
    client_for,
    load_champion,
    require_tracking_store,
)
from models.settings import Settings
from training.promotion import Comparison, Promotion, RowLosses, compare

logger = logging.getLogger(__name__)

#: The "models from code" file MLflow executes to build the pyfunc (never imported here).
PYFUNC_ENTRY = Path(models.__file__).parent / "pyfunc_entry.py"
_RUNTIME_PACKAGES = ("numpy", "pandas", "scikit-learn", "lightgbm", "joblib", "pydantic", "mlflow")


def start_tracking(settings: Settings) -> MlflowClient:
    """Point MLflow at the configured store and make sure the experiment exists.

    Raises:
        RegistryUnreachableError: the store cannot be used (found in seconds, not after
            MLflow's minutes of retries).
    """
    uri = settings.resolved_tracking_uri
    require_tracking_store(uri, must_exist=False)
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


def promote_if_better(
    client: MlflowClient, *, name: str, alias: str, new_version: str, comparison: Comparison
) -> Promotion:
    """Move ``alias`` to ``new_version`` only if the comparison says it is better."""
    current = champion_version(client, name, alias)
    promoted = current is None or comparison.better
    if promoted:
        client.set_registered_model_alias(name, alias, new_version)
    if current is None:
        comparison = replace(comparison, champion=None, confidence=None)
    return comparison.outcome(
        promoted=promoted,
        champion_version=str(current.version) if current is not None else None,
        new=new_version,
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
    comparison: Comparison,
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
        comparison=comparison,
    )
    mlflow.set_tag("promotion", promotion.describe())
    if promotion.confidence is not None:
        mlflow.log_metric("promotion_confidence", promotion.confidence)
    return str(version.version), promotion


def compare_with_champion(
    client: MlflowClient,
    settings: Settings,
    kind: str,
    candidate: RowLosses,
    losses_of: Callable[[Any], RowLosses],
    *,
    seed: int,
) -> Comparison:
    """The candidate's losses against the champion's (``losses_of(champion)``), same rows."""
    champion = champion_or_none(client, settings, kind)
    return compare(
        candidate,
        None if champion is None else losses_of(champion),
        required_confidence=settings.promotion_confidence,
        resamples=settings.promotion_resamples,
        seed=seed,
    )


def champion_or_none(client: MlflowClient, settings: Settings, kind: str) -> Any | None:
    """The champion model object of ``kind``, or None while no version holds the alias."""
    if champion_version(client, settings.model_name(kind), settings.champion_alias) is None:
        return None
    return load_champion(settings, kind).model

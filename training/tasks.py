"""Every model kind's training task and default data, by name."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd
from pydantic import BaseModel

from models.errors import DataError
from models.property.schemas import PropertyRequest
from models.settings import Settings
from models.vehicle.schemas import VehicleRequest
from training.generate.property import generate_property_transactions
from training.generate.vehicle import generate_vehicle_transactions
from training.kinds import KIND_INFO, KindInfo
from training.pipeline import ValuationTask
from training.property_task import property_task
from training.vehicle_task import vehicle_task


@dataclass(frozen=True)
class Generated:
    """A generated table and the answer key of its planted defects."""

    frame: pd.DataFrame
    planted: pd.DataFrame


@dataclass(frozen=True)
class KindSpec:
    """A model kind's task, its generator and where its default data lives."""

    task: Callable[[Settings], ValuationTask]
    request_schema: type[BaseModel]
    generate: Callable[[int, int], Generated]
    info: KindInfo


def _property_data(n_rows: int, seed: int) -> Generated:
    out = generate_property_transactions(n_rows=n_rows, seed=seed)
    return Generated(frame=out.frame, planted=out.planted)


def _vehicle_data(n_rows: int, seed: int) -> Generated:
    out = generate_vehicle_transactions(n_rows=n_rows, seed=seed)
    return Generated(frame=out.frame, planted=out.planted)


KINDS: dict[str, KindSpec] = {
    "property": KindSpec(
        property_task,
        PropertyRequest,
        _property_data,
        KIND_INFO["property"],
    ),
    "vehicle": KindSpec(
        vehicle_task,
        VehicleRequest,
        _vehicle_data,
        KIND_INFO["vehicle"],
    ),
}


def kind_spec(kind: str) -> KindSpec:
    """The spec of a model kind; a clear error for an unknown one."""
    if kind not in KINDS:
        raise DataError(f"unknown model kind {kind!r}; choose from {sorted(KINDS)}")
    return KINDS[kind]

"""Every model kind's training, evaluation and default data, by name."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

import pandas as pd
from pydantic import BaseModel

from models.capacity.schemas import DebtorRequest
from models.errors import DataError
from models.property.schemas import PropertyRequest
from models.settings import Settings
from models.triage.schemas import CaseRequest
from models.vehicle.schemas import VehicleRequest
from training.capacity_task import CapacityTrainConfig, train_capacity
from training.classifier_cv import out_of_fold_scores
from training.cleaning import CleaningReport
from training.config import TrainConfig
from training.difficulty_task import DifficultyTrainConfig, train_difficulty
from training.evaluate import out_of_fold_valuations
from training.folds import FoldRunner
from training.generate.cases import TRAINING_DTYPES as CASE_DTYPES
from training.generate.cases import generate_cases
from training.generate.debtors import TRAINING_DTYPES as DEBTOR_DTYPES
from training.generate.debtors import generate_debtors
from training.generate.property import COLUMN_DTYPES as PROPERTY_DTYPES
from training.generate.property import generate_property_transactions
from training.generate.vehicle import COLUMN_DTYPES as VEHICLE_DTYPES
from training.generate.vehicle import generate_vehicle_transactions
from training.kinds import KIND_INFO, KindInfo
from training.pipeline import ValuationTask, train
from training.promotion import Promotion
from training.property_task import property_task
from training.steps import StepCallback
from training.uncertainty import RowScored
from training.vehicle_task import vehicle_task


@dataclass(frozen=True)
class Generated:
    """A generated table and the answer key of its planted defects."""

    frame: pd.DataFrame
    planted: pd.DataFrame


class TrainOutcome(Protocol):
    """What every training sequence returns."""

    @property
    def run_id(self) -> str: ...
    @property
    def version(self) -> str: ...
    @property
    def cleaning(self) -> CleaningReport: ...
    @property
    def promotion(self) -> Promotion: ...
    def summary(self) -> pd.DataFrame: ...


#: train(data, seed, settings, on_step) -> what the run produced.
Trainer = Callable[[pd.DataFrame, int, Settings, StepCallback | None], TrainOutcome]


class CrossValidator(Protocol):
    """K-fold cross-validation of a kind's estimator on a real table."""

    def __call__(
        self,
        frame: pd.DataFrame,
        target: str,
        *,
        exclude: Sequence[str],
        folds: int,
        seed: int,
        runner: FoldRunner,
    ) -> RowScored:
        """The pooled out-of-fold predictions, which score all rows or any resample of
        them; ``runner`` says where the folds are fitted (here or on a Dask cluster; the
        same figures)."""
        ...


@dataclass(frozen=True)
class KindSpec:
    """A model kind's training, evaluation, generator and request schema."""

    train: Trainer
    #: k-fold cross-validation on a real table (None: judged on generated data instead).
    cross_validate: CrossValidator | None
    request_schema: type[BaseModel]
    generate: Callable[[int, int], Generated]
    info: KindInfo
    #: The valuation task of a valuation kind (None for the risk models).
    task: Callable[[Settings], ValuationTask] | None = None
    #: Column types a training file is given before training (see ``table_types``); None:
    #: the kind reads its file as it comes (its cleaning and features convert as they go).
    dtypes: Mapping[str, str] | None = None


def _valuation_trainer(task: Callable[[Settings], ValuationTask]) -> Trainer:
    def run(
        data: pd.DataFrame, seed: int, settings: Settings, on_step: StepCallback | None
    ) -> TrainOutcome:
        return train(task(settings), data, TrainConfig(seed=seed), settings, on_step)

    return run


def _train_capacity(
    data: pd.DataFrame, seed: int, settings: Settings, on_step: StepCallback | None
) -> TrainOutcome:
    config = CapacityTrainConfig(seed=seed, workers=settings.train_workers)
    return train_capacity(data, config, settings, on_step)


def _train_difficulty(
    data: pd.DataFrame, seed: int, settings: Settings, on_step: StepCallback | None
) -> TrainOutcome:
    return train_difficulty(data, DifficultyTrainConfig(seed=seed), settings, on_step)


def _generated(frame: pd.DataFrame, planted: pd.DataFrame) -> Generated:
    return Generated(frame=frame, planted=planted)


def _property_data(n_rows: int, seed: int) -> Generated:
    out = generate_property_transactions(n_rows=n_rows, seed=seed)
    return _generated(out.frame, out.planted)


def _vehicle_data(n_rows: int, seed: int) -> Generated:
    out = generate_vehicle_transactions(n_rows=n_rows, seed=seed)
    return _generated(out.frame, out.planted)


def _debtor_data(n_rows: int, seed: int) -> Generated:
    out = generate_debtors(n_rows=n_rows, seed=seed)
    return _generated(out.frame, out.planted)


def _case_data(n_rows: int, seed: int) -> Generated:
    out = generate_cases(n_cases=n_rows, seed=seed)
    return _generated(out.frame, pd.DataFrame({"case_id": [], "defect": []}))


KINDS: dict[str, KindSpec] = {
    "property": KindSpec(
        _valuation_trainer(property_task),
        out_of_fold_valuations,
        PropertyRequest,
        _property_data,
        KIND_INFO["property"],
        property_task,
        PROPERTY_DTYPES,
    ),
    "vehicle": KindSpec(
        _valuation_trainer(vehicle_task),
        out_of_fold_valuations,
        VehicleRequest,
        _vehicle_data,
        KIND_INFO["vehicle"],
        vehicle_task,
        VEHICLE_DTYPES,
    ),
    "capacity": KindSpec(
        _train_capacity,
        out_of_fold_scores,
        DebtorRequest,
        _debtor_data,
        KIND_INFO["capacity"],
        dtypes=DEBTOR_DTYPES,
    ),
    "difficulty": KindSpec(
        _train_difficulty,
        None,
        CaseRequest,
        _case_data,
        KIND_INFO["difficulty"],
        dtypes=CASE_DTYPES,
    ),
}
#: The kinds that value an asset (the serving benchmark times these).
VALUATION_KINDS: tuple[str, ...] = tuple(k for k, spec in KINDS.items() if spec.task is not None)


def kind_spec(kind: str) -> KindSpec:
    """The spec of a model kind; a clear error for an unknown one."""
    if kind not in KINDS:
        raise DataError(f"unknown model kind {kind!r}; choose from {sorted(KINDS)}")
    return KINDS[kind]


def valuation_task(kind: str, settings: Settings) -> ValuationTask:
    """The valuation task of ``kind``; a clear error for a kind that values nothing."""
    task = kind_spec(kind).task
    if task is None:
        raise DataError(f"{kind} is not a valuation model; choose from {list(VALUATION_KINDS)}")
    return task(settings)

"""What `courtval train` and `courtval evaluate` do, with a progress display."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from models.errors import DataError
from models.registry import champion_version
from models.settings import get_settings
from training.config import TrainConfig
from training.datasets import load_benchmark, load_table
from training.evaluate import cross_validate
from training.pipeline import TrainResult, train
from training.tasks import kind_spec
from training.tracking import start_tracking

logger = logging.getLogger(__name__)


def _summary(result: TrainResult) -> Table:
    table = Table(title=f"run {result.run_id} → version {result.version}")
    table.add_column("holdout metric")
    table.add_column("model", justify="right")
    table.add_column("rule-based", justify="right")
    model, rule = result.metrics.model_dump(), result.rule_metrics.model_dump()
    for key, value in model.items():
        if value is not None:
            other = rule.get(key)
            table.add_row(key, f"{value:.4f}", "" if other is None else f"{other:.4f}")
    return table


def run_training(kind: str, data: Path, *, seed: int, if_missing: bool, console: Console) -> None:
    """Train the model of ``kind`` on ``data`` and report the promotion decision."""
    settings = get_settings()
    task = kind_spec(kind).task(settings)
    if if_missing and champion_version(
        start_tracking(settings), task.model_name, settings.champion_alias
    ):
        console.print(f"{task.model_name}@{settings.champion_alias} exists; not retraining")
        return
    if not data.exists():
        raise DataError(f"{data} does not exist; run `courtval data generate {kind}` first")
    frame = load_table(data)
    with console.status("training…") as status:
        result = train(
            task,
            frame,
            TrainConfig(seed=seed),
            settings,
            on_step=lambda name: status.update(f"training: {name}…"),
        )
    console.print(result.cleaning.to_frame().to_string(index=False))
    console.print(_summary(result))
    console.print(result.promotion.describe())


def run_evaluation(
    kind: str,
    dataset: str | None,
    data: Path | None,
    target: str | None,
    exclude: str,
    *,
    folds: int,
    seed: int,
) -> dict[str, Any]:
    """Cross-validate on a named benchmark or a file; the metrics as a dict."""
    if (dataset is None) == (data is None):
        raise DataError("give exactly one of --dataset NAME or --data PATH")
    if dataset is not None:
        known = kind_spec(kind).info.benchmarks
        if dataset not in known:
            raise DataError(f"{kind} datasets: {', '.join(known)}; got {dataset!r}")
        bench = load_benchmark(dataset)
        frame, target_column, dropped = bench.frame, bench.target, list(bench.exclude)
    else:
        assert data is not None
        if not target:
            raise DataError("--data needs --target COLUMN")
        frame, target_column = load_table(data), target
        dropped = [c.strip() for c in exclude.split(",") if c.strip()]
    metrics = cross_validate(frame, target_column, exclude=dropped, folds=folds, seed=seed)
    return metrics.model_dump()

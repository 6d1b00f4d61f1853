"""What `courtval train` and `courtval evaluate` do, with a progress display."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from rich.console import Console

from models.errors import DataError
from models.registry import champion_version
from models.settings import get_settings
from training.datasets import load_benchmark, load_table
from training.folds import FoldRunner, training_on_cluster
from training.table_types import typed_table
from training.tasks import kind_spec
from training.tracking import start_tracking
from training.uncertainty import evaluation_line, partition_spread

logger = logging.getLogger(__name__)


def run_training(
    kind: str,
    data: Path,
    *,
    seed: int,
    if_missing: bool,
    console: Console,
    scheduler: str | None = None,
) -> None:
    """Train the model of ``kind`` on ``data`` and report the promotion decision; the
    independent fitting steps run on the Dask cluster at ``scheduler`` (default:
    ``COURTVAL_DASK_SCHEDULER``; neither: here)."""
    settings = get_settings()
    spec = kind_spec(kind)
    if scheduler and not spec.info.cluster_training:
        raise DataError(f"`courtval train {kind}` has no independent steps for a cluster")
    name = settings.model_name(kind)
    client = start_tracking(settings)  # a store that is down is named before any training
    if if_missing and champion_version(client, name, settings.champion_alias):
        console.print(f"{name}@{settings.champion_alias} exists; not retraining")
        return
    if not data.exists():
        raise DataError(
            f"{data} does not exist; run `courtval data generate {spec.info.dataset}` first"
        )
    frame = load_table(data)
    if spec.dtypes is not None:
        frame = typed_table(frame, spec.dtypes)
    cluster = (scheduler or settings.dask_scheduler) if spec.info.cluster_training else None
    with (
        training_on_cluster(cluster, settings.dask_timeout_s),
        console.status("training…") as status,
    ):
        result = spec.train(frame, seed, settings, lambda name: status.update(f"training: {name}…"))
    console.print(result.cleaning.to_frame().to_string(index=False))
    console.print(f"run {result.run_id} → version {result.version}")
    console.print(result.summary().to_string(index=False, float_format="{:.4f}".format))
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
    bootstrap: int = 0,
    scheduler: str | None = None,
    repeats: int = 1,
) -> dict[str, Any]:
    """Cross-validate on a named benchmark or a file; the metrics as a dict, with their 95%
    intervals from ``bootstrap`` resamples of the out-of-fold rows (none for 0). The folds
    are fitted on the Dask cluster at ``scheduler`` (default: ``COURTVAL_DASK_SCHEDULER``;
    neither: here). With ``repeats`` > 1 the whole cross-validation is run again on other
    partitions (seeds ``seed + 1`` …) and ``repeated`` gives the figures' mean and spread
    over all of them (:func:`training.uncertainty.partition_spread`); the line's own figures
    stay those of ``seed``'s partition."""
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
    cross_validate = kind_spec(kind).cross_validate
    if cross_validate is None:
        raise DataError(f"{kind} is evaluated on generated data: `courtval evaluate {kind}`")
    runner = FoldRunner.of(get_settings(), scheduler)
    seeds = [seed + r for r in range(repeats)]
    scored = [
        cross_validate(frame, target_column, exclude=dropped, folds=folds, seed=s, runner=runner)
        for s in seeds
    ]
    line = evaluation_line(scored[0], resamples=bootstrap, seed=seed)
    if repeats > 1:
        line["repeated"] = partition_spread(scored, seeds)
    return line

"""What `courtval evaluate difficulty` and `courtval score cases` do."""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Any

import mlflow
import numpy as np
import pandas as pd
from rich.console import Console
from rich.progress import Progress

from courtval.result_files import check_output_suffix, side_file
from models.errors import DataError
from models.served import load_served
from models.settings import get_settings
from models.table_io import save_table, write_parquet
from models.triage.ranking import Ranking, TriageOptions, rank_cases
from models.triage.records import CaseRecordError, case_frame
from models.triage.vocabulary import CaseOutcome
from training.datasets import load_table
from training.difficulty_task import (
    DifficultyTrainConfig,
    evaluation_table,
    fit_and_evaluate,
    log_evaluation,
)
from training.generate.cases import generate_cases
from training.tracking import start_tracking
from training.uncertainty import with_intervals

logger = logging.getLogger(__name__)

KIND = "difficulty"


def run_difficulty_evaluation(
    *, rows: int, seed: int, bootstrap: int, console: Console
) -> dict[str, Any]:
    """Generate ``rows`` cases, fit on the past, compare with the cash ratio on the holdout
    (with ``bootstrap`` paired resamples of it for the 95% intervals, ``ci95``); the figures
    are also logged as an MLflow run."""
    settings = get_settings()
    with console.status("generating cases…") as status:
        cases = generate_cases(rows, seed).frame
        status.update("training and ranking the holdout…")
        _, evaluation, split = fit_and_evaluate(
            cases, DifficultyTrainConfig(seed=seed), settings, resamples=bootstrap
        )
    start_tracking(settings)
    with mlflow.start_run(run_name=f"evaluate-{KIND}"):
        mlflow.log_params({"seed": seed, "rows": rows, "cutoff": str(split.cutoff.date())})
        log_evaluation(evaluation)
    console.print(evaluation_table(evaluation).to_string(index=False))
    return with_intervals(evaluation.comparison.model_dump(), evaluation.intervals, bootstrap)


def _as_of(value: str | None) -> pd.Timestamp:
    if value is None:
        return pd.Timestamp.today().normalize()
    try:
        return pd.Timestamp(value).normalize()
    except ValueError as exc:
        raise DataError(f"--as-of {value!r} is not a date (YYYY-MM-DD)") from exc


def _read_cases(path: Path) -> pd.DataFrame:
    """The typed case table of a file; a bad record is named by its data row (1 = the first
    row under the header) and column."""
    try:
        return case_frame(load_table(path))
    except CaseRecordError as exc:
        raise DataError(
            f"{path.name}: data row {exc.row + 1}, column {exc.column}: {exc.message}"
        ) from exc


def ranked_table(cases: pd.DataFrame, ranking: Ranking) -> pd.DataFrame:
    """One row per case, easiest first: scores, reasons, alerts, bundles, 执转破 flag."""
    table = ranking.scores.copy()
    for slot in range(ranking.reason_texts.shape[1]):
        for suffix, values in (("", ranking.reason_texts), ("_code", ranking.reason_codes)):
            table[f"reason_{slot + 1}{suffix}"] = pd.Series(values[:, slot], dtype=object)
    table["alert_kinds"] = _joined(ranking.alerts, "kind", ",", len(table))
    table["alerts"] = _joined(ranking.alerts, "message", "；", len(table))
    members = ranking.bundles[["group_id", "case_ids"]].explode("case_ids")
    members["row"] = pd.Index(table["case_id"]).get_indexer(members["case_ids"])
    table["bundles"] = _joined(members, "group_id", ",", len(table), by=None)
    flagged = ranking.bankruptcy["case_ids"].explode()
    table["bankruptcy_candidate"] = table["case_id"].isin(set(flagged.dropna()))
    table["debtor_id"] = cases["debtor_id"].to_numpy(dtype=object)
    table["case_id"] = table["case_id"].astype(object)
    return table.iloc[ranking.order].reset_index(drop=True)


def _joined(
    items: pd.DataFrame, column: str, sep: str, n_cases: int, by: str | None = "kind"
) -> pd.Series:
    """Each case's ``column`` values (rows of ``items`` with the case's position in ``row``)
    joined by ``sep``; None for a case with none. One vectorised pass per value slot: per
    ``by`` group (a case has at most one alert of each kind), or per occurrence number."""
    out = pd.Series(None, index=range(n_cases), dtype=object)
    slots = items[by] if by is not None else items.groupby("row").cumcount()
    for _, group in items.groupby(slots, sort=True):
        rows = group["row"].to_numpy()
        values = group[column].to_numpy(dtype=object)
        current = out.iloc[rows]
        out.iloc[rows] = np.where(current.isna(), values, current + sep + values)
    return out


def run_case_scoring(input: Path, output: Path, *, as_of: str | None, console: Console) -> None:
    """Rank ``input`` with the difficulty model in service (from the registry or a bundle file,
    as ``settings.model_source`` says) and write ``output`` plus three side files:
    ``.bundles``, ``.bankruptcy`` and ``.alerts`` (same format)."""
    check_output_suffix(output)
    settings = get_settings()
    day = _as_of(as_of)
    started = time.perf_counter()
    loaded = load_served(settings, KIND).loaded  # the server's model, bundles included
    with Progress(console=console, transient=True) as bar:
        task = bar.add_task("reading…", total=None)
        cases = _read_cases(input)
        bar.update(task, description="scoring", total=len(cases), completed=0)
        ranking = rank_cases(
            loaded.model,
            cases,
            day,
            TriageOptions.from_settings(settings),
            progress=lambda done, total: bar.update(task, completed=done),
        )
        bar.update(task, description="writing…")
        save_table(ranked_table(cases, ranking), output)
        for name, side in (
            ("bundles", ranking.bundles),
            ("bankruptcy", ranking.bankruptcy),
            (
                "alerts",
                ranking.alerts.drop(columns=["missing"]).assign(
                    missing=ranking.alerts["missing"].map("、".join)
                ),
            ),
        ):
            save_table(side, side_file(output, name))
    lanes = ", ".join(f"{k} {v:,}" for k, v in ranking.lane_counts().items())
    console.print(
        f"ranked {len(cases):,} cases as of {day.date()} in {time.perf_counter() - started:.1f} s "
        f"→ {output}; lanes: {lanes}; {len(ranking.alerts):,} alerts, "
        f"{len(ranking.bundles):,} bundles, {len(ranking.bankruptcy):,} 执转破 candidates"
    )
    logger.info("alert summary:\n%s", ranking.alert_summary.to_string(index=False))


def write_queue(
    source: Path, as_of: str | None, limit: int, out: Path | None, queue_dir: Path
) -> Path:
    """The open cases of ``source`` as the court saw them on ``as_of`` (default: the records'
    last day) as a request table: all of them, or a fixed sample of ``limit`` (every age of
    case kept), oldest filing first."""
    from courtval.bench_triage import request_table
    from training.case_view import cases_as_of
    from training.generate.cases import TRAINING_DTYPES
    from training.table_types import typed_table

    records = typed_table(load_table(source), TRAINING_DTYPES)  # a CSV's dates were text
    day = _as_of(as_of) if as_of else pd.Timestamp(records["observed_until"].max()).normalize()
    seen = cases_as_of(records, day)
    open_cases = seen[seen["outcome"] == CaseOutcome.OPEN.value]
    if len(open_cases) > limit:
        open_cases = open_cases.sample(n=limit, random_state=0)
    path = out or queue_dir / f"queue-{day.date()}.parquet"
    path.parent.mkdir(parents=True, exist_ok=True)
    write_parquet(request_table(open_cases.sort_values("filed_at")), path)
    logger.info("queue of %d open cases as of %s -> %s", len(open_cases), day.date(), path)
    return path

"""What `courtval score debtors` does: a debtor file scored by the capacity model in service,
here or on a Dask cluster when one machine is not enough (a province's whole queue).

The file is read here and cut into chunks of rows. Here the chunks are scored one after
another; on a cluster (``training.folds.FoldRunner``) the model travels to the cluster once
and each chunk is one task, its rows checked and scored there, and the chunks come back in
file order: the same table either way (``tests/test_score_debtors.py``). Nothing is written
until every row has been checked: a bad cell stops the run naming its data row and column,
unless ``--skip-invalid`` asks for the valid rows to be scored and the bad ones listed in a
side file.
"""

from __future__ import annotations

import time
from pathlib import Path

import pandas as pd
from rich.console import Console
from rich.progress import Progress

from courtval.result_files import check_output_suffix, side_file
from models.capacity.bulk import (
    DEBTOR_TABLE,
    IDENTITY_FIELD,
    answer_columns,
    score_debtor_table,
)
from models.capacity.options import CapacityOptions
from models.errors import DataError
from models.identity import identity_key, is_identity_number
from models.served import load_served
from models.settings import get_settings
from models.table_io import save_table
from models.table_requests import BadCell
from training.datasets import load_table
from training.folds import FoldRunner

KIND = "capacity"
#: Bad cells a refused file's error lists (the rest are counted).
SHOWN_ERRORS = 10


def run_debtor_scoring(
    input: Path,
    output: Path,
    *,
    reasons: bool,
    skip_invalid: bool,
    chunk_rows: int,
    scheduler: str | None,
    console: Console,
) -> None:
    """Score ``input`` and write ``output`` (and ``<output>.rejected`` for skipped rows)."""
    check_output_suffix(output)
    settings = get_settings()
    started = time.perf_counter()
    loaded = load_served(settings, KIND).loaded
    options = CapacityOptions.from_settings(settings, identity_key(settings))
    frame = _read_debtors(input, options.reasons)
    chunks = [(frame.iloc[s : s + chunk_rows], s + 1) for s in range(0, len(frame), chunk_rows)]
    runner = FoldRunner.of(settings, scheduler)
    with Progress(console=console, transient=True) as bar:
        task = bar.add_task("scoring", total=len(frame))
        # The model travels to the cluster once; each chunk travels with its own task.
        parts = runner.map(
            score_debtor_table,
            (loaded.model, loaded.info, options, reasons),
            chunks,
            "debtor-scoring",
            done=lambda k: bar.advance(task, len(chunks[k][0])),
        )
    bad = [cell for part in parts for cell in part.bad]
    if bad and not skip_invalid:
        raise DataError(_refusal(input, bad))
    table = pd.concat([part.table for part in parts], ignore_index=True)
    save_table(table, output)
    rejected = ""
    if bad:
        path = side_file(output, "rejected")
        listed = [{"data_row": c.row, "column": c.column, "message": c.message} for c in bad]
        save_table(pd.DataFrame(listed), path)
        rows = len({cell.row for cell in bad})
        rejected = f"; {rows:,} rows left out, their cells in {path}"
    tiers = ", ".join(f"{k} {v:,}" for k, v in table["tier"].value_counts().items())
    where = "here" if runner.here else f"on the Dask cluster at {runner.scheduler}"
    console.print(
        f"scored {len(table):,} debtors {where} in {time.perf_counter() - started:.1f} s "
        f"with {loaded.info.name} v{loaded.info.version} → {output}; tiers: {tiers}{rejected}"
    )


def _read_debtors(path: Path, reasons: int) -> pd.DataFrame:
    """The file's table, with every required field's column and no column an answer takes."""
    frame = load_table(path)
    if frame.empty:
        raise DataError(f"{path.name}: the file has no data rows")
    names = DEBTOR_TABLE.column_fields(frame)
    missing = DEBTOR_TABLE.missing_fields(names)
    if missing:
        named = [f"{name} ({DEBTOR_TABLE.labels[name]})" for name in missing]
        raise DataError(f"{path.name}: missing columns: {', '.join(named)}")
    answers = set(answer_columns(reasons))
    taken = [str(c) for c in frame.columns if str(c) in answers]
    if taken:
        raise DataError(
            f"{path.name}: the columns {', '.join(taken)} are the answers' names; "
            "rename or drop them"
        )
    for column in frame.columns:
        if str(column) not in names and _holds_identity_numbers(frame[column]):
            raise DataError(
                f"{path.name}: the column {column} holds identity numbers, which would pass "
                f"through to the result in clear; name it {IDENTITY_FIELD} (it then leaves "
                "only as its keyed hash) or drop it"
            )
    return frame


def _holds_identity_numbers(column: pd.Series) -> bool:
    """Whether most of the first 100 filled cells of a text column are identity numbers."""
    cells = column.dropna().head(100)
    if cells.empty or not all(isinstance(cell, str) for cell in cells):
        return False
    return sum(is_identity_number(cell) for cell in cells) >= 0.8 * len(cells)


def _refusal(path: Path, bad: list[BadCell]) -> str:
    """The error of a file with bad cells: the first of them, by data row and column."""
    rows = len({cell.row for cell in bad})
    shown = "\n".join(f"  {cell}" for cell in bad[:SHOWN_ERRORS])
    more = f"\n  … and {len(bad) - SHOWN_ERRORS:,} more" if len(bad) > SHOWN_ERRORS else ""
    return (
        f"{path.name}: {rows:,} rows have bad cells; nothing was written "
        f"(--skip-invalid scores the others and lists these beside the output):\n{shown}{more}"
    )

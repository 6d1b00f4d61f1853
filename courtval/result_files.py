"""The result files of the batch commands (``courtval score cases|debtors``)."""

from __future__ import annotations

from pathlib import Path

from models.errors import DataError


def check_output_suffix(output: Path) -> None:
    """A batch command's result file is Parquet or CSV (UTF-8 with BOM: Excel shows Chinese)."""
    if output.suffix.lower() not in {".parquet", ".csv"}:
        raise DataError(f"--output must end in .parquet or .csv, got {output.name}")


def side_file(output: Path, name: str) -> Path:
    """The file ``name`` beside ``output``, in its format (``ranked.csv``: ``ranked.NAME.csv``)."""
    return output.with_name(f"{output.stem}.{name}{output.suffix}")

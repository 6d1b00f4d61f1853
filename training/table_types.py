"""A training table read from a file, given the column types its kind's pipeline expects.

Parquet keeps its types; a CSV or Excel file does not: its dates arrive as text, and the
cleaning rules compare them with dates. :func:`typed_table` converts each expected column that
does not already have its type — numbers (thousands separators allowed, as
:func:`models.tabular.text_series_to_number` reads them), integers, dates
(``YYYY-MM-DD``, optionally with a time) from 1900-01-01 to 2100-12-31, booleans
(true/false, 1/0, 是/否, yes/no) and text — and leaves a column already of its type untouched,
so a generated Parquet file trains exactly as before. An empty cell stays missing (the
cleaning rules drop rows missing a required value and report them); a cell that cannot be read
is an error naming its data row and column, and so is a missing column.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from models.errors import DataError
from models.tabular import (
    DATE_RANGE_TEXT,
    outside_date_range,
    text_series_to_boolean,
    text_series_to_number,
)


def typed_table(frame: pd.DataFrame, dtypes: Mapping[str, str]) -> pd.DataFrame:
    """``frame`` with every column of ``dtypes`` of that type (other columns untouched).

    Args:
        frame: The table as read.
        dtypes: Column → pandas dtype name: ``str``, ``float64``, ``int64``, ``Int64``,
            ``bool``, ``boolean`` or ``datetime64[ns]``.

    Raises:
        DataError: A column of ``dtypes`` is missing, or a cell cannot be read as its type
            (the message names the first such data row, counted from 1, and the column).
    """
    missing = [c for c in dtypes if c not in frame.columns]
    if missing:
        raise DataError(
            f"missing columns {missing}; the table needs {list(dtypes)} (see data/README.md)"
        )
    out = frame.copy()
    for column, dtype in dtypes.items():
        if not _has_type(out[column], dtype) or _has_infinity(out[column]):
            out[column] = _converted(out[column], column, dtype)
    return out


def _has_infinity(values: pd.Series) -> bool:
    """Whether a column read as floats holds an infinity (a CSV's ``inf`` or ``1e400``),
    which the conversion refuses with its row."""
    return pd.api.types.is_float_dtype(values) and bool(np.isinf(values.to_numpy()).any())


def _has_type(values: pd.Series, dtype: str) -> bool:
    if dtype == "str":
        return pd.api.types.is_string_dtype(values) or pd.api.types.is_object_dtype(values)
    if dtype == "boolean" and values.dtype == bool:  # nothing missing: already as wanted
        return True
    return str(values.dtype) == dtype


def _converted(values: pd.Series, column: str, dtype: str) -> pd.Series:
    text = values.astype("string").str.strip().replace("", pd.NA)
    if dtype == "str":
        return text.astype("str")
    if dtype == "datetime64[ns]":
        return _dates(text, column)
    if dtype in ("bool", "boolean"):
        return _booleans(text, column, nullable=dtype == "boolean")
    numbers = pd.Series(text_series_to_number(text), index=text.index)
    _refuse(text.notna() & numbers.isna(), text, column, "not a number")
    _refuse(np.isinf(numbers.fillna(0.0)), text, column, "not a finite number")
    if dtype == "float64":
        return numbers.astype("float64")
    _refuse(numbers.notna() & (numbers != numbers.round()), text, column, "not a whole number")
    if dtype == "int64":
        _refuse(numbers.isna(), text, column, "empty (a whole number is needed)")
    return numbers.astype(dtype)


def _dates(text: pd.Series, column: str) -> pd.Series:
    days = pd.to_datetime(text, errors="coerce", format="mixed")
    _refuse(text.notna() & days.isna(), text, column, "not a date (YYYY-MM-DD)")
    _refuse(outside_date_range(days), text, column, DATE_RANGE_TEXT)
    return days.astype("datetime64[ns]")


def _booleans(text: pd.Series, column: str, *, nullable: bool) -> pd.Series:
    truth = text_series_to_boolean(text)
    _refuse(text.notna() & truth.isna(), text, column, "not true or false (是/否)")
    if nullable:
        return truth
    _refuse(truth.isna(), text, column, "empty (true or false is needed)")
    return truth.astype("bool")


def _refuse(bad: pd.Series, text: pd.Series, column: str, message: str) -> None:
    hits = np.flatnonzero(np.asarray(bad.fillna(False), dtype=bool))
    if hits.size:
        row = int(hits[0])
        value = text.iloc[row]
        shown = "" if value is pd.NA else f" {str(value)[:40]!r}"
        raise DataError(f"data row {row + 1}, column {column}:{shown} {message}")

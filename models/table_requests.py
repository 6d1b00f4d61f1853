"""A table's rows as requests: the columns a file names by field (or by its Chinese label),
and each row's cells as the request schema wants them.

Shared by the judges' batch files (``serving/batch_files.py``) and the batch commands
(``courtval score debtors``); each reports a bad cell its own way (a 422, a CLI line), both by
its data row and column.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd
from pydantic import BaseModel, ValidationError

from models.tabular import FALSE_WORDS, TRUE_WORDS


@dataclass(frozen=True)
class TableSchema:
    """The request schema a table's rows are read as, and its fields' column labels.

    Attributes:
        schema: One request per row.
        labels: Field name → the Chinese column header that also names it (may be empty:
            columns then name fields by their field names only).
    """

    schema: type[BaseModel]
    labels: Mapping[str, str]

    def column_fields(self, frame: pd.DataFrame) -> dict[str, str]:
        """File column → field name, for the columns that name a field (by label or name);
        other columns (a 序号, a 备注, the court's own keys) pass through untouched."""
        by_label = {label: name for name, label in self.labels.items()}
        fields = self.schema.model_fields
        names: dict[str, str] = {}
        for column in frame.columns:
            text = str(column).strip()
            field = by_label.get(text) or (text if text in fields else None)
            if field is not None:
                names[str(column)] = field
        return names

    def missing_fields(self, names: Mapping[str, str]) -> list[str]:
        """The required fields no column names."""
        present = set(names.values())
        return [
            n for n, f in self.schema.model_fields.items() if f.is_required() and n not in present
        ]

    def missing_columns(self, names: Mapping[str, str]) -> list[str]:
        """The labels (or names) of the required fields no column names."""
        return [self.labels.get(n, n) for n in self.missing_fields(names)]

    def rows(self, frame: pd.DataFrame, names: Mapping[str, str]) -> Iterator[dict[str, Any]]:
        """Each row's cells by field name, blanks left out (the schema's defaults apply)."""
        booleans = {
            n for n, f in self.schema.model_fields.items() if f.annotation in (bool, bool | None)
        }
        for record in frame[list(names)].to_dict(orient="records"):
            cells = {names[c]: cell(v, names[c] in booleans) for c, v in record.items()}
            yield {k: v for k, v in cells.items() if v is not None}


@dataclass(frozen=True)
class BadCell:
    """A cell a request schema refused.

    Attributes:
        row: The data row, 1 = the first row under the header.
        column: The file's column (the field's name when the error is not one cell's).
        message: Why, in the schema's words.
    """

    row: int
    column: str
    message: str

    def __str__(self) -> str:
        return f"data row {self.row}, column {self.column}: {self.message}"


def valid_requests(
    table: TableSchema, frame: pd.DataFrame, names: Mapping[str, str], first_row: int = 1
) -> tuple[list[BaseModel | None], list[BadCell]]:
    """Every row of ``frame`` checked on its own: its request, or None and its bad cells.

    ``first_row`` is the data row number of ``frame``'s first row (a chunk of a file).
    """
    column_of = {field: column for column, field in names.items()}
    requests: list[BaseModel | None] = []
    bad: list[BadCell] = []
    for offset, row in enumerate(table.rows(frame, names)):
        try:
            requests.append(table.schema.model_validate(row))
        except ValidationError as exc:
            requests.append(None)
            for error in exc.errors(include_url=False):
                field = str(error["loc"][0]) if error["loc"] else "(row)"
                bad.append(BadCell(first_row + offset, column_of.get(field, field), error["msg"]))
    return requests, bad


def cell(value: Any, boolean: bool) -> Any:
    """A cell as the schema wants it: blanks dropped, 是/否 as booleans, dates as dates."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, str):
        value = value.strip()
        if value == "":
            return None
        if boolean and value.lower() in TRUE_WORDS | FALSE_WORDS:
            return value.lower() in TRUE_WORDS
    if isinstance(value, pd.Timestamp | dt.datetime):
        return value.date()
    return value

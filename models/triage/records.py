"""A table of case records, typed and checked: the nightly batch file and the rank request both
pass through :func:`case_frame`, so the same case is read the same way everywhere.

Types follow ``models.triage.columns``; a value that cannot be read as its column's type, a
required value left empty, an unknown category, an amount of zero or less, a stage dated before
the filing or more verified leads than leads is an error that names the row and the column.
Checks are vectorised: a million rows take a couple of seconds.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from models.capacity.features import BOOLEAN as DEBTOR_BOOLEAN
from models.capacity.features import NUMERIC as DEBTOR_NUMERIC
from models.capacity.schemas import COMPANY_FIELDS
from models.capacity.vocabulary import DebtorType
from models.errors import InvalidInputError
from models.tabular import DATE_RANGE_TEXT, outside_date_range, text_series_to_boolean
from models.triage.columns import CASE_DEBTOR_COLUMNS, IDENTITY_DTYPES, STAGE_COLUMNS
from models.triage.features import VOCABULARY

#: Columns every record must fill.
REQUIRED: tuple[str, ...] = (
    "case_id",
    "debtor_id",
    "creditor_id",
    "filed_at",
    "debtor_type",
    "region",
    "amount_due",
    "months_since_judgment",
)
DATES: tuple[str, ...] = ("filed_at", *STAGE_COLUMNS)
BOOLEANS: tuple[str, ...] = (*DEBTOR_BOOLEAN, "neighbourhood_checked")
#: Every column a record may carry (others are passed through untouched).
COLUMNS: tuple[str, ...] = (
    *IDENTITY_DTYPES,
    *DATES,
    "neighbourhood_checked",
    *CASE_DEBTOR_COLUMNS,
    "creditor_type",
    "case_cause",
)


class CaseRecordError(InvalidInputError):
    """A case record is not acceptable; ``row`` (0-based position) and ``column`` name it."""

    def __init__(self, row: int, case_id: object, column: str, message: str) -> None:
        super().__init__(f"cases.{row}.{column}", f"{message} (case_id {case_id})")
        self.row = row
        self.column = column


def _first(bad: np.ndarray | pd.Series) -> int | None:
    hits = np.flatnonzero(np.asarray(bad, dtype=bool))
    return int(hits[0]) if hits.size else None


def _fail(frame: pd.DataFrame, bad: np.ndarray | pd.Series, column: str, message: str) -> None:
    row = _first(bad)
    if row is not None:
        case_id = frame["case_id"].iloc[row] if "case_id" in frame else None
        raise CaseRecordError(row, case_id, column, message)


def _booleans(frame: pd.DataFrame, column: str) -> pd.Series:
    values = frame[column]
    if pd.api.types.is_bool_dtype(values) or str(values.dtype) == "boolean":
        return values.astype("boolean")
    out = text_series_to_boolean(values)
    _fail(frame, values.notna().to_numpy() & out.isna().to_numpy(), column, "not true or false")
    return out


def _numbers(frame: pd.DataFrame, column: str) -> pd.Series:
    values = pd.to_numeric(frame[column], errors="coerce").astype("float64")
    _fail(frame, frame[column].notna() & values.isna(), column, "not a number")
    _fail(frame, values < 0, column, "negative")
    _fail(frame, np.isinf(values), column, "not a finite number")
    return values


def _dates(frame: pd.DataFrame, column: str) -> pd.Series:
    """Calendar days. Text is read by its leading ``YYYY-MM-DD`` (or ``YYYY/MM/DD``) as
    written — a time of day or a zone offset after it is dropped, never converted — so each
    value is read on its own, whatever the other rows look like."""
    values = frame[column]
    if pd.api.types.is_datetime64_any_dtype(values):
        days = values.dt.tz_localize(None) if values.dt.tz is not None else values
        return _in_range(frame, days.dt.normalize(), column)
    if not (pd.api.types.is_object_dtype(values) or pd.api.types.is_string_dtype(values)):
        values = values.astype("object")
    days = pd.to_datetime(values, format="%Y-%m-%d", errors="coerce")  # the usual spelling
    other = values.notna() & days.isna()
    if other.any():  # anything else is read by its leading date, one value at a time
        text = values[other].astype("string").str.strip().str.replace("/", "-", regex=False)
        leading = text.str.extract(r"^(\d{4}-\d{1,2}-\d{1,2})(?:$|[T ])", expand=False)
        days[other] = pd.to_datetime(leading, format="%Y-%m-%d", errors="coerce")
    _fail(frame, values.notna() & days.isna(), column, "not a date (YYYY-MM-DD)")
    return _in_range(frame, days, column)


def _in_range(frame: pd.DataFrame, days: pd.Series, column: str) -> pd.Series:
    """``days`` at nanosecond resolution, once each is checked by
    :func:`~models.tabular.outside_date_range` (wider than any case needs; pandas cannot hold
    days past 2262 at its resolution)."""
    _fail(frame, outside_date_range(days), column, DATE_RANGE_TEXT)
    return days.astype("datetime64[ns]")


def _categories(frame: pd.DataFrame) -> None:
    for column, vocabulary in VOCABULARY.items():
        allowed = [m.value for m in vocabulary]
        values = frame[column]
        bad = values.notna() & ~values.astype("string").isin(allowed).fillna(False)
        _fail(frame, bad, column, f"not one of {'、'.join(allowed)}")


def _consistency(frame: pd.DataFrame) -> None:
    _fail(frame, frame["amount_due"] <= 0, "amount_due", "must be above 0")
    _fail(
        frame,
        frame["creditor_leads_verified"] > frame["creditor_leads"],
        "creditor_leads_verified",
        "more verified leads than creditor_leads",
    )
    individual = frame["debtor_type"].eq(DebtorType.INDIVIDUAL.value)
    for column in COMPANY_FIELDS:
        _fail(frame, individual & frame[column].notna(), column, "for company (法人) debtors only")
    for stage in STAGE_COLUMNS:
        if stage != "seizure_expires_at":
            _fail(frame, frame[stage] < frame["filed_at"], stage, "before filed_at")
    _fail(
        frame,
        frame["archived_at"].notna() & frame["closed_at"].isna(),
        "archived_at",
        "archived but closed_at is empty",
    )


def case_frame(raw: pd.DataFrame) -> pd.DataFrame:
    """A typed, checked copy of ``raw`` (positional index); optional columns added if absent.

    Raises:
        CaseRecordError: The first bad value, by row and column.
        InvalidInputError: A required column is absent.
    """
    absent = [c for c in REQUIRED if c not in raw]
    if absent:
        raise InvalidInputError("columns", f"required columns missing: {', '.join(absent)}")
    frame = raw.reset_index(drop=True).copy()
    for column in (c for c in COLUMNS if c not in frame):
        frame[column] = pd.NA
    for column in REQUIRED:
        _fail(frame, frame[column].isna(), column, "required")
    for column in IDENTITY_DTYPES:
        frame[column] = frame[column].astype("object").where(frame[column].notna(), None)
    for column in DATES:
        frame[column] = _dates(frame, column)
    for column in BOOLEANS:
        frame[column] = _booleans(frame, column)
    for column in (c for c in DEBTOR_NUMERIC):
        frame[column] = _numbers(frame, column)
    frame["creditor_leads"] = frame["creditor_leads"].fillna(0.0)
    frame["creditor_leads_verified"] = frame["creditor_leads_verified"].fillna(0.0)
    _categories(frame)
    _consistency(frame)
    return frame

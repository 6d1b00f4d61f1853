"""Generic column typing and value normalisation for arbitrary sales tables.

A :class:`FrameEncoder` looks at a training frame once and decides, per column, whether it is
numeric (including numbers stored as text such as ``"1,234"`` or ``" 56 "``), boolean,
datetime or categorical. It then turns any frame with those columns — or a single row given
as a plain mapping — into the same per-column values:

* numeric, boolean and datetime columns become ``float64`` (``NaN`` when missing or not
  parseable; datetimes as fractional days since 1970-01-01 UTC, see :func:`date_to_number`);
* categorical columns become canonical strings (``None`` when missing).

The batch path (:meth:`FrameEncoder.normalize`) and the single-row path
(:func:`normalize_scalar`) give identical values; the model-specific designs built on top
live in :mod:`models.encoding`.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from models.schemas import EARLIEST_DATE, LATEST_DATE

logger = logging.getLogger(__name__)

ColumnKind = Literal["numeric", "boolean", "datetime", "categorical"]
NUMERIC_KINDS: frozenset[str] = frozenset({"numeric", "boolean", "datetime"})

#: How a table may spell true and false (lower case): English, digits and Chinese.
TRUE_WORDS = frozenset({"true", "t", "yes", "y", "1", "1.0", "是", "有"})
FALSE_WORDS = frozenset({"false", "f", "no", "n", "0", "0.0", "否", "无"})
_STRIP_NUMBER = re.compile(r"[,，\s]")
_ISO_DATE = re.compile(r"^\d{4}-\d{1,2}-\d{1,2}([ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?)?$")
_EPOCH = pd.Timestamp("1970-01-01")
_DAY = pd.Timedelta(days=1)
#: A boolean column's text read as 0/1 by the encoder: the same words as the tables'.
_BOOL_TEXT: dict[str, float] = {**dict.fromkeys(TRUE_WORDS, 1.0), **dict.fromkeys(FALSE_WORDS, 0.0)}


@dataclass(frozen=True)
class ColumnSpec:
    """How one input column is read.

    Attributes:
        name: Column name in the input frame.
        kind: ``numeric``, ``boolean``, ``datetime`` or ``categorical``.
    """

    name: str
    kind: ColumnKind


def date_to_number(value: Any) -> float:
    """Convert a date-like value to fractional days since 1970-01-01 (naive, or UTC).

    This is the number a caller passes for a datetime column in a single-row mapping.

    Args:
        value: ``datetime.date``/``datetime.datetime``/``pd.Timestamp``, an ISO-8601 string,
            or an already-converted number (returned unchanged).

    Returns:
        Days since the epoch, ``NaN`` when missing or unparseable.
    """
    if value is None or isinstance(value, bool):
        return math.nan
    if isinstance(value, int | float | np.number):
        return float(value)
    try:
        stamp = pd.Timestamp(value)
    except (ValueError, TypeError):
        return math.nan
    if stamp is pd.NaT:
        return math.nan
    if stamp.tzinfo is not None:
        stamp = stamp.tz_convert("UTC").tz_localize(None)
    return float((stamp - _EPOCH) / _DAY)


def canonical_category(value: Any) -> str | None:
    """Canonical string for a categorical value (``None`` when missing).

    Integral floats print without the decimal point so ``3``, ``3.0`` and ``"3"`` agree.
    """
    if value is None:
        return None
    if isinstance(value, str):
        text = value.strip()
        return text or None
    if isinstance(value, bool | np.bool_):
        return str(bool(value))
    if isinstance(value, float | np.floating):
        if math.isnan(value):
            return None
        return str(int(value)) if float(value).is_integer() else repr(float(value))
    if value is pd.NaT or value is pd.NA:
        return None
    return str(value).strip() or None


def text_to_number(value: Any) -> float:
    """Parse a number that may be stored as text (``"1,234"``, ``" 56 "``); ``NaN`` if not."""
    if value is None:
        return math.nan
    if isinstance(value, bool | np.bool_):
        return float(value)
    if isinstance(value, int | float | np.number):
        return float(value)
    if isinstance(value, dt.date):
        return date_to_number(value)
    try:
        return float(_STRIP_NUMBER.sub("", str(value)))
    except ValueError:
        return math.nan


def _bool_scalar(value: Any) -> float:
    if value is None:
        return math.nan
    if isinstance(value, str):
        return _BOOL_TEXT.get(value.strip().lower(), math.nan)
    return text_to_number(value)


def normalize_scalar(kind: str, value: Any) -> float | str | None:
    """Single-value twin of :meth:`FrameEncoder.normalize` for a column of ``kind``."""
    if kind == "categorical":
        return canonical_category(value)
    if kind == "datetime":
        return date_to_number(value)
    if kind == "boolean":
        return _bool_scalar(value)
    return text_to_number(value)


def text_series_to_number(series: pd.Series) -> np.ndarray:
    """Numbers stored as text (``"1,234"``, ``"1，234"``, ``" 56 "``); ``NaN`` where none."""
    text = series.astype("string").str.replace(_STRIP_NUMBER.pattern, "", regex=True)
    return np.asarray(pd.to_numeric(text, errors="coerce"), dtype=np.float64)


def outside_date_range(days: pd.Series) -> pd.Series:
    """Which of ``days`` (datetimes; missing ones never) fall outside
    :data:`~models.schemas.EARLIEST_DATE` … :data:`~models.schemas.LATEST_DATE`."""
    first, last = pd.Timestamp(EARLIEST_DATE), pd.Timestamp(LATEST_DATE)
    return days.notna() & ((days < first) | (days > last))


#: The words a refused out-of-range date is named with.
DATE_RANGE_TEXT = f"not between {EARLIEST_DATE} and {LATEST_DATE}"


def text_series_to_boolean(series: pd.Series) -> pd.Series:
    """Text spelled as in :data:`TRUE_WORDS` / :data:`FALSE_WORDS` (any case, spaces around)
    as nullable booleans; empty or any other text is ``<NA>``."""
    text = series.astype("string").str.strip().str.lower()
    out = pd.Series(pd.NA, index=series.index, dtype="boolean")
    out[text.isin(TRUE_WORDS).fillna(False).to_numpy(dtype=bool)] = True
    out[text.isin(FALSE_WORDS).fillna(False).to_numpy(dtype=bool)] = False
    return out


def series_to_number(series: pd.Series) -> np.ndarray:
    """Any column as float64: numbers as they are, booleans as 0/1, dates as days, text read
    by :func:`text_to_number` (thousands separators allowed); ``NaN`` where none."""
    if pd.api.types.is_bool_dtype(series.dtype) or pd.api.types.is_numeric_dtype(series.dtype):
        return np.asarray(series.astype("float64"), dtype=np.float64)
    if pd.api.types.is_datetime64_any_dtype(series.dtype):
        return _series_to_days(series)
    values = series.to_numpy(dtype=object, na_value=None)
    if all(v is None or isinstance(v, str) for v in values):
        return text_series_to_number(series)
    return np.array([text_to_number(v) for v in values], dtype=np.float64)


def _series_to_days(series: pd.Series) -> np.ndarray:
    if pd.api.types.is_datetime64_any_dtype(series.dtype):
        stamps = series
        if getattr(series.dt, "tz", None) is not None:
            stamps = series.dt.tz_convert("UTC").dt.tz_localize(None)
        return np.asarray((stamps - _EPOCH) / _DAY, dtype=np.float64)
    return np.array(
        [date_to_number(v) for v in series.to_numpy(dtype=object, na_value=None)],
        dtype=np.float64,
    )


def series_categories(series: pd.Series) -> np.ndarray:
    """:func:`canonical_category` of every value of ``series`` (an object array)."""
    if isinstance(series.dtype, pd.StringDtype) or pd.api.types.infer_dtype(
        series, skipna=True
    ) in ("string", "empty"):
        # All text (or missing): each distinct value is stripped once (``pd.factorize``), not
        # once per row; "" and blanks become missing.
        codes, uniques = pd.factorize(series, use_na_sentinel=True)
        levels = [v.strip() or None for v in uniques.to_numpy(dtype=object, na_value="")]
        return np.array([*levels, None], dtype=object)[codes]  # code -1 (missing): None
    values = series.to_numpy(dtype=object, na_value=None)
    return np.array([canonical_category(v) for v in values], dtype=object)


def _infer_kind(series: pd.Series, numeric_share: float) -> ColumnKind:
    dtype = series.dtype
    if pd.api.types.is_bool_dtype(dtype):
        return "boolean"
    if pd.api.types.is_numeric_dtype(dtype):
        return "numeric"
    if pd.api.types.is_datetime64_any_dtype(dtype):
        return "datetime"
    values = [v for v in series.to_numpy(dtype=object, na_value=None) if v is not None]
    if not values:
        return "numeric"
    if all(isinstance(v, bool | np.bool_) for v in values):
        return "boolean"
    if all(isinstance(v, dt.date) for v in values):
        return "datetime"
    if all(isinstance(v, str) and _ISO_DATE.match(v.strip()) for v in values):
        return "datetime"
    parsed = series_to_number(series.dropna())
    if np.mean(np.isfinite(parsed)) >= numeric_share:
        return "numeric"
    return "categorical"


class FrameEncoder(BaseEstimator):
    """Infer column kinds on a training frame and normalise frames or rows consistently.

    Args:
        numeric_share: Share of non-missing text values that must parse as numbers for a text
            column to be read as numeric; the rest then become ``NaN``.
    """

    def __init__(self, numeric_share: float = 0.95) -> None:
        self.numeric_share = numeric_share

    def fit(self, X: pd.DataFrame, y: Any = None) -> FrameEncoder:
        """Decide each column's kind.

        Args:
            X: Training frame (any column dtypes).
            y: Ignored.

        Returns:
            The fitted encoder.
        """
        self.specs_ = [
            ColumnSpec(name=str(col), kind=_infer_kind(X[col], self.numeric_share))
            for col in X.columns
        ]
        self.feature_names_in_ = np.array([spec.name for spec in self.specs_], dtype=object)
        counts = pd.Series([spec.kind for spec in self.specs_]).value_counts().to_dict()
        logger.info("column kinds: %s", counts)
        return self

    def normalize(self, X: pd.DataFrame) -> list[np.ndarray]:
        """Per-column normalised values, in ``feature_names_in_`` order.

        Missing columns are treated as entirely missing; extra columns are ignored.

        Args:
            X: Frame to read.

        Returns:
            One array per column: ``float64`` for numeric kinds, ``object`` (str or None)
            for categorical columns.
        """
        check_is_fitted(self, "specs_")
        return [self._normalize_column(spec, X, len(X)) for spec in self.specs_]

    @staticmethod
    def _normalize_column(spec: ColumnSpec, X: pd.DataFrame, n_rows: int) -> np.ndarray:
        if spec.name not in X.columns:
            if spec.kind == "categorical":
                return np.full(n_rows, None, dtype=object)
            return np.full(n_rows, np.nan)
        series = X[spec.name]
        if spec.kind == "categorical":
            return series_categories(series)
        if spec.kind == "datetime":
            return _series_to_days(series)
        if spec.kind == "boolean" and not pd.api.types.is_bool_dtype(series.dtype):
            values = series.to_numpy(dtype=object, na_value=None)
            return np.array([_bool_scalar(v) for v in values], dtype=np.float64)
        return series_to_number(series)

    def kinds(self) -> dict[str, str]:
        """Mapping from column name to inferred kind."""
        check_is_fitted(self, "specs_")
        return {spec.name: spec.kind for spec in self.specs_}


def lookup(values: np.ndarray, table: Mapping[Any, float], default: float) -> np.ndarray:
    """Vectorised ``table.get(value, default)`` over normalised categorical values.

    Each distinct value is looked up once (``pd.factorize``), which is several times faster
    than a lookup per row for the few levels a categorical column has.
    """
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    mapped = np.array(
        [table.get(u, default) for u in uniques] + [table.get(None, default)], dtype=np.float64
    )
    return mapped[codes]  # code -1 (missing) takes the last entry: the value for None

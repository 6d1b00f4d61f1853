"""The models' clock: fractional months since 2000-01-01, for dates and date columns."""

from __future__ import annotations

import calendar
import datetime as dt
import math

import pandas as pd

_EPOCH_YEAR = 2000
#: Mainland China's time zone (UTC+8, no daylight saving): the courts' calendar days.
CHINA_TZ = dt.timezone(dt.timedelta(hours=8))


def china_today() -> dt.date:
    """Today's date in mainland China (a server may run on UTC, eight hours behind)."""
    return dt.datetime.now(CHINA_TZ).date()


def months_since_epoch(date: dt.date) -> float:
    """Fractional months since 2000-01-01: the model's clock."""
    return (date.year - _EPOCH_YEAR) * 12 + (date.month - 1) + (date.day - 1) / 31.0


def months_since_epoch_series(dates: pd.Series) -> pd.Series:
    """Vectorised :func:`months_since_epoch` over a date column."""
    d = pd.to_datetime(dates)
    return ((d.dt.year - _EPOCH_YEAR) * 12 + (d.dt.month - 1) + (d.dt.day - 1) / 31.0).astype(
        "float64"
    )


def month_end(year: int, month: int) -> dt.date:
    """The last day of a month."""
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def shift_months(date: dt.date, months: int) -> tuple[int, int]:
    """(year, month) of the month ``months`` after ``date``'s month (negative: before)."""
    index = date.year * 12 + (date.month - 1) + months
    return index // 12, index % 12 + 1


def years_between(start: dt.date, end: dt.date) -> float:
    """Years from ``start`` to ``end`` (365.25-day years; negative when end is earlier)."""
    return (end - start).days / 365.25


def month_label(months: float) -> str:
    """``YYYY-MM`` of a model-clock value (see :func:`months_since_epoch`)."""
    index = _EPOCH_YEAR * 12 + math.floor(months)
    return f"{index // 12:04d}-{index % 12 + 1:02d}"

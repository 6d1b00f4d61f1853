"""The triage rules' calendar: whole days between dates, and months as 365.25 / 12 days.

Every "days" in the rules is a count of calendar days, ``as_of − date``, with both sides taken
at midnight. A threshold in months becomes a whole number of days by :func:`month_limit_days`,
so "open longer than 6 months" means "open more than 182 days" and the rules, their day
counts and their messages always agree.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

#: One month of the statutory period, in days (a 365.25-day year over 12).
DAYS_PER_MONTH: float = 365.25 / 12

_DAY = np.timedelta64(1, "D")


def as_day(as_of: pd.Timestamp | str) -> np.datetime64:
    """``as_of`` as a calendar day (time of day and time zone dropped)."""
    stamp = pd.Timestamp(as_of)
    if stamp.tzinfo is not None:
        stamp = stamp.tz_localize(None)
    return np.datetime64(stamp.normalize().date(), "D")


def day_values(dates: pd.Series | np.ndarray) -> np.ndarray:
    """A date column as ``datetime64[D]`` (``NaT`` stays ``NaT``)."""
    values = pd.to_datetime(pd.Series(dates, copy=False)).to_numpy("datetime64[ns]")
    return values.astype("datetime64[D]")


def days_between(start: np.ndarray | np.datetime64, end: np.ndarray | np.datetime64) -> np.ndarray:
    """Whole days from ``start`` to ``end`` as floats (``NaN`` where either is ``NaT``)."""
    elapsed = np.asarray(end, dtype="datetime64[D]") - np.asarray(start, dtype="datetime64[D]")
    return np.asarray(elapsed / _DAY, dtype=np.float64)


def days_since(dates: pd.Series | np.ndarray, as_of: pd.Timestamp | str) -> np.ndarray:
    """Whole days from each date to ``as_of`` (``NaN`` for ``NaT``; negative: after ``as_of``)."""
    return days_between(day_values(dates), as_day(as_of))


def months_open(filed_at: pd.Series | np.ndarray, as_of: pd.Timestamp | str) -> np.ndarray:
    """Months from filing to ``as_of`` (``DAYS_PER_MONTH``-day months; ``NaN`` for ``NaT``)."""
    return days_since(filed_at, as_of) / DAYS_PER_MONTH


def month_limit_days(months: float) -> int:
    """The whole days a threshold in months allows: more days than this is "longer than".

    ``days > month_limit_days(m)`` is the same test as ``days / DAYS_PER_MONTH > m`` for a
    whole number of days, e.g. 6 months -> 182 days, 2.5 months -> 76 days.
    """
    return math.floor(months * DAYS_PER_MONTH)

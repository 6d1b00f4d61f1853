"""Working days in mainland China: weekends, public holidays and adjusted working days (调休).

The arrangement changes every year by a State Council notice (国务院办公厅关于某年部分节假日安排的
通知), so it comes from the maintained package ``chinese-calendar`` rather than a hand-written
list: a 调休 Saturday or Sunday is a working day, a weekday inside a holiday is not.

Outside the years the package knows, these functions raise :class:`CalendarNotCoveredError`
instead of falling back to "Monday to Friday". A due date or a deadline here has legal weight: a
weekends-only guess would count the Spring Festival or National Day week as working days and
give a date that is wrong by up to a week, silently. Callers that must still act (an objection
is a party's right and is always registered) decide what a safe estimate is and mark it as one
(see :mod:`models.court.objections`). The fix is operational — upgrade ``chinese-calendar`` once
the next year's notice is out (usually in November) — and :func:`calendar_warning` says, at the
server's start-up, when that is due.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging

import chinese_calendar

from models.court.errors import CalendarNotCoveredError, bilingual

logger = logging.getLogger(__name__)


@functools.cache
def covered_years() -> range:
    """The calendar years whose official holiday arrangement the package holds."""
    years = {day.year for day in chinese_calendar.holidays}
    return range(min(years), max(years) + 1)


def is_working_day(day: dt.date) -> bool:
    """Whether ``day`` is a working day in mainland China (调休 weekend days included).

    Raises:
        CalendarNotCoveredError: ``day`` is in a year the holiday calendar does not cover.
    """
    _check_covered(day)
    return bool(chinese_calendar.is_workday(day))


def add_working_days(start: dt.date, n: int) -> dt.date:
    """The ``n``-th working day after ``start`` (``start`` itself is not counted).

    ``add_working_days(objection_date, 3)`` is the due date of the formal appraisal a written
    objection starts. ``n = 0`` returns ``start`` unchanged.

    Raises:
        ValueError: ``n`` is negative.
        CalendarNotCoveredError: the count runs into a year the calendar does not cover.
    """
    if n < 0:
        raise ValueError(f"n must be >= 0 working days, got {n}")
    day, counted = start, 0
    while counted < n:
        day += dt.timedelta(days=1)
        counted += is_working_day(day)
    return day


def next_working_day_on_or_after(day: dt.date) -> dt.date:
    """``day`` if it is a working day, else the first working day after it."""
    while not is_working_day(day):
        day += dt.timedelta(days=1)
    return day


def _check_covered(day: dt.date) -> None:
    years = covered_years()
    if day.year not in years:
        logger.error(
            "holiday calendar has no data for %d (covers %d-%d)", day.year, years[0], years[-1]
        )
        raise CalendarNotCoveredError(
            bilingual(
                f"节假日日历没有 {day.year} 年的放假安排（现有 {years[0]}–{years[-1]} 年），"
                "无法计算工作日；请升级 chinese-calendar",
                f"the holiday calendar has no arrangement for {day.year} (covers "
                f"{years[0]}–{years[-1]}); working days cannot be counted — upgrade "
                "chinese-calendar",
            )
        )


def calendar_warning(today: dt.date) -> str | None:
    """Why the holiday calendar needs an upgrade as of ``today``, or ``None`` if it does not.

    It does from November on when it lacks next year (a 3-working-day count from late
    December runs into it), and always when it lacks this year.
    """
    last = covered_years()[-1]
    needed = today.year + 1 if today.month >= 11 else today.year
    if last >= needed:
        return None
    return (
        f"the holiday calendar (chinese-calendar) covers years up to {last}, but {needed} is "
        "needed: working-day dates from then on are estimated and marked provisional until "
        "chinese-calendar is upgraded"
    )

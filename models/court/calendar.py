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

**A court's own copy of the notice.** A court network that cannot upgrade a package at once can
copy the notice into a JSON file (``COURTVAL_HOLIDAY_FILE``), which the server reads at its
start and again on a reload (:func:`parse_holiday_notice`, then :func:`supplement_calendar`)::

    {"2027": {"holidays": ["2027-01-01", "2027-02-06/2027-02-12"], "workdays": ["2027-02-14"]}}

A ``holidays`` entry is a day or an inclusive ``first/last`` range of days off, weekends inside
it included; ``workdays`` are the 调休 weekend days worked. In a year of the file a day is a
working day if it is listed as one, else if it is a weekday not listed as a holiday; the file's
years take precedence over the package's.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
from collections.abc import Mapping
from dataclasses import dataclass

import chinese_calendar
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from models.court.errors import CalendarNotCoveredError, bilingual
from models.errors import DataError

logger = logging.getLogger(__name__)

#: Longest holiday range a notice has (the Spring Festival's 8 or 9 days, with room to spare).
MAX_HOLIDAY_RANGE_DAYS = 16


class _YearNotice(BaseModel):
    """One year of the holiday file, as the notice lists it."""

    model_config = ConfigDict(extra="forbid")

    holidays: list[str] = Field(min_length=1)
    workdays: list[str] = Field(default_factory=list)


_NOTICES = TypeAdapter(dict[int, _YearNotice])


@dataclass(frozen=True)
class YearArrangement:
    """One year's days off and 调休 working days, from a court's copy of the notice (the
    year is its key in :func:`parse_holiday_notice`'s mapping)."""

    holidays: frozenset[dt.date]
    workdays: frozenset[dt.date]

    def is_working_day(self, day: dt.date) -> bool:
        """Whether ``day`` (in this year) is a working day."""
        if day in self.workdays:
            return True
        return day.weekday() < 5 and day not in self.holidays


_supplement: dict[int, YearArrangement] = {}


@functools.cache
def _package_years() -> frozenset[int]:
    years = {day.year for day in chinese_calendar.holidays}
    return frozenset(range(min(years), max(years) + 1))


def covered_years() -> tuple[int, ...]:
    """The calendar years whose holiday arrangement is known, in order: the package's and
    those of the court's holiday file (:func:`supplement_calendar`)."""
    return tuple(sorted(_package_years() | _supplement.keys()))


def supplemented_years() -> tuple[int, ...]:
    """The years the court's holiday file supplies (:func:`supplement_calendar`), in order."""
    return tuple(sorted(_supplement))


def _days(entry: str, year: int, where: str) -> list[dt.date]:
    """The days of one ``YYYY-MM-DD`` or ``YYYY-MM-DD/YYYY-MM-DD`` entry, all in ``year``."""
    try:
        first, _, last = entry.partition("/")
        start = dt.date.fromisoformat(first.strip())
        end = dt.date.fromisoformat(last.strip()) if last else start
    except ValueError:
        raise DataError(f"{where}: {entry!r} is not a date or a first/last range") from None
    if not start <= end or (end - start).days >= MAX_HOLIDAY_RANGE_DAYS:
        raise DataError(f"{where}: {entry!r} is not a range of 1 to {MAX_HOLIDAY_RANGE_DAYS} days")
    if start.year != year or end.year != year:
        raise DataError(f"{where}: {entry!r} is not in {year}")
    return [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]


def _arrangement(year: int, notice: _YearNotice, source: str) -> YearArrangement:
    def days(kind: str, entries: list[str]) -> frozenset[dt.date]:
        where = f"{source}, {year} {kind}"
        return frozenset(day for entry in entries for day in _days(entry, year, where))

    holidays, workdays = days("holidays", notice.holidays), days("workdays", notice.workdays)
    if both := sorted(holidays & workdays):
        raise DataError(f"{source}: {both[0]} is both a holiday and a working day")
    if weekdays := sorted(day for day in workdays if day.weekday() < 5):
        raise DataError(
            f"{source}: {weekdays[0]} is a weekday; workdays lists the weekend days worked (调休)"
        )
    return YearArrangement(holidays=holidays, workdays=workdays)


def parse_holiday_notice(content: bytes, source: str) -> dict[int, YearArrangement]:
    """The years of a court's holiday file (format in the module docstring).

    Args:
        content: The file's bytes (JSON).
        source: What to call the file in messages (its path).

    Raises:
        DataError: not JSON of that shape, an entry is not a day of its year, a range is
            reversed or too long, a day is both off and worked, or a listed working day is not
            a weekend day; the message names the file and the entry.
    """
    try:
        notices = _NOTICES.validate_json(content)
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        place = ".".join(str(part) for part in first["loc"]) or "the file"
        raise DataError(f"{source}: {place}: {first['msg']}") from exc
    return {year: _arrangement(year, notice, source) for year, notice in notices.items()}


def supplement_calendar(years: Mapping[int, YearArrangement]) -> None:
    """Use ``years`` (:func:`parse_holiday_notice`) before the package from now on, for the
    whole process; an empty mapping leaves the package's years alone. The server calls it at
    its start, and on a reload, with the settings' holiday file."""
    _supplement.clear()
    _supplement.update(years)
    if overridden := sorted(_package_years() & years.keys()):
        logger.warning("the holiday file replaces chinese-calendar for %s", overridden)
    if years:
        logger.info("holiday calendar: %s from the holiday file", sorted(years))


def is_working_day(day: dt.date) -> bool:
    """Whether ``day`` is a working day in mainland China (调休 weekend days included).

    Raises:
        CalendarNotCoveredError: ``day`` is in a year the holiday calendar does not cover.
    """
    arrangement = _supplement.get(day.year)
    if arrangement is not None:
        return arrangement.is_working_day(day)
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
                "无法计算工作日；请升级 chinese-calendar，或按国务院通知填写 COURTVAL_HOLIDAY_FILE",
                f"the holiday calendar has no arrangement for {day.year} (covers "
                f"{years[0]}–{years[-1]}); working days cannot be counted — upgrade "
                "chinese-calendar, or copy the State Council's notice into COURTVAL_HOLIDAY_FILE",
            )
        )


def calendar_warning(today: dt.date) -> str | None:
    """Why the holiday calendar needs an upgrade as of ``today``, or ``None`` if it does not.

    It does from November on when it lacks next year (a 3-working-day count from late
    December runs into it), and always when it lacks this year.
    """
    years = covered_years()
    needed = today.year + 1 if today.month >= 11 else today.year
    if needed in years:
        return None
    return (
        f"the holiday calendar covers years up to {years[-1]}, but {needed} is needed: "
        "working-day dates from then on are estimated and marked provisional until "
        "chinese-calendar is upgraded or COURTVAL_HOLIDAY_FILE holds the State Council's "
        f"arrangement for {needed}"
    )

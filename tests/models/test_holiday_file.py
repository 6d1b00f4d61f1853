"""A court's own copy of the State Council's holiday notice, for a year the package lacks."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from models.court import (
    CalendarNotCoveredError,
    ObjectionGround,
    ObjectionRequest,
    Party,
    add_working_days,
    calendar_warning,
    covered_years,
    is_working_day,
    objection_deadline,
    open_appraisal_task,
    parse_holiday_notice,
    settle_dates,
    supplement_calendar,
)
from models.errors import DataError
from serving.app import create_app
from tests.conftest import make_settings

D = dt.date


@pytest.fixture(autouse=True)
def package_calendar_after() -> Iterator[None]:
    """Each test starts and ends with the package's calendar alone (it is process-wide)."""
    supplement_calendar({})
    yield
    supplement_calendar({})


@pytest.fixture
def year() -> int:
    """The first year chinese-calendar lacks."""
    return covered_years()[-1] + 1


def _weekend_after(day: dt.date) -> dt.date:
    while day.weekday() < 5:
        day += dt.timedelta(days=1)
    return day


def notice(year: int) -> dict[str, dict[str, list[str]]]:
    """New Year's Day off, a week off in February, and the Saturday or Sunday after it worked."""
    worked = _weekend_after(D(year, 2, 12))
    return {
        str(year): {
            "holidays": [f"{year}-01-01", f"{year}-02-05/{year}-02-11"],
            "workdays": [worked.isoformat()],
        }
    }


def test_a_year_of_the_file_has_its_holidays_and_adjusted_days(year: int) -> None:
    with pytest.raises(CalendarNotCoveredError):
        is_working_day(D(year, 3, 2))
    supplement_calendar(parse_holiday_notice(json.dumps(notice(year)).encode(), "h.json"))
    assert year in covered_years()
    worked = _weekend_after(D(year, 2, 12))
    ordinary_weekend = _weekend_after(D(year, 3, 1))
    assert not is_working_day(D(year, 1, 1))
    assert not any(is_working_day(D(year, 2, d)) for d in range(5, 12))
    assert is_working_day(worked)
    assert not is_working_day(ordinary_weekend)
    assert is_working_day(ordinary_weekend + dt.timedelta(days=2))  # the Monday or Tuesday
    # 3 working days after 4 February: the week off is skipped, the worked weekend day counts.
    after_the_week_off = (D(year, 2, 12) + dt.timedelta(days=i) for i in range(10))
    working = [d for d in after_the_week_off if d.weekday() < 5 or d == worked][:3]
    assert add_working_days(D(year, 2, 4), 3) == working[-1]
    assert calendar_warning(D(year - 1, 11, 20)) is None


def test_an_objection_in_that_year_has_exact_dates(year: int) -> None:
    received, submitted = D(year, 3, 1), D(year, 3, 3)
    request = ObjectionRequest(
        party=Party.DEBTOR,
        ground=ObjectionGround.BASIC_FACTS,
        grounds="询价报告所列建筑面积与不动产登记簿不符。",
        received_report_on=received,
        submitted_on=submitted,
    )
    assert open_appraisal_task(request, registered_on=submitted).dates_provisional
    supplement_calendar(parse_holiday_notice(json.dumps(notice(year)).encode(), "h.json"))
    task = open_appraisal_task(request, registered_on=submitted)
    assert not task.dates_provisional
    assert task.due_on == add_working_days(submitted, 3)


def _objection(received: dt.date, submitted: dt.date) -> ObjectionRequest:
    return ObjectionRequest(
        party=Party.CREDITOR,
        ground=ObjectionGround.VALUATION,
        grounds="询价结果明显低于同小区近期成交价格。",
        received_report_on=received,
        submitted_on=submitted,
    )


@pytest.mark.parametrize("days_after_deadline", [0, 1])
def test_provisional_dates_are_settled_once_the_year_is_known(
    year: int, days_after_deadline: int
) -> None:
    """A report received on 02-01: its fifth day (02-06) falls in the file's week off, so the
    deadline moves to the first working day after it. Accepted on the benefit of the doubt
    before the file, an objection submitted a day after that turns out late."""
    calendar = parse_holiday_notice(json.dumps(notice(year)).encode(), "h.json")
    supplement_calendar(calendar)
    deadline = objection_deadline(D(year, 2, 1))
    assert deadline > D(year, 2, 11)  # extended past the week off
    submitted = deadline + dt.timedelta(days=days_after_deadline)
    supplement_calendar({})
    request = _objection(D(year, 2, 1), submitted)
    provisional = open_appraisal_task(request, registered_on=submitted)
    assert provisional.dates_provisional
    assert provisional.objection_deadline == D(year, 2, 6)  # the unextended fifth day
    known = {"received_report_on": request.received_report_on, "submitted_on": submitted}
    assert settle_dates(provisional, **known) is None  # the year is still unknown
    supplement_calendar(calendar)
    settled = settle_dates(provisional, **known)
    assert settled is not None
    assert settled.objection_deadline == deadline
    assert settled.due_on == add_working_days(submitted, 3)
    assert settled.objection_late is bool(days_after_deadline)
    exact = provisional.model_copy(update={"dates_provisional": False})
    assert settle_dates(exact, **known) is None  # exact dates need no settling


@pytest.mark.parametrize(
    ("change", "match"),
    [
        ({"holidays": ["2027-13-01"]}, "'2027-13-01' is not a date"),
        ({"holidays": ["2028-01-01"]}, "'2028-01-01' is not in 2027"),
        ({"holidays": ["2027-02-11/2027-02-05"]}, "is not a range of 1 to 16 days"),
        ({"holidays": ["2027-01-01/2027-03-01"]}, "is not a range of 1 to 16 days"),
        ({"holidays": []}, "2027.holidays: List should have at least 1 item"),
        ({"workdays": ["2027-02-15"]}, "2027-02-15 is a weekday"),
        ({"holidays": ["2027-02-14"], "workdays": ["2027-02-14"]}, "both a holiday and"),
        ({"weekends": []}, "Extra inputs are not permitted"),
    ],
)
def test_a_bad_entry_is_named(change: dict[str, list[str]], match: str) -> None:
    year = {"holidays": ["2027-01-01"], "workdays": [], **change}
    with pytest.raises(DataError, match=match) as raised:
        parse_holiday_notice(json.dumps({"2027": year}).encode(), "h.json")
    assert str(raised.value).startswith("h.json")


@pytest.mark.parametrize("content", [b"", b"{not json", b"[]", b'{"twenty": {}}'])
def test_a_file_that_is_not_a_notice_is_named(content: bytes) -> None:
    with pytest.raises(DataError, match=r"^h\.json: "):
        parse_holiday_notice(content, "h.json")


def test_the_server_reads_the_settings_file_and_refuses_a_bad_one(
    tmp_path: Path, year: int
) -> None:
    good = tmp_path / "holidays.json"
    good.write_text(json.dumps(notice(year)), encoding="utf-8")
    create_app(make_settings(tmp_path, holiday_file=good))
    assert not is_working_day(D(year, 1, 1))
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({str(year): {"holidays": [f"{year}-02-30"]}}), encoding="utf-8")
    with pytest.raises(DataError, match=f"bad.json, {year} holidays: '{year}-02-30'"):
        create_app(make_settings(tmp_path, holiday_file=bad))
    assert not is_working_day(D(year, 1, 1))  # a bad file leaves the calendar as it was
    with pytest.raises(DataError, match="cannot read the holiday file"):
        create_app(make_settings(tmp_path, holiday_file=tmp_path / "missing.json"))
    create_app(make_settings(tmp_path))
    with pytest.raises(CalendarNotCoveredError):
        is_working_day(D(year, 1, 1))

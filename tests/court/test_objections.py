"""Objections, appraisal tasks and the reference price in the court store, on both backends.

Due dates and deadlines are worked out by hand from the State Council's holiday notices, not by
the code under test:

* 2025 National Day: 10-01 to 10-08 off; Sunday 09-28 and Saturday 10-11 are working days.
* 2025 Spring Festival: 01-28 to 02-04 off; Sunday 01-26 and Saturday 02-08 are working days.
"""

from __future__ import annotations

import datetime as dt
import importlib
import json
import threading
from decimal import Decimal
from typing import Any

import pytest
from pydantic import ValidationError
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session, sessionmaker

from models.court import (
    AppraisalProgress,
    AppraisalStatus,
    AppraisalStepError,
    ExclusionReason,
    ObjectionGround,
    ObjectionRejectedError,
    ObjectionRequest,
    Party,
    PlatformResult,
    covered_years,
    parse_holiday_notice,
    supplement_calendar,
)
from models.errors import InvalidInputError
from models.property.schemas import (
    Comparable,
    PropertyRequest,
    PropertyValuation,
    RuleBasedFigure,
)
from models.property.vocabulary import Decoration, Orientation, PropertyType
from models.schemas import Contribution, ModelInfo, ValueInterval
from serving.court import (
    ApiKeyCreate,
    ApiKeyPublic,
    LedgerEntryCreate,
    Role,
    append,
    create_key,
    session_factory,
    upgrade,
    verify,
)
from serving.court.errors import (
    AlreadyDisputedError,
    AppraisalTaskNotFoundError,
    InquiryNotFoundError,
)
from serving.court.objections import (
    PROPERTY_VALUATION_ENDPOINT,
    AppraisalTaskPublic,
    EntryTask,
    disputed_entry_ids,
    entry_tasks,
    file_objection,
    list_tasks,
    record_progress,
    settle_provisional_tasks,
    settleable_count,
    task_counts,
)
from serving.court.reference import (
    PLATFORM_NAME,
    InquiryResult,
    ReferencePriceRequest,
    reference_from_inputs,
)
from serving.court.tables import AppraisalTaskRow, LedgerEntryRow
from serving.routers.inquiries import _summary

CASE = "（2024）浙1081执1234号"
GROUNDS = "评估结果明显低于同小区近期成交价，请求委托评估机构评估。"


def valuation(value: float) -> dict[str, object]:
    """A property valuation answer, as the API stores it in the ledger."""
    answer = PropertyValuation(
        value=value,
        value_per_m2=round(value / 89.5, 2),
        interval=ValueInterval(
            lower=value * 0.9, upper=value * 1.1, coverage=0.8, method="split conformal"
        ),
        rule_based=RuleBasedFigure(
            value=value * 1.02,
            value_per_m2=round(value * 1.02 / 89.5, 2),
            base_price_per_m2=3100.0,
            base_source="community",
            floor_coefficient=1.01,
            orientation_coefficient=1.0,
            time_index=0.98,
        ),
        comparables=[
            Comparable(
                transaction_date=dt.date(2025, 6, 3),
                community="锦园小区",
                area_m2=92.0,
                floor=5,
                total_floors=6,
                price=285_000.0,
                price_per_m2=3097.83,
                distance_km=0.2,
                similarity=0.91,
            )
        ],
        contributions=[
            Contribution(feature="area_m2", label="面积", value="89.5", effect_pct=12.3)
        ],
        model=ModelInfo(name="courtval-property", version="3", run_id="abc123", alias="champion"),
    )
    return answer.model_dump(mode="json")


def request_inputs() -> dict[str, object]:
    """The property asked about."""
    request = PropertyRequest(
        address="温岭市太平街道锦园小区3幢402室",
        certificate_number="浙（2020）温岭市不动产权第0012345号",
        district="太平街道",
        community="锦园小区",
        property_type=PropertyType.RESIDENTIAL,
        area_m2=89.5,
        total_floors=6,
        floor=4,
        orientation=Orientation.SOUTH,
        rooms=3,
        elevator=False,
        decoration=Decoration.SIMPLE,
        valuation_date=dt.date(2024, 9, 1),
        build_year=2005,
    )
    return request.model_dump(mode="json")


def record_inquiry(
    engine: Engine,
    key: ApiKeyPublic,
    *,
    on: dt.datetime,
    value: float = 270_000.0,
    endpoint: str = PROPERTY_VALUATION_ENDPOINT,
    case_number: str | None = CASE,
) -> int:
    """Append a property valuation to the ledger at ``on``; its id."""
    return append_as(
        engine,
        key,
        on=on,
        case_number=case_number,
        endpoint=endpoint,
        purpose="网络询价",
        inputs=request_inputs(),
        outputs=valuation(value),
        model_name="courtval-property",
        model_version="3",
        run_id="abc123",
    )


def append_as(engine: Engine, key: ApiKeyPublic, *, on: dt.datetime, **fields: Any) -> int:
    """Append an entry of ``key``'s at ``on`` with ``fields`` (endpoint, inputs, outputs, …;
    the case is :data:`CASE` unless given); its id."""
    defaults = {"case_number": CASE, "purpose": None, "latency_ms": 15.0}
    entry = LedgerEntryCreate(
        key_id=key.id, user_name=key.owner, role=key.role, **(defaults | fields)
    )
    return append(engine, entry, now=on).id


def objection(received: dt.date, submitted: dt.date) -> ObjectionRequest:
    """The debtor's objection to the valuation."""
    return ObjectionRequest(
        party=Party.DEBTOR,
        ground=ObjectionGround.VALUATION,
        grounds=GROUNDS,
        received_report_on=received,
        submitted_on=submitted,
    )


def filed(
    sessions: sessionmaker[Session], entry_id: int, request: ObjectionRequest, **kwargs: Any
) -> AppraisalTaskPublic:
    """Register an objection and commit, as the API does with its ledger entry."""
    with sessions() as session:
        task = file_objection(session, entry_id, request, **kwargs)
        session.commit()
    return task


def at(day: str, hour: int = 2) -> dt.datetime:
    """A UTC moment on ``day`` (02:00 UTC is 10:00 in China)."""
    return dt.datetime.fromisoformat(day).replace(hour=hour, tzinfo=dt.UTC)


D = dt.date.fromisoformat


@pytest.mark.parametrize(
    ("received", "submitted", "registered", "deadline", "due"),
    [
        # 09-25 + 5 days = 09-30 (Tue, a working day). Registered 09-30: 10-01..10-08 are off,
        # then 10-09 (1), 10-10 (2), 10-11 (3, the 调休 Saturday).
        ("2025-09-25", "2025-09-29", "2025-09-30", "2025-09-30", "2025-10-11"),
        # 01-20 + 5 days = 01-25 (Sat, rest) → 01-26 (the 调休 Sunday). Registered 01-24:
        # 01-26 (1), 01-27 (2), 01-28..02-04 off, 02-05 (3).
        ("2025-01-20", "2025-01-23", "2025-01-24", "2025-01-26", "2025-02-05"),
    ],
    ids=["national-day", "spring-festival"],
)
def test_filing_opens_a_task_due_three_working_days_later(
    session: Session,
    sessions: sessionmaker[Session],
    judge: ApiKeyPublic,
    received: str,
    submitted: str,
    registered: str,
    deadline: str,
    due: str,
    engine: Engine,
) -> None:
    entry_id = record_inquiry(engine, judge, on=at("2025-01-15"))
    request = objection(D(received), D(submitted))
    task = filed(sessions, entry_id, request, key=judge, today=D(registered))
    assert (task.inquiry_id, task.case_number, task.filed_by_key_id) == (entry_id, CASE, judge.id)
    assert (task.party, task.ground, task.grounds) == (Party.DEBTOR, request.ground, GROUNDS)
    assert (task.received_report_on, task.submitted_on) == (D(received), D(submitted))
    assert task.registered_on == D(registered)
    assert task.objection_deadline == D(deadline)
    assert task.due_on == D(due)
    assert task.status is AppraisalStatus.OPEN and task.closed_at is None
    assert not task.overdue and task.model_dump()["overdue"] is False
    assert list_tasks(session, today=D(registered)).items == [task]


def test_an_objection_beyond_the_holiday_calendar_is_stored_as_provisional(
    session: Session, sessions: sessionmaker[Session], judge: ApiKeyPublic, engine: Engine
) -> None:
    """A year the calendar lacks: the objection is registered all the same, its dates the
    earliest they can be and marked provisional, and the mark survives the store."""
    year = covered_years()[-1] + 1
    entry_id = record_inquiry(engine, judge, on=at(f"{year}-01-04"))
    request = objection(dt.date(year, 1, 5), dt.date(year, 1, 8))
    task = filed(sessions, entry_id, request, key=judge, today=dt.date(year, 1, 8))
    assert task.dates_provisional
    assert (task.objection_deadline, task.due_on) == (dt.date(year, 1, 10), dt.date(year, 1, 11))
    assert list_tasks(session, today=dt.date(year, 1, 8)).items == [task]
    assert entry_tasks(session, [entry_id]) == {
        entry_id: EntryTask(task.id, AppraisalStatus.OPEN, task.due_on, True, False)
    }


def test_provisional_dates_are_settled_when_the_calendar_knows_the_year(
    session: Session, sessions: sessionmaker[Session], judge: ApiKeyPublic, engine: Engine
) -> None:
    """Registered while the year was unknown; the holiday file then gives the year (New Year's
    Day off, nothing after it in January): the exact dates count weekends, the provisional
    ones (the earliest possible) did not."""
    year = covered_years()[-1] + 1
    entry_id = record_inquiry(engine, judge, on=at(f"{year}-01-04"))
    request = objection(dt.date(year, 1, 5), dt.date(year, 1, 8))
    task = filed(sessions, entry_id, request, key=judge, today=dt.date(year, 1, 8))
    assert settle_provisional_tasks(session) == []  # the year is still unknown
    notice = {year: {"holidays": [f"{year}-01-01"]}}
    calendar = parse_holiday_notice(json.dumps(notice).encode(), "h")
    supplement_calendar(calendar)
    try:
        assert settleable_count(session) == 1
        (settled,) = settle_provisional_tasks(session)
        assert settle_provisional_tasks(session) == []  # once
    finally:
        supplement_calendar({})
    weekdays = [
        d for d in (dt.date(year, 1, 1) + dt.timedelta(i) for i in range(31)) if d.weekday() < 5
    ]
    expected_deadline = next(d for d in weekdays if d >= dt.date(year, 1, 10))
    expected_due = [d for d in weekdays if d > dt.date(year, 1, 8)][2]
    assert (settled.task_id, settled.inquiry_id) == (task.id, entry_id)
    assert (settled.provisional_objection_deadline, settled.provisional_due_on) == (
        dt.date(year, 1, 10),
        dt.date(year, 1, 11),
    )
    assert (settled.settled.objection_deadline, settled.settled.due_on) == (
        expected_deadline,
        expected_due,
    )
    assert not settled.settled.objection_late
    (stored,) = list_tasks(session, today=dt.date(year, 1, 8)).items
    assert not stored.dates_provisional
    assert (stored.objection_deadline, stored.due_on) == (expected_deadline, expected_due)


def test_a_second_objection_is_already_disputed(
    session: Session, sessions: sessionmaker[Session], judge: ApiKeyPublic, engine: Engine
) -> None:
    entry_id = record_inquiry(engine, judge, on=at("2025-09-22"))
    request = objection(D("2025-09-25"), D("2025-09-29"))
    first = filed(sessions, entry_id, request, key=judge, today=D("2025-09-30"))
    with pytest.raises(AlreadyDisputedError, match=f"appraisal task {first.id}") as caught:
        filed(sessions, entry_id, request, key=judge, today=D("2025-09-30"))
    assert (caught.value.entry_id, caught.value.task_id) == (entry_id, first.id)
    assert list_tasks(session).total == 1


def test_concurrent_objections_open_one_task(
    session: Session, sessions: sessionmaker[Session], judge: ApiKeyPublic, engine: Engine
) -> None:
    entry_id = record_inquiry(engine, judge, on=at("2025-09-22"))
    request = objection(D("2025-09-25"), D("2025-09-29"))
    start = threading.Barrier(4)
    outcomes: list[object] = []

    def filer() -> None:
        start.wait()
        try:
            outcomes.append(filed(sessions, entry_id, request, key=judge, today=D("2025-09-30")))
        except AlreadyDisputedError as exc:
            outcomes.append(exc)

    threads = [threading.Thread(target=filer) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(type(o).__name__ for o in outcomes) == [
        "AlreadyDisputedError",
        "AlreadyDisputedError",
        "AlreadyDisputedError",
        "AppraisalTaskPublic",
    ]
    assert list_tasks(session).total == 1


@pytest.mark.parametrize(
    ("endpoint", "asked", "message"),
    [
        (PROPERTY_VALUATION_ENDPOINT, 99, "no valuation inquiry with id 99"),
        ("/v1/triage/cases", 1, "entry 1 is not a valuation inquiry"),
    ],
    ids=["missing", "not-a-valuation"],
)
def test_objection_to_an_unknown_inquiry_is_not_found(
    session: Session,
    sessions: sessionmaker[Session],
    judge: ApiKeyPublic,
    endpoint: str,
    asked: int,
    message: str,
    engine: Engine,
) -> None:
    record_inquiry(engine, judge, on=at("2025-09-22"), endpoint=endpoint)
    request = objection(D("2025-09-25"), D("2025-09-29"))
    with pytest.raises(InquiryNotFoundError, match=message):
        filed(sessions, asked, request, key=judge, today=D("2025-09-30"))
    assert list_tasks(session).total == 0


@pytest.mark.parametrize(
    ("received", "submitted", "message"),
    [
        # 09-15 + 5 days = 09-20 (Sat) → 09-22 (Mon) is the last day.
        ("2025-09-15", "2025-09-23", "until 2025-09-22"),
        # The inquiry was answered on 09-12 (China): its report cannot be received before.
        ("2025-09-11", "2025-09-12", "before the inquiry was answered on 2025-09-12"),
    ],
    ids=["late", "received-before-the-inquiry"],
)
def test_objection_out_of_time_is_rejected_and_nothing_stored(
    session: Session,
    sessions: sessionmaker[Session],
    judge: ApiKeyPublic,
    received: str,
    submitted: str,
    message: str,
    engine: Engine,
) -> None:
    entry_id = record_inquiry(engine, judge, on=at("2025-09-11", hour=17))  # 09-12 in China
    with pytest.raises(ObjectionRejectedError, match=message):
        filed(
            sessions, entry_id, objection(D(received), D(submitted)), key=judge, today=D(submitted)
        )
    assert list_tasks(session).total == 0
    assert disputed_entry_ids(session, [entry_id]) == set()


@pytest.fixture
def three_tasks(
    session: Session, sessions: sessionmaker[Session], judge: ApiKeyPublic, engine: Engine
) -> tuple[ApiKeyPublic, list[int]]:
    """Tasks due 09-04 (judge), 10-11 (another judge) and 09-05 (judge, done); their ids."""
    other = create_key(session, ApiKeyCreate(owner="赵法官", role=Role.JUDGE)).key
    filings = [  # received (deadline 09-03), submitted, registered: due 3 working days later
        (judge, D("2025-08-29"), D("2025-09-01"), D("2025-09-01")),
        (other, D("2025-09-25"), D("2025-09-29"), D("2025-09-30")),
        (judge, D("2025-08-29"), D("2025-09-02"), D("2025-09-02")),
    ]
    ids = []
    for key, received, submitted, registered in filings:
        entry_id = record_inquiry(engine, key, on=at("2025-08-25"))
        task = filed(sessions, entry_id, objection(received, submitted), key=key, today=registered)
        ids.append(task.id)
    step(session, ids[2], AppraisalStatus.STARTED, D("2025-09-03"), today=D("2025-09-03"))
    step(session, ids[2], AppraisalStatus.DONE, D("2025-09-03"), today=D("2025-09-03"))
    return other, ids


def test_tasks_are_listed_soonest_due_first(
    session: Session, three_tasks: tuple[ApiKeyPublic, list[int]]
) -> None:
    _, (first, second, done) = three_tasks
    page = list_tasks(session, today=D("2025-09-10"))
    assert [t.id for t in page.items] == [first, done, second]
    assert [t.due_on for t in page.items] == [D("2025-09-04"), D("2025-09-05"), D("2025-10-11")]
    assert [t.overdue for t in page.items] == [True, False, False]
    page = list_tasks(session, limit=1, offset=1)
    assert ([t.id for t in page.items], page.total, page.limit) == ([done], 3, 1)


def test_task_counts_by_state_for_the_metrics(
    session: Session, three_tasks: tuple[ApiKeyPublic, list[int]]
) -> None:
    """Two open (one due 09-04, overdue on 09-10), one done; none provisional."""
    assert task_counts(session, D("2025-09-10")) == {
        "open": 2,
        "started": 0,
        "done": 1,
        "withdrawn": 0,
        "overdue": 1,
        "provisional": 0,
    }
    assert task_counts(session, D("2025-09-04"))["overdue"] == 0  # the due day is not late


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"key": "judge"}, [0, 2]),
        ({"key": "other"}, [1]),
        ({"status": AppraisalStatus.DONE}, [2]),
        ({"status": AppraisalStatus.OPEN}, [0, 1]),
        ({"overdue_on": D("2025-09-04")}, []),  # the due day itself is not late
        ({"overdue_on": D("2025-09-06")}, [0]),  # task 2, due 09-05, is done
        ({"overdue_on": D("2025-10-13")}, [0, 1]),
        ({"key": "other", "overdue_on": D("2025-09-30")}, []),
        ({"key": "judge", "status": AppraisalStatus.OPEN}, [0]),
        ({"owner": "张法官"}, [0, 2]),  # the judge key's owner: their inquiries
        ({"owner": "赵法官", "status": AppraisalStatus.OPEN}, [1]),
        ({"owner": "无此人"}, []),
    ],
)
def test_task_list_filters(
    session: Session,
    judge: ApiKeyPublic,
    three_tasks: tuple[ApiKeyPublic, list[int]],
    filters: dict[str, object],
    expected: list[int],
) -> None:
    other, ids = three_tasks
    keys = {"judge": judge.id, "other": other.id}
    arguments = {name: value for name, value in filters.items() if name != "key"}
    if "key" in filters:
        arguments["key_id"] = keys[str(filters["key"])]
    page = list_tasks(session, **arguments)  # type: ignore[arg-type]
    assert [t.id for t in page.items] == [ids[i] for i in expected]
    assert page.total == len(expected)
    if "overdue_on" in filters:
        assert all(t.overdue for t in page.items)


def step(
    session: Session,
    task_id: int,
    status: AppraisalStatus,
    on: dt.date,
    *,
    today: dt.date,
    note: str | None = None,
) -> AppraisalTaskPublic:
    """Record that task ``task_id`` became ``status`` on ``on``."""
    change = AppraisalProgress(status=status, on=on, note=note)
    done = record_progress(session, task_id, change, today=today)
    session.commit()  # as the API does, with the step's ledger entry
    return done


def advance(session: Session, task_id: int, steps: list[AppraisalStatus], day: dt.date) -> None:
    """Take task ``task_id`` through ``steps``, each on ``day``."""
    for status in steps:
        step(session, task_id, status, day, today=day)


@pytest.fixture
def task_due_10_11(
    sessions: sessionmaker[Session], judge: ApiKeyPublic, engine: Engine
) -> AppraisalTaskPublic:
    """An objection registered 2025-09-30: its appraisal is due 10-11 (National Day)."""
    entry_id = record_inquiry(engine, judge, on=at("2025-09-22"))
    request = objection(D("2025-09-25"), D("2025-09-29"))
    return filed(sessions, entry_id, request, key=judge, today=D("2025-09-30"))


def test_a_task_is_started_then_done_with_its_days(
    session: Session, task_due_10_11: AppraisalTaskPublic
) -> None:
    task_id = task_due_10_11.id
    assert (task_due_10_11.started_in_time, task_due_10_11.overdue) == (None, False)
    late = list_tasks(session, today=D("2025-10-13")).items[0]
    assert late.overdue  # open after its due day
    started = step(
        session,
        task_id,
        AppraisalStatus.STARTED,
        D("2025-10-10"),
        today=D("2025-10-13"),
        note="委托某某房地产估价有限公司",
    )
    assert (started.status, started.started_on, started.closed_on) == (
        AppraisalStatus.STARTED,
        D("2025-10-10"),
        None,
    )
    assert (started.started_in_time, started.overdue) == (True, False)
    assert started.progress_note == "委托某某房地产估价有限公司"
    moment = dt.datetime(2025, 11, 3, 8, tzinfo=dt.UTC)
    change = AppraisalProgress(
        status=AppraisalStatus.DONE, on=D("2025-11-03"), appraised_value=Decimal("301500.50")
    )
    done = record_progress(session, task_id, change, today=D("2025-11-03"), now=moment)
    assert (done.status, done.started_on, done.closed_on, done.closed_at) == (
        AppraisalStatus.DONE,
        D("2025-10-10"),
        D("2025-11-03"),
        moment,
    )
    assert done.progress_note is None  # the latest step's note; the ledger keeps each one
    assert done.appraised_value == Decimal("301500.50")
    assert list_tasks(session, today=D("2025-11-04")).items == [
        done.model_copy(update={"as_of": D("2025-11-04")})
    ]


def test_my_inquiries_say_when_the_appraisal_is_overdue(
    session: Session, task_due_10_11: AppraisalTaskPublic
) -> None:
    entry = session.get(LedgerEntryRow, task_due_10_11.inquiry_id)
    assert entry is not None
    (task,) = entry_tasks(session, [entry.id]).values()
    assert not _summary(
        entry, task, None, D("2025-10-11")
    ).appraisal_overdue  # the due day is not late
    assert _summary(entry, task, None, D("2025-10-13")).appraisal_overdue
    step(session, task.task_id, AppraisalStatus.STARTED, D("2025-10-13"), today=D("2025-10-13"))
    (started,) = entry_tasks(session, [entry.id]).values()
    assert not _summary(entry, started, None, D("2025-10-13")).appraisal_overdue
    assert _summary(entry, None, None, D("2025-10-13")).disputed is False


def test_a_start_after_the_due_day_is_marked_late(
    session: Session, task_due_10_11: AppraisalTaskPublic
) -> None:
    started = step(
        session, task_due_10_11.id, AppraisalStatus.STARTED, D("2025-10-13"), today=D("2025-10-14")
    )
    assert (started.started_in_time, started.overdue) == (False, False)


@pytest.mark.parametrize(
    ("steps", "refused", "message"),
    [
        ([], AppraisalStatus.DONE, "当前为「待启动」，不能记为「已完成」；可记录：已启动、已撤回"),
        ([AppraisalStatus.STARTED], AppraisalStatus.STARTED, "不能记为「已启动」"),
        (
            [AppraisalStatus.STARTED, AppraisalStatus.DONE],
            AppraisalStatus.WITHDRAWN,
            "当前为「已完成」，不能记为「已撤回」；可记录：无（任务已结束）",
        ),
        ([AppraisalStatus.WITHDRAWN], AppraisalStatus.STARTED, "当前为「已撤回」"),
    ],
)
def test_a_step_the_status_does_not_lead_to_is_refused(
    session: Session,
    task_due_10_11: AppraisalTaskPublic,
    steps: list[AppraisalStatus],
    refused: AppraisalStatus,
    message: str,
) -> None:
    day = D("2025-10-10")
    advance(session, task_due_10_11.id, steps, day)
    before = list_tasks(session, today=day).items
    with pytest.raises(AppraisalStepError, match=message):
        step(session, task_due_10_11.id, refused, day, today=day)
    session.rollback()
    assert list_tasks(session, today=day).items == before  # nothing changed


@pytest.mark.parametrize(
    ("steps", "on", "message"),
    [
        ([], "2025-10-11", "晚于今天 2025-10-10"),
        ([], "2025-09-29", "早于异议登记日 2025-09-30"),
        ([AppraisalStatus.STARTED], "2025-10-09", "早于评估启动日 2025-10-10"),
    ],
)
@pytest.mark.parametrize("target", [AppraisalStatus.DONE, AppraisalStatus.WITHDRAWN])
def test_an_impossible_day_is_refused_naming_the_field(
    session: Session,
    task_due_10_11: AppraisalTaskPublic,
    steps: list[AppraisalStatus],
    on: str,
    message: str,
    target: AppraisalStatus,
) -> None:
    today = D("2025-10-10")
    advance(session, task_due_10_11.id, steps, today)
    if not steps and target is AppraisalStatus.DONE:
        target = AppraisalStatus.STARTED  # an open task's next step
    with pytest.raises(InvalidInputError, match=message) as caught:
        step(session, task_due_10_11.id, target, D(on), today=today)
    assert caught.value.field == "on"


def test_progress_of_an_unknown_task_is_not_found(session: Session) -> None:
    with pytest.raises(AppraisalTaskNotFoundError, match="no appraisal task with id 99"):
        step(session, 99, AppraisalStatus.STARTED, D("2025-10-10"), today=D("2025-10-10"))


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"status": "待启动", "on": "2025-10-10"}, "不能改回「待启动」"),
        ({"status": "已启动", "on": "2025-10-10", "note": "a\x00b"}, "control"),
        ({"status": "已启动", "on": "2025-10-10", "note": "长" * 501}, "at most 500"),
        ({"status": "已开始", "on": "2025-10-10"}, "status"),
        ({"status": "已启动"}, "on"),
        ({"status": "已启动", "on": "2025-10-10", "appraised_value": "300000"}, "已完成"),
        ({"status": "已完成", "on": "2025-10-10", "appraised_value": "0"}, "greater than 0"),
        ({"status": "已完成", "on": "2025-10-10", "appraised_value": "1.001"}, "decimal places"),
    ],
)
def test_a_bad_progress_body_is_refused(body: dict[str, object], field: str) -> None:
    with pytest.raises(ValidationError, match=field):
        AppraisalProgress.model_validate(body)


def test_disputed_entries_are_those_with_a_task_not_withdrawn(
    session: Session, sessions: sessionmaker[Session], judge: ApiKeyPublic, engine: Engine
) -> None:
    ids = [record_inquiry(engine, judge, on=at("2025-09-22")) for _ in range(4)]
    request = objection(D("2025-09-25"), D("2025-09-29"))
    tasks = [
        filed(sessions, entry_id, request, key=judge, today=D("2025-09-30")) for entry_id in ids[:3]
    ]
    day = D("2025-10-09")
    step(session, tasks[1].id, AppraisalStatus.WITHDRAWN, day, today=day)
    step(session, tasks[2].id, AppraisalStatus.STARTED, day, today=day)
    step(session, tasks[2].id, AppraisalStatus.DONE, day, today=day)
    assert disputed_entry_ids(session, [*ids, 99]) == {ids[0], ids[2]}
    due = D("2025-10-11")  # not provisional: the calendar knows 2025
    assert entry_tasks(session, ids) == {
        ids[0]: EntryTask(tasks[0].id, AppraisalStatus.OPEN, due, False, False),
        ids[1]: EntryTask(tasks[1].id, AppraisalStatus.WITHDRAWN, due, False, False),
        ids[2]: EntryTask(tasks[2].id, AppraisalStatus.DONE, due, False, False),
    }
    assert disputed_entry_ids(session, []) == set()


def platforms(*, expired_too: bool = False) -> list[PlatformResult]:
    """Two other platforms' current results, and optionally one expired on 2025-09-01."""
    results = [
        PlatformResult(platform="淘宝", value=Decimal("280000"), inquiry_date=D("2025-09-20")),
        PlatformResult(platform="京东", value=Decimal("290000"), inquiry_date=D("2025-09-21")),
    ]
    if expired_too:
        old = PlatformResult(
            platform="融e购", value=Decimal("100000"), inquiry_date=D("2024-09-01")
        )
        results.append(old)
    return results


def test_reference_price_leaves_out_a_disputed_inquiry_and_an_expired_result(
    session: Session, sessions: sessionmaker[Session], judge: ApiKeyPublic, engine: Engine
) -> None:
    entry_id = record_inquiry(engine, judge, on=at("2025-09-22"), value=900_000.0)
    request = objection(D("2025-09-25"), D("2025-09-29"))
    filed(sessions, entry_id, request, key=judge, today=D("2025-09-30"))
    results = [InquiryResult(inquiry_id=entry_id), *platforms(expired_too=True)]
    price = reference_from_inputs(session, results, decision_date=D("2025-10-09"))
    assert price.value == Decimal("285000.00")  # (280 000 + 290 000) / 2
    assert [r.platform for r in price.used] == ["淘宝", "京东"]
    excluded = {e.result.platform: e.reason for e in price.excluded}
    assert excluded == {PLATFORM_NAME: ExclusionReason.DISPUTED, "融e购": ExclusionReason.EXPIRED}


@pytest.mark.parametrize(
    ("decision", "value", "used"),
    [
        # Answered 2024-09-30 16:30 UTC = 2024-10-01 in China: valid through 2025-10-01.
        ("2025-10-01", Decimal("290000.00"), [PLATFORM_NAME, "淘宝", "京东"]),
        ("2025-10-02", Decimal("285000.00"), ["淘宝", "京东"]),
    ],
)
def test_reference_price_uses_our_inquiry_until_it_expires(
    session: Session,
    engine: Engine,
    judge: ApiKeyPublic,
    decision: str,
    value: Decimal,
    used: list[str],
) -> None:
    moment = dt.datetime(2024, 9, 30, 16, 30, tzinfo=dt.UTC)
    entry_id = record_inquiry(engine, judge, on=moment, value=300_000.0)
    results = [InquiryResult(inquiry_id=entry_id), *platforms()]
    price = reference_from_inputs(session, results, decision_date=D(decision), case_number=CASE)
    assert price.value == value
    assert [r.platform for r in price.used] == used


def test_our_values_and_dates_come_from_the_ledger(
    session: Session, engine: Engine, judge: ApiKeyPublic
) -> None:
    entry_id = record_inquiry(engine, judge, on=at("2025-09-21", hour=18), value=276_543.21)
    with pytest.raises(ValidationError, match="value"):
        ReferencePriceRequest.model_validate(
            {"case_number": CASE, "results": [{"inquiry_id": entry_id, "value": 999_999}]}
        )
    body = {
        "case_number": "(2024)浙1081执1234号",
        "results": [{"inquiry_id": entry_id}, {"platform": "淘宝", "value": "280000.10",
                                               "inquiry_date": "2025-09-20"}],
    }  # fmt: skip
    request = ReferencePriceRequest.model_validate(body)
    price = reference_from_inputs(
        session, request.results, decision_date=D("2025-10-09"), case_number=request.case_number
    )
    ours = price.used[0]
    assert (ours.platform, ours.value) == (PLATFORM_NAME, Decimal("276543.21"))
    assert ours.inquiry_date == D("2025-09-22")  # 18:00 UTC is the next day in China
    assert ours.last_valid_day() == D("2026-09-22") and not ours.disputed
    assert price.value == Decimal("278271.66")  # (276 543.21 + 280 000.10) / 2, half up


def test_a_result_claiming_to_be_ours_needs_an_inquiry_id(session: Session) -> None:
    claimed = PlatformResult(platform="CourtVal", value=Decimal("1"), inquiry_date=D("2025-09-20"))
    with pytest.raises(InvalidInputError, match="must be given by its inquiry_id"):
        reference_from_inputs(session, [claimed, *platforms()], decision_date=D("2025-10-09"))


def test_reference_price_refuses_inquiries_it_cannot_use(
    session: Session, engine: Engine, judge: ApiKeyPublic
) -> None:
    first = record_inquiry(engine, judge, on=at("2025-09-20"))
    second = record_inquiry(engine, judge, on=at("2025-09-21"))
    other_case = record_inquiry(
        engine, judge, on=at("2025-09-21"), case_number="（2025）浙1081执7号"
    )
    decided = D("2025-10-09")
    with pytest.raises(InquiryNotFoundError, match="no valuation inquiry with id 99"):
        reference_from_inputs(session, [InquiryResult(inquiry_id=99)], decision_date=decided)
    with pytest.raises(InvalidInputError, match=f"inquiry {other_case} belongs to another case"):
        reference_from_inputs(
            session, [InquiryResult(inquiry_id=other_case)], decision_date=decided, case_number=CASE
        )
    with pytest.raises(InvalidInputError, match=f"repeated: {PLATFORM_NAME}"):
        both = [InquiryResult(inquiry_id=first), InquiryResult(inquiry_id=second)]
        reference_from_inputs(session, both, decision_date=decided)


def test_upgrade_from_the_first_revision_keeps_the_ledger(engine: Engine) -> None:
    upgrade(engine, "0001_keys_and_ledger")
    sessions = session_factory(engine)
    with sessions() as session:
        judge = create_key(session, ApiKeyCreate(owner="张法官", role=Role.JUDGE)).key
    entry_id = record_inquiry(engine, judge, on=at("2025-09-22"))
    upgrade(engine)
    request = objection(D("2025-09-25"), D("2025-09-29"))
    task = filed(sessions, entry_id, request, key=judge, today=D("2025-09-30"))
    with sessions() as session:
        assert verify(session).ok
        assert disputed_entry_ids(session, [entry_id]) == {entry_id}
    assert task.due_on == D("2025-10-11")


def test_a_task_filed_before_progress_was_recorded_can_take_its_steps(engine: Engine) -> None:
    """A court store at revision 0003 with an open task: the upgrade gives it no progress and
    no late mark, and the judge can then record its start."""
    upgrade(engine, "0003_provisional_dates")
    sessions = session_factory(engine)
    with sessions() as session:
        judge = create_key(session, ApiKeyCreate(owner="张法官", role=Role.JUDGE)).key
    entry_id = record_inquiry(engine, judge, on=at("2025-09-22"))
    columns = {
        "ledger_entry_id": entry_id,
        "case_number": CASE,
        "filed_by_key_id": judge.id,
        "party": Party.DEBTOR.value,
        "ground": ObjectionGround.VALUATION.value,
        "grounds": GROUNDS,
        "received_report_on": D("2025-09-25"),
        "submitted_on": D("2025-09-29"),
        "registered_on": D("2025-09-30"),
        "objection_deadline": D("2025-09-30"),
        "due_on": D("2025-10-11"),
        "status": AppraisalStatus.OPEN.value,
        "created_at": at("2025-09-30"),
    }
    names = ", ".join(columns)
    values = ", ".join(f":{name}" for name in columns)
    with engine.begin() as connection:
        connection.execute(
            text(f"INSERT INTO appraisal_tasks ({names}) VALUES ({values})"), columns
        )
    upgrade(engine)
    with sessions() as session:
        (task,) = list_tasks(session, today=D("2025-10-09")).items
        assert (task.started_on, task.closed_on, task.progress_note) == (None, None, None)
        assert not task.objection_late and not task.dates_provisional
        started = step(
            session, task.id, AppraisalStatus.STARTED, D("2025-10-09"), today=D("2025-10-09")
        )
    assert started.started_in_time


def test_migration_and_table_agree_with_the_objection_rules() -> None:
    migration = importlib.import_module("serving.court.migrations.versions.r0002_appraisal_tasks")
    assert tuple(p.value for p in Party) == migration.PARTIES
    assert tuple(g.value for g in ObjectionGround) == migration.GROUNDS
    assert tuple(s.value for s in AppraisalStatus) == migration.STATUSES
    limit = AppraisalTaskRow.__table__.c.grounds.type.length
    assert limit == migration.GROUNDS_MAX_CHARS
    ObjectionRequest.model_validate(
        objection(D("2025-09-25"), D("2025-09-29")).model_dump() | {"grounds": "理" * limit}
    )
    with pytest.raises(ValidationError, match="grounds"):
        ObjectionRequest.model_validate(
            objection(D("2025-09-25"), D("2025-09-29")).model_dump()
            | {"grounds": "理" * (limit + 1)}
        )

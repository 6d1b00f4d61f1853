"""Objections (异议) to our inquiries, and the appraisal tasks they open, in the court store.

A judge enters a party's written objection to one of our valuation inquiries (a ledger entry);
the rules of :mod:`models.court.objections` decide whether it is in time and when the formal
appraisal is due. Ledger entries are hash-chained and never updated, so the dispute is recorded
as a row of ``appraisal_tasks`` (one per inquiry): an inquiry with a task that was not withdrawn
is *disputed*, and the Art. 13 reference price leaves it out (:mod:`serving.court.reference`).
"""

from __future__ import annotations

import datetime as dt
import logging
import math
from collections.abc import Collection
from typing import Any, NamedTuple

from pydantic import BaseModel, ConfigDict, Field, ValidationError, computed_field
from sqlalchemy import ColumnElement, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from models.asset_identity import describe_asset
from models.clock import CHINA_TZ, china_today
from models.court.errors import ObjectionRejectedError
from models.court.objections import (
    AppraisalProgress,
    AppraisalStatus,
    AppraisalTask,
    ObjectionRequest,
    SettledDates,
    check_progress,
    is_overdue,
    open_appraisal_task,
    settle_dates,
)
from models.property.schemas import PropertyRequest
from models.vehicle.schemas import VehicleRequest
from serving.court.db import begin_write
from serving.court.errors import (
    AlreadyDisputedError,
    AppraisalTaskNotFoundError,
    InquiryNotFoundError,
    InquiryUnreadableError,
)
from serving.court.schemas import MAX_OFFSET, ApiKeyPublic, as_utc
from serving.court.tables import AppraisalTaskRow, LedgerEntryRow

logger = logging.getLogger(__name__)

PROPERTY_VALUATION_ENDPOINT = "/v1/valuations/property"
VEHICLE_VALUATION_ENDPOINT = "/v1/valuations/vehicle"
#: Where several inquiries are made in one call, each recorded in an entry of its own: an
#: inquiry batch, or a batch file's rows valued as inquiries of their own (the file came to
#: ``…/batch-file``; its rows' entries are marked ``…/batch-file/inquiries``).
INQUIRY_BATCH_SUFFIX = "/batch-inquiries"
FILE_INQUIRIES_SUFFIX = "/batch-file/inquiries"
#: The kind of asset each valuation inquiry's ledger ``endpoint`` values: one inquiry, or one
#: item of an inquiry batch. Their ``outputs`` are ``PropertyValuation`` / ``VehicleValuation``
#: dumped in JSON mode, their ``inputs`` the inquiry (an item's also its ``batch_position``, a
#: file row's also the file's name and SHA-256).
VALUATION_KINDS: dict[str, str] = {
    endpoint + suffix: kind
    for endpoint, kind in (
        (PROPERTY_VALUATION_ENDPOINT, "property"),
        (VEHICLE_VALUATION_ENDPOINT, "vehicle"),
    )
    for suffix in ("", INQUIRY_BATCH_SUFFIX, FILE_INQUIRIES_SUFFIX)
}
#: Ledger ``endpoint`` values of valuation inquiries: the entries a party may object to.
VALUATION_ENDPOINTS = frozenset(VALUATION_KINDS)
#: The request schema of each kind of asset: its fields are the facts an inquiry records.
ASSET_REQUESTS: dict[str, type[BaseModel]] = {
    "property": PropertyRequest,
    "vehicle": VehicleRequest,
}


class AppraisalTaskPublic(AppraisalTask):
    """An objection as filed and the appraisal task it opened."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: int = Field(ge=1)
    inquiry_id: int = Field(ge=1, description="The objected inquiry's ledger entry id.")
    case_number: str | None = Field(description="案号, from the inquiry's ledger entry.")
    filed_by_key_id: int = Field(description="The judge's key that entered the objection.")
    grounds: str = Field(description="书面异议的理由（当事人原文）.")
    received_report_on: dt.date = Field(description="当事人收到询价报告的日期.")
    submitted_on: dt.date = Field(description="异议提交法院之日（邮寄的，以邮戳为准）.")
    created_at: dt.datetime
    closed_at: dt.datetime | None = None
    as_of: dt.date = Field(description="The day ``overdue`` is judged on.")
    asset: str | None = Field(
        default=None,
        description="The objected inquiry's asset in one line, as ``GET /v1/inquiries`` names it.",
    )

    @computed_field  # type: ignore[prop-decorator]
    @property
    def overdue(self) -> bool:
        """Still open after its due day (as of ``as_of``)."""
        return self.is_overdue(self.as_of)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def started_in_time(self) -> bool | None:
        """Whether the appraisal started by its due day; None before it starts, and when a
        provisional due day (the earliest possible) is passed and the real one is not known."""
        if self.started_on is None:
            return None
        if self.started_on <= self.due_on:
            return True
        return None if self.dates_provisional else False


class AppraisalTaskPage(BaseModel):
    """One page of appraisal tasks, soonest due first."""

    model_config = ConfigDict(frozen=True)

    items: list[AppraisalTaskPublic]
    total: int = Field(ge=0, description="Tasks matching the filters, all pages.")
    limit: int
    offset: int


class AppraisalTaskQuery(BaseModel):
    """Filters of the task list (``GET /v1/objections``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    key_id: int | None = Field(default=None, ge=1, description="Filed with this key.")
    owner: str | None = Field(
        default=None, max_length=200, description="On inquiries this key owner asked."
    )
    status: AppraisalStatus | None = None
    overdue_on: dt.date | None = Field(
        default=None, description="Only tasks still open after their due day, as of this day."
    )
    limit: int = Field(default=100, ge=1, le=1_000)
    offset: int = Field(default=0, ge=0, le=MAX_OFFSET)


def valuation_entry(session: Session, entry_id: int) -> LedgerEntryRow:
    """The ledger entry of valuation inquiry ``entry_id``.

    Raises:
        InquiryNotFoundError: no entry has that id, or it is not a valuation.
    """
    row = session.get(LedgerEntryRow, entry_id)
    if row is None:
        raise InquiryNotFoundError(entry_id)
    if row.endpoint not in VALUATION_ENDPOINTS:
        raise InquiryNotFoundError(entry_id, not_valuation=True)
    return row


def _finite(value: Any) -> int | float | None:
    number = isinstance(value, int | float) and not isinstance(value, bool)
    return value if number and math.isfinite(value) else None


def output_value(outputs: Any) -> float | None:
    """The finite ``value`` a valuation's recorded answer holds (``None`` when it holds none)."""
    value = _finite(outputs.get("value")) if isinstance(outputs, dict) else None
    return None if value is None else float(value)


def answered_value(entry: LedgerEntryRow) -> int | float:
    """The value a valuation inquiry answered, as its ledger entry stores it.

    Raises:
        InquiryNotFoundError: the entry holds no positive, finite ``value`` (not a valuation).
    """
    value = output_value(entry.outputs)
    if value is None or value <= 0:
        raise InquiryNotFoundError(entry.id, not_valuation=True)
    return value


def answered_interval(entry: LedgerEntryRow) -> tuple[float | None, float | None]:
    """The bounds of the interval a valuation inquiry answered (None where it holds none)."""
    outputs = entry.outputs if isinstance(entry.outputs, dict) else {}
    interval = outputs.get("interval")
    if not isinstance(interval, dict):
        return None, None
    lower, upper = _finite(interval.get("lower")), _finite(interval.get("upper"))
    return (
        None if lower is None else float(lower),
        None if upper is None else float(upper),
    )


def asset_facts(entry: LedgerEntryRow) -> tuple[str, BaseModel]:
    """The kind of asset a valuation entry values and its facts as the inquiry gave them
    (the inputs also hold the case number and purpose, and a batch item its position).

    Raises:
        InquiryUnreadableError: The stored facts no longer read as the asset's request (409).
    """
    kind = VALUATION_KINDS[entry.endpoint]
    request_type = ASSET_REQUESTS[kind]
    facts = {k: v for k, v in entry.inputs.items() if k in request_type.model_fields}
    try:
        return kind, request_type.model_validate(facts)
    except ValidationError as error:
        raise InquiryUnreadableError(entry.id, unreadable_fields(error)) from error


def unreadable_fields(error: ValidationError) -> str:
    """The fields a stored record failed on, for :class:`InquiryUnreadableError`."""
    return "、".join(sorted({".".join(map(str, e["loc"])) or "—" for e in error.errors()}))


def inquiry_date(entry: LedgerEntryRow) -> dt.date:
    """The day the inquiry was answered, in China (the report's date)."""
    return as_utc(entry.created_at).astimezone(CHINA_TZ).date()


def task_public(
    row: AppraisalTaskRow, *, today: dt.date, asset: str | None = None
) -> AppraisalTaskPublic:
    """The public view of a stored task, ``overdue`` judged on ``today``, with the objected
    inquiry's ``asset`` in one line when the caller read it (:func:`entry_assets`)."""
    return AppraisalTaskPublic(
        id=row.id,
        inquiry_id=row.ledger_entry_id,
        case_number=row.case_number,
        filed_by_key_id=row.filed_by_key_id,
        party=row.party,
        ground=row.ground,
        grounds=row.grounds,
        received_report_on=row.received_report_on,
        submitted_on=row.submitted_on,
        objection_deadline=row.objection_deadline,
        registered_on=row.registered_on,
        due_on=row.due_on,
        status=row.status,
        dates_provisional=row.dates_provisional,
        started_on=row.started_on,
        closed_on=row.closed_on,
        progress_note=row.progress_note,
        objection_late=row.objection_late,
        appraised_value=row.appraised_value,
        created_at=as_utc(row.created_at),
        closed_at=as_utc(row.closed_at) if row.closed_at else None,
        as_of=today,
        asset=asset,
    )


def _task_of(session: Session, entry_id: int) -> AppraisalTaskRow | None:
    return session.scalar(
        select(AppraisalTaskRow).where(AppraisalTaskRow.ledger_entry_id == entry_id)
    )


def task_of_entry(session: Session, entry_id: int) -> AppraisalTask | None:
    """The appraisal task an objection to inquiry ``entry_id`` opened (withdrawn too), if any:
    what the inquiry report says of it."""
    return tasks_of_entries(session, [entry_id]).get(entry_id)


def tasks_of_entries(session: Session, entry_ids: Collection[int]) -> dict[int, AppraisalTask]:
    """:func:`task_of_entry` of each of ``entry_ids`` that has a task, in one query."""
    if not entry_ids:
        return {}
    rows = session.scalars(
        select(AppraisalTaskRow).where(AppraisalTaskRow.ledger_entry_id.in_(sorted(entry_ids)))
    )
    today, fields = china_today(), set(AppraisalTask.model_fields)
    return {
        row.ledger_entry_id: AppraisalTask.model_validate(
            task_public(row, today=today).model_dump(include=fields)
        )
        for row in rows
    }


def _check_received_after_inquiry(request: ObjectionRequest, entry: LedgerEntryRow) -> None:
    answered = inquiry_date(entry)
    if request.received_report_on < answered:
        raise ObjectionRejectedError(
            f"收到报告日 {request.received_report_on} 早于询价报告出具日 {answered}",
            f"received_report_on {request.received_report_on} is before the inquiry was "
            f"answered on {answered}",
        )


def file_objection(
    session: Session,
    entry_id: int,
    request: ObjectionRequest,
    *,
    key: ApiKeyPublic,
    today: dt.date,
) -> AppraisalTaskPublic:
    """Register a party's objection to inquiry ``entry_id`` and open its appraisal task.

    The objection is registered on ``today`` (the court's day, in China); the task is due 3
    working days later. Committed in a transaction of its own when this returns.

    Args:
        sessions: Session factory of the court store.
        entry_id: The inquiry's ledger entry id.
        request: The objection as the judge enters it.
        key: The judge's key, recorded as the filer.
        today: The registration day.

    Raises:
        InquiryNotFoundError: no valuation inquiry has that id.
        AlreadyDisputedError: the inquiry already has an objection.
        ObjectionRejectedError: the objection is late, or its dates are inconsistent.
        CalendarNotCoveredError: the holiday calendar does not cover the dates.
    """
    begin_write(session)
    entry = valuation_entry(session, entry_id)
    existing = _task_of(session, entry_id)
    if existing is not None:
        raise AlreadyDisputedError(entry_id, existing.id)
    _check_received_after_inquiry(request, entry)
    task = open_appraisal_task(request, registered_on=today)
    row = AppraisalTaskRow(
        ledger_entry_id=entry_id,
        case_number=entry.case_number,
        filed_by_key_id=key.id,
        grounds=request.grounds,
        received_report_on=request.received_report_on,
        submitted_on=request.submitted_on,
        created_at=dt.datetime.now(dt.UTC),
        **task.model_dump(),
    )
    session.add(row)
    try:
        session.flush()
    except IntegrityError as exc:  # another objection won the race (PostgreSQL)
        session.rollback()
        winner = _task_of(session, entry_id)
        if winner is None:
            raise
        raise AlreadyDisputedError(entry_id, winner.id) from exc
    logger.info(
        "appraisal task %d opened on inquiry %d by key %d, due %s",
        row.id,
        entry_id,
        key.id,
        row.due_on,
    )
    return task_public(row, today=today, asset=entry_assets(session, [entry_id]).get(entry_id))


def _overdue_on(day: dt.date) -> tuple[ColumnElement[bool], ...]:
    """The rule of :func:`models.court.objections.is_overdue`, in SQL."""
    return (AppraisalTaskRow.status == AppraisalStatus.OPEN.value, AppraisalTaskRow.due_on < day)


def list_tasks(
    session: Session,
    *,
    key_id: int | None = None,
    owner: str | None = None,
    status: AppraisalStatus | None = None,
    overdue_on: dt.date | None = None,
    today: dt.date | None = None,
    limit: int = 100,
    offset: int = 0,
) -> AppraisalTaskPage:
    """Tasks matching every given filter, soonest due first (see :class:`AppraisalTaskQuery`).

    Args:
        today: The day each task's ``overdue`` flag is judged on; default ``overdue_on``, else
            today in China.
    """
    filters = AppraisalTaskQuery(
        key_id=key_id,
        owner=owner,
        status=status,
        overdue_on=overdue_on,
        limit=limit,
        offset=offset,
    )
    conditions = []
    if filters.key_id is not None:
        conditions.append(AppraisalTaskRow.filed_by_key_id == filters.key_id)
    if filters.owner is not None:  # the judge's inquiries, whichever of their keys asked
        inquiries = select(LedgerEntryRow.id).where(LedgerEntryRow.user_name == filters.owner)
        conditions.append(AppraisalTaskRow.ledger_entry_id.in_(inquiries))
    if filters.status is not None:
        conditions.append(AppraisalTaskRow.status == filters.status.value)
    if filters.overdue_on is not None:
        conditions.extend(_overdue_on(filters.overdue_on))
    total = session.scalar(select(func.count()).select_from(AppraisalTaskRow).where(*conditions))
    rows = session.scalars(
        select(AppraisalTaskRow)
        .where(*conditions)
        .order_by(AppraisalTaskRow.due_on, AppraisalTaskRow.id)
        .limit(filters.limit)
        .offset(filters.offset)
    )
    day = today or filters.overdue_on or china_today()
    tasks = list(rows)
    assets = entry_assets(session, [row.ledger_entry_id for row in tasks])
    items = [task_public(row, today=day, asset=assets.get(row.ledger_entry_id)) for row in tasks]
    return AppraisalTaskPage(
        items=items, total=total or 0, limit=filters.limit, offset=filters.offset
    )


#: The metric label of each status.
STATE_LABELS = {status: status.name.lower() for status in AppraisalStatus}


def task_counts(session: Session, today: dt.date) -> dict[str, int]:
    """How many tasks are in each status (:data:`STATE_LABELS`, zeros included), how many are
    overdue on ``today`` and how many have provisional dates: the supervision figures."""
    counts = {label: 0 for label in STATE_LABELS.values()}
    by_status = select(AppraisalTaskRow.status, func.count()).group_by(AppraisalTaskRow.status)
    for status, count in session.execute(by_status):
        counts[STATE_LABELS[AppraisalStatus(status)]] = int(count)
    overdue = select(func.count()).where(*_overdue_on(today))
    counts["overdue"] = int(session.scalar(overdue) or 0)
    provisional = AppraisalTaskRow.dates_provisional.is_(True)
    counts["provisional"] = int(session.scalar(select(func.count()).where(provisional)) or 0)
    return counts


class EntryTask(NamedTuple):
    """An inquiry's appraisal task: its id and status, when it is due, whether that day is
    provisional, and whether the objection turned out late when its dates were settled."""

    task_id: int
    status: AppraisalStatus
    due_on: dt.date
    provisional: bool
    objection_late: bool

    def overdue(self, today: dt.date) -> bool:
        """Whether the appraisal should have started by ``today`` and has not."""
        return is_overdue(self.status, self.due_on, today)

    @property
    def disputes(self) -> bool:
        """Whether the task disputes its inquiry: it was not withdrawn (a task that is done
        still does: the appraisal replaces the inquiry's result)."""
        return self.status is not AppraisalStatus.WITHDRAWN


def entry_assets(session: Session, entry_ids: Collection[int]) -> dict[int, str]:
    """Each of ``entry_ids`` that is a valuation inquiry → its asset in one line."""
    if not entry_ids:
        return {}
    statement = select(LedgerEntryRow.id, LedgerEntryRow.endpoint, LedgerEntryRow.inputs).where(
        LedgerEntryRow.id.in_(set(entry_ids))
    )
    return {
        entry_id: describe_asset(VALUATION_KINDS[endpoint], inputs)
        for entry_id, endpoint, inputs in session.execute(statement)
        if endpoint in VALUATION_KINDS and isinstance(inputs, dict)
    }


def entry_tasks(session: Session, entry_ids: Collection[int]) -> dict[int, EntryTask]:
    """For those of ``entry_ids`` that have an appraisal task (withdrawn ones too), the task."""
    if not entry_ids:
        return {}
    statement = select(
        AppraisalTaskRow.ledger_entry_id,
        AppraisalTaskRow.id,
        AppraisalTaskRow.status,
        AppraisalTaskRow.due_on,
        AppraisalTaskRow.dates_provisional,
        AppraisalTaskRow.objection_late,
    ).where(AppraisalTaskRow.ledger_entry_id.in_(set(entry_ids)))
    return {
        entry_id: EntryTask(task_id, AppraisalStatus(status), due_on, provisional, late)
        for entry_id, task_id, status, due_on, provisional, late in session.execute(statement)
    }


def disputed_entry_ids(session: Session, entry_ids: Collection[int]) -> set[int]:
    """Those of ``entry_ids`` whose inquiry is disputed (:attr:`EntryTask.disputes`)."""
    return {i for i, task in entry_tasks(session, entry_ids).items() if task.disputes}


def get_task(session: Session, task_id: int) -> AppraisalTaskRow:
    """The stored task ``task_id``.

    Raises:
        AppraisalTaskNotFoundError: no task has that id.
    """
    row = session.get(AppraisalTaskRow, task_id)
    if row is None:
        raise AppraisalTaskNotFoundError(task_id)
    return row


def record_progress(
    session: Session,
    task_id: int,
    step: AppraisalProgress,
    *,
    today: dt.date,
    now: dt.datetime | None = None,
) -> AppraisalTaskPublic:
    """Record a step of task ``task_id`` (started, done or withdrawn); flushed, not committed
    (the caller commits it with its ledger entry).

    The rules are :func:`models.court.objections.check_progress`: 待启动 → 已启动 → 已完成,
    已撤回 before the appraisal is done, nothing after a task is closed, no day in the future.
    A withdrawn objection no longer disputes its inquiry.

    Args:
        session: A session of the court store.
        task_id: The task's id.
        step: What happened, on which day, with an optional note.
        today: The court's day (in China), the latest ``step.on`` may be.
        now: When the step is recorded (default: now); a closing step's ``closed_at``.

    Raises:
        AppraisalTaskNotFoundError: no task has that id (404).
        AppraisalStepError: the task's status does not lead to the step (409).
        InvalidInputError: the step's day is impossible (422).
    """
    begin_write(session)
    row = get_task(session, task_id)
    check_progress(task_public(row, today=today), step, task_id=task_id, today=today)
    row.status = step.status.value
    row.progress_note = step.note
    if step.status is AppraisalStatus.STARTED:
        row.started_on = step.on
    else:
        row.closed_on = step.on
        row.closed_at = as_utc(now) if now is not None else dt.datetime.now(dt.UTC)
        row.appraised_value = step.appraised_value
    session.flush()
    logger.info("appraisal task %d: %s on %s", task_id, step.status.name, step.on)
    entry_id = row.ledger_entry_id
    return task_public(row, today=today, asset=entry_assets(session, [entry_id]).get(entry_id))


class SettledTask(BaseModel):
    """A task whose provisional dates were replaced by exact ones."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    task_id: int
    inquiry_id: int
    case_number: str | None
    provisional_objection_deadline: dt.date
    provisional_due_on: dt.date
    settled: SettledDates


def _settleable(session: Session) -> list[tuple[AppraisalTaskRow, SettledDates]]:
    rows = session.scalars(
        select(AppraisalTaskRow)
        .where(AppraisalTaskRow.dates_provisional.is_(True))
        .order_by(AppraisalTaskRow.id)
    ).all()
    today = china_today()
    pairs = []
    for row in rows:
        dates = settle_dates(
            task_public(row, today=today),
            received_report_on=row.received_report_on,
            submitted_on=row.submitted_on,
        )
        if dates is not None:
            pairs.append((row, dates))
    return pairs


def settleable_count(session: Session) -> int:
    """How many tasks have provisional dates that the holiday calendar now covers."""
    return len(_settleable(session))


def settle_provisional_tasks(session: Session) -> list[SettledTask]:
    """Give every task with provisional dates that the calendar now covers its exact dates
    (:func:`models.court.objections.settle_dates`); the tasks settled, by id. Flushed, not
    committed: the caller commits the settlement with the entry that records it.

    Done and withdrawn tasks are settled too: their record should be right. An objection that
    turns out late is marked ``objection_late`` (logged as a warning); the judge decides.
    """
    begin_write(session)
    settled = []
    for row, dates in _settleable(session):
        settled.append(
            SettledTask(
                task_id=row.id,
                inquiry_id=row.ledger_entry_id,
                case_number=row.case_number,
                provisional_objection_deadline=row.objection_deadline,
                provisional_due_on=row.due_on,
                settled=dates,
            )
        )
        row.objection_deadline, row.due_on = dates.objection_deadline, dates.due_on
        row.objection_late, row.dates_provisional = dates.objection_late, False
        if dates.objection_late:
            logger.warning(
                "appraisal task %d: the objection was submitted on %s, after its settled "
                "deadline %s; the judge decides",
                row.id,
                row.submitted_on,
                dates.objection_deadline,
            )
    session.flush()
    if settled:
        logger.info("settled the provisional dates of %d appraisal tasks", len(settled))
    return settled

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
from collections.abc import Collection
from typing import NamedTuple

from pydantic import BaseModel, ConfigDict, Field, computed_field
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from models.clock import CHINA_TZ, china_today
from models.court.errors import ObjectionRejectedError
from models.court.objections import (
    AppraisalStatus,
    AppraisalTask,
    ObjectionRequest,
    open_appraisal_task,
)
from models.errors import InvalidInputError
from serving.court.db import begin_write
from serving.court.errors import (
    AlreadyDisputedError,
    AppraisalTaskNotFoundError,
    InquiryNotFoundError,
)
from serving.court.schemas import MAX_OFFSET, ApiKeyPublic, as_utc
from serving.court.tables import AppraisalTaskRow, LedgerEntryRow

logger = logging.getLogger(__name__)

PROPERTY_VALUATION_ENDPOINT = "/v1/valuations/property"
VEHICLE_VALUATION_ENDPOINT = "/v1/valuations/vehicle"
#: Ledger ``endpoint`` values of valuation inquiries: the entries a party may object to. Their
#: ``outputs`` are ``PropertyValuation`` / ``VehicleValuation`` dumped in JSON mode.
VALUATION_ENDPOINTS = frozenset({PROPERTY_VALUATION_ENDPOINT, VEHICLE_VALUATION_ENDPOINT})
#: Statuses that close a task.
CLOSED_STATUSES = frozenset({AppraisalStatus.DONE, AppraisalStatus.WITHDRAWN})


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

    @computed_field  # type: ignore[prop-decorator]
    @property
    def overdue(self) -> bool:
        """Still open after its due day (as of ``as_of``)."""
        return self.is_overdue(self.as_of)


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


def inquiry_date(entry: LedgerEntryRow) -> dt.date:
    """The day the inquiry was answered, in China (the report's date)."""
    return as_utc(entry.created_at).astimezone(CHINA_TZ).date()


def task_public(row: AppraisalTaskRow, *, today: dt.date) -> AppraisalTaskPublic:
    """The public view of a stored task, ``overdue`` judged on ``today``."""
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
        created_at=as_utc(row.created_at),
        closed_at=as_utc(row.closed_at) if row.closed_at else None,
        as_of=today,
    )


def _task_of(session: Session, entry_id: int) -> AppraisalTaskRow | None:
    return session.scalar(
        select(AppraisalTaskRow).where(AppraisalTaskRow.ledger_entry_id == entry_id)
    )


def _check_received_after_inquiry(request: ObjectionRequest, entry: LedgerEntryRow) -> None:
    answered = inquiry_date(entry)
    if request.received_report_on < answered:
        raise ObjectionRejectedError(
            f"收到报告日 {request.received_report_on} 早于询价报告出具日 {answered}",
            f"received_report_on {request.received_report_on} is before the inquiry was "
            f"answered on {answered}",
        )


def file_objection(
    sessions: sessionmaker[Session],
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
    with sessions() as session:
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
            session.commit()
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
    return task_public(row, today=today)


def list_tasks(
    session: Session,
    *,
    key_id: int | None = None,
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
        key_id=key_id, status=status, overdue_on=overdue_on, limit=limit, offset=offset
    )
    conditions = []
    if filters.key_id is not None:
        conditions.append(AppraisalTaskRow.filed_by_key_id == filters.key_id)
    if filters.status is not None:
        conditions.append(AppraisalTaskRow.status == filters.status.value)
    if filters.overdue_on is not None:  # the rule of AppraisalTask.is_overdue, in SQL
        conditions.append(AppraisalTaskRow.status == AppraisalStatus.OPEN.value)
        conditions.append(AppraisalTaskRow.due_on < filters.overdue_on)
    total = session.scalar(select(func.count()).select_from(AppraisalTaskRow).where(*conditions))
    rows = session.scalars(
        select(AppraisalTaskRow)
        .where(*conditions)
        .order_by(AppraisalTaskRow.due_on, AppraisalTaskRow.id)
        .limit(filters.limit)
        .offset(filters.offset)
    )
    day = today or filters.overdue_on or china_today()
    items = [task_public(row, today=day) for row in rows]
    return AppraisalTaskPage(
        items=items, total=total or 0, limit=filters.limit, offset=filters.offset
    )


class AppraisalDue(NamedTuple):
    """When a disputed inquiry's appraisal is due, and whether that day is provisional."""

    due_on: dt.date
    provisional: bool


def dispute_due_dates(session: Session, entry_ids: Collection[int]) -> dict[int, AppraisalDue]:
    """For those of ``entry_ids`` that are disputed, their appraisal task's due day.

    An inquiry is disputed when it has a task that was not withdrawn; a task that is done still
    disputes it (the appraisal replaces the inquiry's result).
    """
    if not entry_ids:
        return {}
    statement = select(
        AppraisalTaskRow.ledger_entry_id,
        AppraisalTaskRow.due_on,
        AppraisalTaskRow.dates_provisional,
    ).where(
        AppraisalTaskRow.ledger_entry_id.in_(set(entry_ids)),
        AppraisalTaskRow.status != AppraisalStatus.WITHDRAWN.value,
    )
    return {
        entry_id: AppraisalDue(due_on, provisional)
        for entry_id, due_on, provisional in session.execute(statement)
    }


def disputed_entry_ids(session: Session, entry_ids: Collection[int]) -> set[int]:
    """Those of ``entry_ids`` whose inquiry is disputed (see :func:`dispute_due_dates`)."""
    return set(dispute_due_dates(session, entry_ids))


def close_task(
    session: Session,
    task_id: int,
    *,
    status: AppraisalStatus = AppraisalStatus.DONE,
    now: dt.datetime | None = None,
) -> AppraisalTaskPublic:
    """Close a task as done (default) or withdrawn, and commit; closing a closed task changes
    nothing. A withdrawn objection no longer disputes its inquiry.

    Raises:
        InvalidInputError: ``status`` does not close a task.
        AppraisalTaskNotFoundError: no task has that id.
    """
    if status not in CLOSED_STATUSES:
        allowed = " or ".join(sorted(s.value for s in CLOSED_STATUSES))
        raise InvalidInputError("status", f"{status.value} does not close a task; use {allowed}")
    moment = as_utc(now) if now is not None else dt.datetime.now(dt.UTC)
    begin_write(session)
    row = session.get(AppraisalTaskRow, task_id)
    if row is None:
        raise AppraisalTaskNotFoundError(task_id)
    if row.status not in CLOSED_STATUSES:
        row.status, row.closed_at = status.value, moment
        session.commit()
        logger.info("appraisal task %d closed as %s", task_id, status.name)
    return task_public(row, today=moment.astimezone(CHINA_TZ).date())

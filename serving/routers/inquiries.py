"""A judge's inquiries after the answer: the list, objections, the reference price (the
reports: :mod:`serving.routers.reports`).

An inquiry's id is its ledger entry's id. A judge sees, reports on and objects to their own
inquiries (the same key owner); an auditor lists every objection.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Annotated, TypeVar

from fastapi import APIRouter, HTTPException, Path, Query, Request, Response, status
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field
from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from models.asset_identity import describe_asset
from models.clock import china_today
from models.court.case_number import normalise_case_number
from models.court.objections import (
    AppraisalProgress,
    AppraisalStatus,
    ObjectionRequest,
)
from models.court.reference_price import ReferencePrice
from models.court.sales import SalePublic
from serving.access.auth import Caller, JudgeDep, JudgeOrAuditorDep, court_store
from serving.access.record import Recordable, record, record_change, stamp
from serving.court.chain import row_hash
from serving.court.errors import InquiryAlteredError
from serving.court.objections import (
    VALUATION_ENDPOINTS,
    VALUATION_KINDS,
    AppraisalTaskPage,
    AppraisalTaskPublic,
    EntryTask,
    entry_tasks,
    file_objection,
    get_task,
    inquiry_date,
    list_tasks,
    output_value,
    record_progress,
    valuation_entry,
)
from serving.court.reference import (
    REFERENCE_PRICE_ENDPOINT,
    ReferencePriceRequest,
    reference_from_inputs,
)
from serving.court.sales import entry_sales
from serving.court.schemas import MAX_OFFSET, MAX_ROW_ID
from serving.court.tables import LedgerEntryRow, Role
from serving.reports.model import validity_end

router = APIRouter(tags=["inquiries"])

InquiryId = Annotated[int, Path(ge=1, le=MAX_ROW_ID, description="询价编号 (the ledger entry id).")]
TaskId = Annotated[int, Path(ge=1, le=MAX_ROW_ID, description="评估任务编号 (GET /v1/objections).")]


class InquirySummary(BaseModel):
    """One of a judge's inquiries, with its dispute status."""

    id: int
    case_number: str | None
    purpose: str | None
    endpoint: str
    kind: str = Field(description="property or vehicle: what the inquiry values.")
    asset: str = Field(
        description="The asset in one line: a property's 坐落 (else its 街道/镇 and 小区) and "
        "area, a vehicle's plate (else its VIN's last six characters) and model."
    )
    recorded_at: dt.datetime
    valid_until: dt.date
    value: float | None = Field(description="The estimate (CNY).")
    model_version: str | None
    disputed: bool
    appraisal_task_id: int | None = Field(
        default=None,
        description="The appraisal task's id (GET /v1/objections), when an objection was "
        "filed (withdrawn ones too: then ``disputed`` is false).",
    )
    appraisal_status: AppraisalStatus | None = Field(
        default=None, description="评估任务状态, when an objection was filed."
    )
    appraisal_due_on: dt.date | None = Field(
        description="评估任务最迟启动日, when an objection was filed."
    )
    appraisal_due_provisional: bool = Field(
        default=False,
        description="The due day is provisional: the holiday calendar lacked its year.",
    )
    objection_late: bool = Field(
        default=False,
        description="Accepted while the holiday calendar lacked the year, the objection turned "
        "out late once its deadline was settled: the judge decides.",
    )
    appraisal_overdue: bool = Field(
        default=False,
        description="The appraisal should have started by now (待启动 after its due day).",
    )
    sale: SalePublic | None = Field(
        default=None,
        description="The recorded sale (成交), with the Art. 31 attribution when a reference "
        "price cites the inquiry; None before it is recorded.",
    )


class InquiryPage(BaseModel):
    """A page of a judge's inquiries, newest first."""

    items: list[InquirySummary]
    total: int
    limit: int
    offset: int


def own_entry(request: Request, caller: Caller, inquiry_id: int) -> LedgerEntryRow:
    """The caller's own, unaltered valuation entry (404 / 403 / 409 otherwise)."""
    with court_store(request).sessions() as session:
        entry = valuation_entry(session, inquiry_id)
    if entry.user_name != caller.owner:
        raise HTTPException(status.HTTP_403_FORBIDDEN, f"inquiry {inquiry_id} is not yours")
    check_unaltered(entry)
    return entry


def check_unaltered(entry: LedgerEntryRow) -> None:
    """:class:`InquiryAlteredError` (409) when the entry no longer matches its hash."""
    if row_hash(entry) != entry.entry_hash:
        raise InquiryAlteredError(
            f"询价记录 {entry.id} 与其哈希不符，已被改动 / ledger entry {entry.id} does not "
            "match its hash; run `courtval ledger verify`"
        )


Changed = TypeVar("Changed", bound=BaseModel)


async def change_own_inquiry(
    request: Request,
    response: Response,
    caller: Caller,
    inquiry_id: int,
    change: Callable[[Session, dt.date], Changed],
    inputs: Recordable,
    *,
    case_of: Callable[[Changed], str | None] | None = None,
) -> Changed:
    """Make a change about one of the caller's own inquiries (an objection, an appraisal step,
    its sale) on the court's day, committed with its ledger entry under the inquiry's case
    number (or, when the inquiry had none, the one ``case_of`` reads off the change's result)
    and purpose (or not at all: 503); the answer names the entry."""
    entry = await run_in_threadpool(own_entry, request, caller, inquiry_id)
    today = china_today()
    done, written = await record_change(
        request,
        caller,
        lambda session: change(session, today),
        inputs=inputs,
        outputs=lambda result: result,
        case_of=case_of,
        case_number=entry.case_number,
        purpose=entry.purpose,
    )
    stamp(response, written)
    return done


#: One case's inquiries: the 案号 as typed (either bracket width, spaces ignored).
CaseFilter = Annotated[
    str | None,
    Query(max_length=64, description="Only this 案号's inquiries (either bracket width)."),
]


def own_valuations(caller: Caller, case_number: str | None = None) -> list[ColumnElement[bool]]:
    """The conditions on ledger rows that select the caller's own valuation inquiries (of one
    case when ``case_number`` is given)."""
    conditions = [
        LedgerEntryRow.user_name == caller.owner,
        LedgerEntryRow.endpoint.in_(sorted(VALUATION_ENDPOINTS)),
    ]
    if case_number is not None:
        conditions.append(LedgerEntryRow.case_number == normalise_case_number(case_number))
    return conditions


@router.get("/v1/inquiries")
async def my_inquiries(
    caller: JudgeDep,
    request: Request,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
    case_number: CaseFilter = None,
) -> InquiryPage:
    """The caller's valuation inquiries, newest first, each with its dispute status; only one
    case's when ``case_number`` is given."""
    court = court_store(request)

    today = china_today()

    def read() -> InquiryPage:
        mine = own_valuations(caller, case_number)
        with court.sessions() as session:
            rows = session.scalars(
                select(LedgerEntryRow)
                .where(*mine)
                .order_by(LedgerEntryRow.id.desc())
                .limit(limit)
                .offset(offset)
            ).all()
            total = session.scalar(select(func.count()).select_from(LedgerEntryRow).where(*mine))
            ids = [row.id for row in rows]
            tasks, sales = entry_tasks(session, ids), entry_sales(session, ids)
        return InquiryPage(
            items=[_summary(row, tasks.get(row.id), sales.get(row.id), today) for row in rows],
            total=total or 0,
            limit=limit,
            offset=offset,
        )

    return await run_in_threadpool(read)


def _summary(
    row: LedgerEntryRow, task: EntryTask | None, sale: SalePublic | None, today: dt.date
) -> InquirySummary:
    value = output_value(row.outputs)
    return InquirySummary(
        id=row.id,
        case_number=row.case_number,
        purpose=row.purpose,
        endpoint=row.endpoint,
        kind=VALUATION_KINDS[row.endpoint],
        asset=describe_asset(
            VALUATION_KINDS[row.endpoint], row.inputs if isinstance(row.inputs, dict) else {}
        ),
        recorded_at=row.created_at,
        valid_until=validity_end(inquiry_date(row)),
        value=value,
        model_version=row.model_version,
        disputed=task is not None and task.disputes,
        appraisal_task_id=task.task_id if task else None,
        appraisal_status=task.status if task else None,
        appraisal_due_on=task.due_on if task else None,
        appraisal_due_provisional=task.provisional if task else False,
        objection_late=task.objection_late if task else False,
        appraisal_overdue=task is not None and task.overdue(today),
        sale=sale,
    )


@router.post("/v1/inquiries/{inquiry_id}/objections", status_code=status.HTTP_201_CREATED)
async def object_to_inquiry(
    caller: JudgeDep,
    inquiry_id: InquiryId,
    objection: ObjectionRequest,
    request: Request,
    response: Response,
) -> AppraisalTaskPublic:
    """Record a party's written objection to one of the caller's inquiries: the inquiry is
    disputed from now on (left out of reference prices) and an appraisal task is opened, due
    3 working days after registration (Chinese holidays and adjusted working days counted).
    The task is committed with its ledger entry: if that cannot be written, neither is kept
    (503)."""

    def change(session: Session, today: dt.date) -> AppraisalTaskPublic:
        return file_objection(session, inquiry_id, objection, key=caller.key, today=today)

    return await change_own_inquiry(request, response, caller, inquiry_id, change, objection)


@router.get("/v1/objections")
async def list_objections(
    caller: JudgeOrAuditorDep,
    request: Request,
    status_: Annotated[AppraisalStatus | None, Query(alias="status")] = None,
    overdue: Annotated[bool, Query(description="Only tasks open past their due day.")] = False,
    limit: Annotated[int, Query(ge=1, le=1_000)] = 100,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> AppraisalTaskPage:
    """Objections and their appraisal tasks, soonest due first: a judge sees those on their
    own inquiries (with any of their keys, as in ``GET /v1/inquiries``), an auditor all."""
    today = china_today()
    owner = caller.owner if caller.role is Role.JUDGE else None

    def read() -> AppraisalTaskPage:
        with court_store(request).sessions() as session:
            return list_tasks(
                session,
                owner=owner,
                status=status_,
                overdue_on=today if overdue else None,
                today=today,
                limit=limit,
                offset=offset,
            )

    return await run_in_threadpool(read)


@router.post("/v1/objections/{task_id}/progress")
async def record_appraisal_progress(
    caller: JudgeDep,
    task_id: TaskId,
    step: AppraisalProgress,
    request: Request,
    response: Response,
) -> AppraisalTaskPublic:
    """Record how the formal appraisal of one of the caller's objections stands: started
    (委托评估已启动), done (评估报告已收到) or withdrawn (当事人撤回异议), with the day it
    happened. 待启动 → 已启动 → 已完成; 已撤回 before it is done; a closed task is final (409).
    A task started or closed is no longer overdue; a withdrawn objection no longer disputes
    the inquiry. Each step is committed with its ledger entry, or not at all (503)."""

    def inquiry_of_task() -> int:
        with court_store(request).sessions() as session:
            return get_task(session, task_id).ledger_entry_id

    def change(session: Session, today: dt.date) -> AppraisalTaskPublic:
        return record_progress(session, task_id, step, today=today)

    inputs = {"task_id": task_id, **step.model_dump(mode="json", exclude_unset=True)}
    inquiry_id = await run_in_threadpool(inquiry_of_task)
    return await change_own_inquiry(request, response, caller, inquiry_id, change, inputs)


@router.post(REFERENCE_PRICE_ENDPOINT)
async def compute_reference_price(
    body: ReferencePriceRequest, caller: JudgeDep, request: Request, response: Response
) -> ReferencePrice:
    """The reference price (参考价) of one property per Art. 13: the simple average of the
    platforms' results, leaving out disputed and expired ones. Our own results are cited by
    inquiry id and read from the ledger, never from the request."""
    today = china_today()

    def compute() -> ReferencePrice:
        with court_store(request).sessions() as session:
            return reference_from_inputs(
                session, body.results, decision_date=today, case_number=body.case_number
            )

    price = await run_in_threadpool(compute)
    written = await record(
        request, caller, inputs=body, outputs=price, case_number=body.case_number
    )
    stamp(response, written)
    return price

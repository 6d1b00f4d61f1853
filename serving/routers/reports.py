"""Inquiry reports (询价报告, 法释〔2018〕15号 Art. 11): one inquiry's, or a ZIP of a judge's own
inquiries by a range of ids (an inquiry batch's items have consecutive ids).

A report is rendered from the inquiry's ledger entry, never from a new valuation, and only
while the entry still matches its hash; its price curve is the one drawn for the inquiry and
recorded (``/v1/inquiries/{id}/price-curve``); one not drawn yet is drawn first, and recorded
there, by the model that answered (none when that model is no longer served). Each download
is itself recorded, with the SHA-256 of what was handed out (of each report, for a ZIP).
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated, Literal

from fastapi import APIRouter, HTTPException, Path, Query, Request, Response, status
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from models.court.objections import AppraisalTask
from models.court.repeats import EarlierInquiry
from models.errors import InvalidInputError, bilingual
from models.settings import Settings
from serving.access.auth import Caller, JudgeDep, court_store
from serving.access.record import ledger_headers, record
from serving.court.curves import recorded_curves
from serving.court.errors import InquiryUnreadableError
from serving.court.objections import (
    VALUATION_KINDS,
    asset_facts,
    inquiry_date,
    task_of_entry,
    tasks_of_entries,
    unreadable_fields,
)
from serving.court.repeats import earlier_of_entry
from serving.court.schemas import MAX_ROW_ID
from serving.court.tables import LedgerEntryRow
from serving.curves import report_curves
from serving.deps import SettingsDep, StoreDep
from serving.reports import (
    InquiryReport,
    PropertyReport,
    VehicleReport,
    render_html,
    render_pdf,
)
from serving.routers.inquiries import (
    CaseFilter,
    InquiryId,
    check_unaltered,
    own_entry,
    own_valuations,
)
from serving.state import ModelStore

router = APIRouter(tags=["inquiries"])

#: The report of each kind of valuation inquiry, and the request schema its ledger inputs hold.
_REPORTS: dict[str, type[InquiryReport]] = {"property": PropertyReport, "vehicle": VehicleReport}
_MEDIA = {"pdf": "application/pdf", "html": "text/html; charset=utf-8"}


@dataclass(frozen=True)
class _Read:
    """What the ledger holds for one inquiry's report: its entry, the objection to it, the
    earlier inquiries it repeats and its recorded price curve."""

    entry: LedgerEntryRow
    objection: AppraisalTask | None
    earlier: list[EarlierInquiry]
    drawn: LedgerEntryRow | None


def _read(session: Session, entry: LedgerEntryRow, objection: AppraisalTask | None) -> _Read:
    drawn = recorded_curves(session, [entry]).get(entry.id)
    return _Read(entry, objection, earlier_of_entry(session, entry), drawn)


def _report(read: _Read, curve: BaseModel | None) -> InquiryReport:
    """The report of a property or vehicle inquiry, from its ledger entry (404 for others),
    with the objection to it and its appraisal's stage, if one was filed, and its price
    curve, if it has one."""
    entry = read.entry
    if entry.endpoint not in VALUATION_KINDS:
        raise HTTPException(
            status.HTTP_404_NOT_FOUND,
            f"inquiry {entry.id} is a {entry.endpoint} answer; reports are for property and "
            "vehicle inquiries",
        )
    kind, facts = asset_facts(entry)
    try:
        return _build_report(kind, facts, read, curve)
    except ValidationError as error:  # an answer recorded by an older version
        raise InquiryUnreadableError(entry.id, unreadable_fields(error)) from error


def _build_report(
    kind: str, facts: BaseModel, read: _Read, curve: BaseModel | None
) -> InquiryReport:
    entry = read.entry
    return _REPORTS[kind].model_validate(
        {
            "case_number": entry.case_number or "",
            "judge_name": entry.user_name,
            "purpose": entry.purpose,
            "inquiry_date": inquiry_date(entry),
            "request": facts,
            "valuation": entry.outputs,
            "ledger_entry_id": entry.id,
            "ledger_hash": entry.entry_hash,
            "objection": read.objection,
            "earlier": read.earlier,
            "curve": curve,
        }
    )


async def _reports(
    request: Request, caller: Caller, reads: list[_Read], store: ModelStore, settings: Settings
) -> list[InquiryReport]:
    """Each inquiry's report, with its price curve: the one recorded for it, else one drawn
    (and recorded) now by the model that answered it, else none (:func:`report_curves`)."""
    reports = [_report(r, None) for r in reads]  # refused (404, 409) before anything is drawn
    drawn = {r.entry.id: r.drawn for r in reads if r.drawn is not None}
    curves = await report_curves(request, caller, [r.entry for r in reads], drawn, store, settings)
    return [
        report.model_copy(update={"curve": curves[r.entry.id]}) if r.entry.id in curves else report
        for r, report in zip(reads, reports, strict=True)
    ]


def _render(report: InquiryReport, fmt: str, request: Request) -> bytes:
    """The report as PDF (the settings' font) or as UTF-8 HTML (call off the event loop)."""
    if fmt == "pdf":
        return render_pdf(report, request.app.state.settings.report_font_path)
    return render_html(report).encode("utf-8")


def _sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def _shared(values: Sequence[str | None]) -> str | None:
    """The one value all of ``values`` share, else ``None``."""
    return values[0] if len(set(values)) == 1 else None


#: One end of a range of 询价编号 (both ends included).
RangeEnd = Annotated[
    int | None, Query(ge=1, le=MAX_ROW_ID, description="The first or last 询价编号 (included).")
]
ReportFormat = Annotated[str, Path(pattern="^(pdf|html)$", description="pdf or html.")]


@router.get(
    "/v1/inquiries/{inquiry_id}/report.{fmt}",
    response_class=Response,
    responses={
        200: {
            "content": {"application/pdf": {}, "text/html": {}},
            "description": "询价报告: basic facts, reference samples, method, result and range, "
            "validity, suggested auction starting prices, model version, ledger entry and hash.",
        }
    },
)
async def inquiry_report(
    inquiry_id: InquiryId,
    fmt: ReportFormat,
    caller: JudgeDep,
    request: Request,
    store: StoreDep,
    settings: SettingsDep,
) -> Response:
    """The inquiry report (询价报告) of one of the caller's property or vehicle inquiries, as
    PDF (with Chinese text) or HTML. Refused (409) when the ledger entry no longer matches its
    hash."""

    def read() -> _Read:
        entry = own_entry(request, caller, inquiry_id)
        with court_store(request).sessions() as session:
            return _read(session, entry, task_of_entry(session, inquiry_id))

    reading = await run_in_threadpool(read)
    entry = reading.entry
    [report] = await _reports(request, caller, [reading], store, settings)
    content = await run_in_threadpool(_render, report, fmt, request)
    written = await record(
        request,
        caller,
        inputs={"inquiry_id": inquiry_id, "format": fmt},
        outputs={"sha256": _sha256(content), "bytes": len(content)},
        case_number=entry.case_number,
        purpose=entry.purpose,
    )
    headers = ledger_headers(written)
    if fmt == "pdf":
        headers["Content-Disposition"] = f'attachment; filename="inquiry-{inquiry_id}.pdf"'
    return Response(content, media_type=_MEDIA[fmt], headers=headers)


def _chosen_reports(
    request: Request, caller: Caller, ids: tuple[int, int] | None, case_number: str | None
) -> list[_Read]:
    """The caller's own valuation inquiries with ids ``ids`` (first, last) and/or of one case,
    oldest first, each with what its report shows (its objection, the earlier inquiries it
    repeats, its recorded curve). 404
    when there is none; 422 naming ``case_number`` when a case alone holds more than the
    download allows; 409 when one no longer matches its hash."""
    limit = request.app.state.settings.reports_per_zip
    conditions = own_valuations(caller, case_number)
    if ids is not None:
        conditions.append(LedgerEntryRow.id.between(*ids))
    with court_store(request).sessions() as session:
        rows = session.scalars(
            select(LedgerEntryRow).where(*conditions).order_by(LedgerEntryRow.id).limit(limit + 1)
        ).all()
        if not rows:
            raise HTTPException(
                status.HTTP_404_NOT_FOUND, "没有符合条件的本人询价 / no inquiry of yours matches"
            )
        if len(rows) > limit:
            raise InvalidInputError(
                "case_number",
                bilingual(
                    f"本案询价超过 {limit} 条，请用 first 与 last 分段下载",
                    f"the case has over {limit} inquiries; download them by first and last",
                ),
            )
        for row in rows:
            check_unaltered(row)
        tasks = tasks_of_entries(session, [row.id for row in rows])
        drawn = recorded_curves(session, list(rows))
        return [
            _Read(row, tasks.get(row.id), earlier_of_entry(session, row), drawn.get(row.id))
            for row in rows
        ]


def _id_range(first: int | None, last: int | None, limit: int) -> tuple[int, int] | None:
    """``(first, last)`` when both are given and span at most ``limit`` ids; ``None`` when
    neither is (then a case number must be); 422 naming the field otherwise."""
    if first is None and last is None:
        return None
    if first is None or last is None or last < first or last - first + 1 > limit:
        raise InvalidInputError(
            "first" if first is None else "last",
            bilingual(
                f"请同时给出首号与末号，末号不小于首号，一次至多 {limit} 个编号",
                f"give first and last, last not below first, at most {limit} ids at once",
            ),
        )
    return first, last


def _zipped(files: Sequence[tuple[str, bytes]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files:
            archive.writestr(name, content)
    return buffer.getvalue()


@router.get(
    "/v1/inquiries/reports.zip",
    response_class=Response,
    responses={200: {"content": {"application/zip": {}}}},
)
async def inquiry_reports_zip(
    caller: JudgeDep,
    request: Request,
    store: StoreDep,
    settings: SettingsDep,
    first: RangeEnd = None,
    last: RangeEnd = None,
    case_number: CaseFilter = None,
    fmt: Annotated[
        Literal["pdf", "html"], Query(alias="format", description="pdf or html.")
    ] = "pdf",
) -> Response:
    """The reports of the caller's own property and vehicle inquiries with ids ``first`` to
    ``last`` (at most ``COURTVAL_REPORTS_PER_ZIP`` ids), of the case ``case_number``, or both,
    one file each (``inquiry-<id>.pdf``) in a ZIP: an inquiry batch's or a case's reports for
    the case file in one download. Others' entries are left out. The download is recorded with
    each report's SHA-256. Refused whole (409) when any of them no longer matches its hash."""
    limit = request.app.state.settings.reports_per_zip
    ids = _id_range(first, last, limit)
    if ids is None and case_number is None:
        raise InvalidInputError(
            "case_number",
            bilingual("请给出案号，或首号与末号", "give case_number, or first and last"),
        )
    reads = await run_in_threadpool(_chosen_reports, request, caller, ids, case_number)
    entries = [r.entry for r in reads]
    reports = await _reports(request, caller, reads, store, settings)

    def render_all() -> list[tuple[str, bytes]]:
        return [
            (f"inquiry-{entry.id}.{fmt}", _render(report, fmt, request))
            for entry, report in zip(entries, reports, strict=True)
        ]

    files = await run_in_threadpool(render_all)
    content = await run_in_threadpool(_zipped, files)
    written = await record(
        request,
        caller,
        inputs={"first": first, "last": last, "case_number": case_number, "format": fmt},
        outputs={
            "sha256": _sha256(content),
            "bytes": len(content),
            "reports": [
                {"inquiry_id": entry.id, "sha256": _sha256(report)}
                for entry, (_, report) in zip(entries, files, strict=True)
            ],
        },
        case_number=_shared([entry.case_number for entry in entries]),
        purpose=_shared([entry.purpose for entry in entries]),
    )
    headers = ledger_headers(written)
    span = f"{entries[0].id}-{entries[-1].id}"
    headers["Content-Disposition"] = f'attachment; filename="inquiries-{span}.zip"'
    return Response(content, media_type="application/zip", headers=headers)

"""Batch inquiries from files (the web page's upload): start a job, follow it, download it."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, File, Form, HTTPException, Path, Query, Request, UploadFile, status
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from models.errors import DataError, InvalidInputError, bilingual
from models.table_io import MEDIA_TYPES, read_table, write_table
from serving.access.auth import JudgeDep, JudgeUnmeteredDep, court_store, take_more_inquiries
from serving.batch_files import (
    KINDS,
    BatchFileWork,
    file_digest,
    file_requests,
    inquiry_context,
    template_table,
)
from serving.deps import SettingsDep, StoreDep
from serving.jobs import JobBook, JobPublic
from serving.observability import metrics_of
from serving.uploads import read_upload

router = APIRouter(tags=["batch files"])

Kind = Annotated[Literal["property", "vehicle"], Path(description="property or vehicle.")]
JobId = Annotated[str, Path(pattern="^[0-9a-f]{16}$", description="The job's id.")]


def jobs_of(request: Request) -> JobBook:
    """The app's job book (made at start-up)."""
    book: JobBook = request.app.state.jobs
    return book


@router.post("/v1/valuations/{kind}/batch-file", status_code=status.HTTP_202_ACCEPTED)
async def start_batch_file(
    kind: Kind,
    caller: JudgeDep,
    request: Request,
    settings: SettingsDep,
    store: StoreDep,
    file: Annotated[UploadFile, File(description="CSV or Excel (.xlsx), one item per row.")],
    case_number: Annotated[str, Form(description="案号 the whole file serves.")] = "",
    purpose: Annotated[str, Form(description="询价用途.")] = "",
    separate_inquiries: Annotated[
        bool,
        Form(
            description="Each row an inquiry of its own (its own ledger entry, report, "
            "objection and sale record; at most COURTVAL_INQUIRY_BATCH_LIMIT rows, each "
            "counted against the day quota) instead of one ledger entry for the file."
        ),
    ] = False,
) -> JobPublic:
    """Check a file of properties or vehicles and start valuing it; poll ``GET /v1/jobs/{id}``.
    A bad cell is a 422 naming its row (``file.<row>``) and field; nothing is valued then."""
    context = inquiry_context(case_number, purpose)
    loaded = store.get(kind)
    if loaded is None:
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, f"{kind} model not loaded")
    content = await read_upload(file, settings)
    name = file.filename or "upload.csv"
    spec = KINDS[kind]
    try:
        frame = await run_in_threadpool(read_table, content, name)
    except DataError as exc:
        raise InvalidInputError("file", bilingual(f"无法读取文件：{exc}", str(exc))) from exc
    limit = settings.inquiry_batch_limit if separate_inquiries else settings.batch_limit
    requests = await run_in_threadpool(file_requests, frame, spec, limit, loaded.model)
    if separate_inquiries:
        take_more_inquiries(request, caller, len(requests) - 1)
    work = BatchFileWork(
        spec=spec,
        file_name=name,
        file_sha256=file_digest(content),
        frame=frame,
        requests=requests,
        context=context,
        loaded=loaded,
        settings=settings,
        court=court_store(request),
        caller=caller,
        metrics=metrics_of(request),
        separate=separate_inquiries,
    )
    return jobs_of(request).start(kind, caller.key_id, len(requests), work).public()


@router.get("/v1/jobs/{job_id}")
async def job_status(job_id: JobId, caller: JudgeUnmeteredDep, request: Request) -> JobPublic:
    """How far a batch file is (polling it does not count against the quota)."""
    return jobs_of(request).get(job_id, caller.key_id).public()


@router.get(
    "/v1/jobs/{job_id}/result",
    response_class=Response,
    responses={200: {"content": {m: {} for m in MEDIA_TYPES.values()}}},
)
async def job_result(
    job_id: JobId,
    caller: JudgeUnmeteredDep,
    request: Request,
    format: Annotated[Literal["xlsx", "csv"], Query(description="Excel or CSV.")] = "xlsx",
) -> Response:
    """The finished batch's table: the file's own columns plus the answers, the ledger entry
    and the case number (409 while the job runs or when it failed)."""
    job = jobs_of(request).get(job_id, caller.key_id)
    public = job.public()
    if public.status != "done":
        raise HTTPException(
            status.HTTP_409_CONFLICT,
            f"任务尚未完成（{public.status}） / the job is {public.status}",
        )
    suffix = f".{format}"
    content = await run_in_threadpool(write_table, job.result, suffix)
    return Response(
        content,
        media_type=MEDIA_TYPES[suffix],
        headers={
            "Content-Disposition": f'attachment; filename="{job.kind}-{job_id}{suffix}"',
            "X-Inquiry-Id": str(public.inquiry_id),
        },
    )


@router.get("/v1/valuations/{kind}/batch-template.csv", response_class=Response)
async def batch_template(kind: Kind, _: JudgeUnmeteredDep) -> Response:
    """An empty batch file with the Chinese column headers."""
    content = write_table(template_table(KINDS[kind]), ".csv")
    return Response(
        content,
        media_type=MEDIA_TYPES[".csv"],
        headers={"Content-Disposition": f'attachment; filename="{kind}-batch-template.csv"'},
    )

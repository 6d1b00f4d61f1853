"""The triage board's queues: the files on the server it may rank, and ranking a file.

A court's nightly export lands in ``COURTVAL_QUEUE_DIR``; the board lists those files and ranks
one of them, or a file the user uploads, exactly as ``courtval score cases`` reads it (CSV,
Excel, Parquet or JSON Lines). A bad record is named by its data row and column.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from pathlib import Path
from typing import Annotated

import orjson
import pandas as pd
from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from pydantic import BaseModel

from models.clock import china_today
from models.errors import DataError, InvalidInputError, bilingual
from models.registry import LoadedModel
from models.settings import Settings
from models.table_io import READABLE, read_table
from models.triage.ranking import TriageOptions, rank_cases
from models.triage.records import CaseRecordError, case_frame
from models.triage.schemas import CaseRanking
from serving.access.auth import TriageDep
from serving.access.record import record, stamp
from serving.batch import paused_gc
from serving.case_answers import ranking_answer
from serving.deps import SettingsDep
from serving.routers.cases import DifficultyModelDep, TriageOptionsDep
from serving.uploads import read_upload

router = APIRouter(prefix="/v1/cases", tags=["cases"])

_QUEUE_NAME = re.compile(r"^[\w.\-]{1,200}$")


class QueueFile(BaseModel):
    """A queue file on the server."""

    name: str
    modified: dt.datetime
    bytes: int


def _queue_files(settings: Settings) -> list[Path]:
    directory = settings.resolved_queue_dir
    if not directory.is_dir():
        return []
    files = [p for p in directory.iterdir() if p.is_file() and p.suffix.lower() in READABLE]
    return sorted(files, key=lambda p: p.stat().st_mtime, reverse=True)


@router.get("/queues")
async def list_queues(_: TriageDep, settings: SettingsDep) -> list[QueueFile]:
    """The queue files in ``COURTVAL_QUEUE_DIR``, newest first."""
    files = await run_in_threadpool(_queue_files, settings)
    return [
        QueueFile(
            name=p.name,
            modified=dt.datetime.fromtimestamp(p.stat().st_mtime, tz=dt.UTC),
            bytes=p.stat().st_size,
        )
        for p in files
    ]


def _queue_path(settings: Settings, name: str) -> Path:
    """The named queue file; only a file the listing shows (no paths)."""
    listed = {p.name: p for p in _queue_files(settings)}
    if not _QUEUE_NAME.fullmatch(name) or name not in listed:
        raise InvalidInputError(
            "queue", bilingual(f"服务器上没有队列文件 {name}", f"no queue file {name!r}")
        )
    return listed[name]


def _cases(content: bytes, name: str) -> pd.DataFrame:
    try:
        return case_frame(read_table(content, name))
    except CaseRecordError as exc:
        raise InvalidInputError(f"file.{exc.row}.{exc.column}", exc.message) from exc
    except DataError as exc:
        raise InvalidInputError("file", bilingual(f"无法读取文件：{exc}", str(exc))) from exc


def _ranked(
    cases: pd.DataFrame, day: pd.Timestamp, loaded: LoadedModel, options: TriageOptions
) -> bytes:
    with paused_gc():
        ranking = rank_cases(loaded.model, cases, day, options)
        return orjson.dumps(ranking_answer(ranking, day, loaded.info))


@router.post("/rank-file", response_model=CaseRanking)
async def rank_file(
    caller: TriageDep,
    request: Request,
    loaded: DifficultyModelDep,
    options: TriageOptionsDep,
    settings: SettingsDep,
    file: Annotated[UploadFile | None, File(description="A queue file to rank.")] = None,
    queue: Annotated[str, Form(description="Or the name of a server queue file.")] = "",
    as_of: Annotated[dt.date | None, Form(description="Day of scoring; default today.")] = None,
) -> Response:
    """Rank a queue file (uploaded, or named from ``GET /v1/cases/queues``), as
    ``POST /v1/cases/rank`` ranks a JSON body."""
    if file is not None and file.filename:
        content, name = await read_upload(file, settings), file.filename
    elif queue:
        path = _queue_path(settings, queue)
        content, name = await run_in_threadpool(path.read_bytes), path.name
    else:
        raise InvalidInputError(
            "queue", bilingual("请选择服务器上的队列或上传文件", "name a queue or upload a file")
        )
    if as_of is not None and as_of > china_today():
        raise InvalidInputError(
            "as_of", bilingual(f"评估日 {as_of} 晚于今天", f"as_of {as_of} is in the future")
        )
    cases = await run_in_threadpool(_cases, content, name)
    day = pd.Timestamp(as_of or china_today())
    payload = await run_in_threadpool(_ranked, cases, day, loaded, options)
    entry = await record(
        request,
        caller,
        inputs={"file": name, "sha256": hashlib.sha256(content).hexdigest(), "cases": len(cases)},
        outputs=payload,
        model=loaded.info,
        items=len(cases),
    )
    response = Response(payload, media_type="application/json")
    stamp(response, entry)
    return response

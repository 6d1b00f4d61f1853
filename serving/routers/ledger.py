"""The inquiry ledger for auditors: query it, and verify its hash chain."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from pydantic import StringConstraints

from serving.access.auth import AuditorDep, court_store
from serving.access.record import record, stamp
from serving.court import query, verify
from serving.court.schemas import (
    ANCHOR_PATTERN,
    LedgerAnchor,
    LedgerPage,
    LedgerQuery,
    VerifyResult,
)

router = APIRouter(prefix="/v1/ledger", tags=["ledger"])


@router.get("")
async def read_ledger(
    caller: AuditorDep,
    request: Request,
    response: Response,
    filters: Annotated[LedgerQuery, Query()],
) -> LedgerPage:
    """Entries filtered by user, case number and time (UTC), oldest first, one page. The
    read itself is recorded (who looked at which entries)."""
    court = court_store(request)

    def read() -> LedgerPage:
        with court.sessions() as session:
            return query(session, **filters.model_dump())

    page = await run_in_threadpool(read)
    entry = await record(
        request,
        caller,
        inputs=filters.model_dump(mode="json"),
        outputs={"total": page.total, "ids": [item.id for item in page.items]},
        case_number=filters.case_number,
    )
    stamp(response, entry)
    return page


AnchorQuery = Annotated[
    list[Annotated[str, StringConstraints(pattern=ANCHOR_PATTERN)]],
    Query(
        description="A head published earlier, ID:HASH (repeatable): an entry whose hash "
        "differs breaks the chain there (a rewrite of the whole chain from it on)."
    ),
]


@router.get("/verify")
async def verify_ledger(
    caller: AuditorDep,
    request: Request,
    anchor: AnchorQuery = [],  # noqa: B006 - FastAPI copies it
) -> VerifyResult:
    """Walk the whole chain; ``first_broken_id`` names the first altered or missing entry,
    or the first whose hash is not the published one. Not itself recorded, so that a
    verification never changes what it verifies."""
    court = court_store(request)
    anchors = [LedgerAnchor.parse(text) for text in anchor]

    def walk() -> VerifyResult:
        with court.sessions() as session:
            return verify(session, anchors)

    return await run_in_threadpool(walk)

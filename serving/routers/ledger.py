"""The inquiry ledger for auditors: query it, and verify its hash chain."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from pydantic import StringConstraints

from models.clock import china_today
from models.court.repeats import RepeatedAssetPage
from serving.access.auth import AuditorDep, court_store
from serving.access.record import record, stamp
from serving.court import query, verify
from serving.court.repeats import repeated_assets
from serving.court.schemas import (
    ANCHOR_PATTERN,
    MAX_OFFSET,
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


@router.get("/repeats")
async def repeated_inquiries(
    caller: AuditorDep,
    request: Request,
    response: Response,
    days: Annotated[
        int, Query(ge=1, le=3660, description="Inquiries of the last ``days`` days (China).")
    ] = 365,
    changed_only: Annotated[
        bool, Query(description="Only assets whose inquiries gave different facts.")
    ] = False,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> RepeatedAssetPage:
    """Assets inquired about more than once in one case (the same certificate, address, plate
    or VIN), most recently asked first: each inquiry (who, when, what value, disputed or not)
    and the facts typed differently between them, so an auditor sees a second price asked for
    one asset. The read is itself recorded."""
    since = china_today() - dt.timedelta(days=days)
    court = court_store(request)

    def read() -> RepeatedAssetPage:
        with court.sessions() as session:
            return repeated_assets(
                session, since, changed_only=changed_only, limit=limit, offset=offset
            )

    page = await run_in_threadpool(read)
    entry = await record(
        request,
        caller,
        inputs={"days": days, "changed_only": changed_only, "limit": limit, "offset": offset},
        outputs={"total": page.total, "ids": [[i.id for i in a.inquiries] for a in page.items]},
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

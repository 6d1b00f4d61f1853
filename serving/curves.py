"""A price curve answered and recorded: the vehicle's and the property's endpoints share it.

A curve has its own endpoints rather than riding inside every valuation: it costs a few dozen
estimates and a scan of the sales, which a judge wants once per asset and the triage system's
bulk calls never need, and its chart is a different media type.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, TypeVar

from fastapi import Query, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel

from models.court.inquiry import InquiryContext
from models.registry import LoadedModel
from serving.access.auth import Caller
from serving.access.record import ledger_headers, record

C = TypeVar("C", bound=BaseModel)

HistoryMonths = Annotated[
    int | None, Query(ge=1, le=120, description="Default: COURTVAL_CURVE_HISTORY_MONTHS.")
]


async def recorded_curve(
    compute: Callable[[], C],
    inquiry: InquiryContext,
    loaded: LoadedModel,
    caller: Caller,
    request: Request,
    months: list[int | None],
) -> tuple[C, dict[str, str]]:
    """The curve ``compute`` draws (off the event loop), recorded in the ledger as an answer
    to ``inquiry`` (with the ``months`` asked for); the curve and the ledger's headers."""
    curve = await run_in_threadpool(compute)
    entry = await record(
        request,
        caller,
        inputs={"inquiry": inquiry.model_dump(mode="json"), "months": months},
        outputs=curve,
        model=loaded.info,
        case_number=inquiry.case_number,
        purpose=inquiry.purpose,
    )
    return curve, ledger_headers(entry)

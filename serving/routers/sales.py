"""What inquired assets sold for: the judge records the sale of an own inquiry; judges, auditors
and data scientists read the ratio study of the inquiries against the recorded sales."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request, Response, status
from fastapi.concurrency import run_in_threadpool
from sqlalchemy.orm import Session

from models.court.sales import RatioStudy, SaleCorrection, SalePublic, SaleReport
from serving.access.auth import Caller, JudgeDep, court_store, require
from serving.court.sales import correct_sale, ratio_study, record_sale
from serving.court.tables import Role
from serving.routers.inquiries import InquiryId, change_own_inquiry

router = APIRouter(tags=["sales"])


def _sale_case(sale: SalePublic) -> str | None:
    """The 案号 a sale (or its correction) is filed under: the row's, which is the inquiry's
    or, for an inquiry made without one, the one a sale gave."""
    return sale.case_number


StudyReaderDep = Annotated[
    Caller, Depends(require(Role.JUDGE, Role.AUDITOR, Role.DATA_SCIENTIST, metered=False))
]


@router.post("/v1/inquiries/{inquiry_id}/sale", status_code=status.HTTP_201_CREATED)
async def record_inquiry_sale(
    caller: JudgeDep,
    inquiry_id: InquiryId,
    sale: SaleReport,
    request: Request,
    response: Response,
) -> SalePublic:
    """Record what the asset of one of the caller's inquiries sold for (一拍, 二拍 or 变卖), on
    a day from the inquiry to today; once per inquiry (409 after). The answer sets the price
    beside the inquiry's value (``ratio`` = value / price, ``within_interval``); it is
    committed with its ledger entry, or not at all (503)."""

    def change(session: Session, today: dt.date) -> SalePublic:
        return record_sale(session, inquiry_id, sale, key=caller.key, today=today)

    inputs = {"inquiry_id": inquiry_id, **sale.model_dump(mode="json")}
    return await change_own_inquiry(
        request, response, caller, inquiry_id, change, inputs, case_of=_sale_case
    )


@router.put("/v1/inquiries/{inquiry_id}/sale")
async def correct_inquiry_sale(
    caller: JudgeDep,
    inquiry_id: InquiryId,
    correction: SaleCorrection,
    request: Request,
    response: Response,
) -> SalePublic:
    """Correct the recorded sale of one of the caller's inquiries (a mistyped price or day):
    the whole sale entered again with the reason. The row is replaced; the ledger entry of the
    correction holds the reason and the answer, and the earlier one still holds what was first
    recorded. 404 when no sale is recorded yet."""

    def change(session: Session, today: dt.date) -> SalePublic:
        return correct_sale(session, inquiry_id, correction, today=today)

    inputs = {"inquiry_id": inquiry_id, **correction.model_dump(mode="json")}
    return await change_own_inquiry(
        request, response, caller, inquiry_id, change, inputs, case_of=_sale_case
    )


@router.get("/v1/sales/study")
async def sales_ratio_study(
    _: StudyReaderDep,
    request: Request,
    kind: Annotated[Literal["property", "vehicle"] | None, Query()] = None,
    sold_from: Annotated[dt.date | None, Query(description="First sale day included.")] = None,
    sold_until: Annotated[dt.date | None, Query(description="Last sale day included.")] = None,
) -> RatioStudy:
    """The inquiries' accuracy in the field: an IAAO ratio study (value / sale price) of every
    recorded sale, or of one kind or period: median APE, PPE10/PPE20, COD, PRD, and the share
    of prices inside the inquiries' intervals (法释〔2018〕15号 Art. 31 scores a platform by how
    close its result came to the sale price)."""

    def read() -> RatioStudy:
        with court_store(request).sessions() as session:
            return ratio_study(session, kind=kind, sold_from=sold_from, sold_until=sold_until)

    return await run_in_threadpool(read)

"""Property valuations (不动产询价) for judges: one at a time, or in batches; each recorded."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from models.property.schemas import (
    PropertyBatchInquiry,
    PropertyBatchValuation,
    PropertyInquiry,
    PropertyInquiryBatch,
    PropertyInquiryBatchAnswer,
    PropertyValuation,
)
from serving.access.auth import JudgeDep
from serving.batch import openapi_body
from serving.deps import PropertyModelDep, SettingsDep
from serving.inquiries import (
    answer_inquiry,
    answer_inquiry_batch,
    answer_inquiry_batch_separately,
)

router = APIRouter(prefix="/v1/valuations", tags=["valuations"])


@router.post("/property", response_model=PropertyValuation)
async def value_property(
    caller: JudgeDep,
    inquiry: PropertyInquiry,
    loaded: PropertyModelDep,
    settings: SettingsDep,
    request: Request,
) -> Response:
    """Value one property: estimate, interval, rule-based figure, comparables, reasons. The
    answer is recorded in the ledger; ``inquiry.id`` names it for the report and objections."""
    return await answer_inquiry(inquiry, loaded, settings, caller, request)


@router.post(
    "/property/batch",
    response_model=PropertyBatchValuation,
    openapi_extra=openapi_body(PropertyBatchInquiry),
)
async def value_property_batch(
    caller: JudgeDep, request: Request, loaded: PropertyModelDep, settings: SettingsDep
) -> Response:
    """Value up to ``COURTVAL_BATCH_LIMIT`` properties of one case in one vectorised pass."""
    return await answer_inquiry_batch(PropertyBatchInquiry, request, loaded, settings, caller)


@router.post(
    "/property/batch-inquiries",
    response_model=PropertyInquiryBatchAnswer,
    openapi_extra=openapi_body(PropertyInquiryBatch),
)
async def value_property_inquiry_batch(
    caller: JudgeDep, request: Request, loaded: PropertyModelDep, settings: SettingsDep
) -> Response:
    """Value up to ``COURTVAL_INQUIRY_BATCH_LIMIT`` properties of one case, each as an inquiry of
    its own: the single inquiry's full answer and ledger entry (so its own report, objection
    and sale record). The entries are written in one transaction (all or none), and each item
    counts against the day's quota (429 for the whole batch when the day has not room)."""
    return await answer_inquiry_batch_separately(
        PropertyInquiryBatch, request, loaded, settings, caller
    )

"""Property valuations (不动产询价): one at a time, or in batches."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.concurrency import run_in_threadpool

from models.property.schemas import (
    PropertyBatchRequest,
    PropertyBatchValuation,
    PropertyRequest,
    PropertyValuation,
)
from serving.batch import answer_options, openapi_body, value_batch
from serving.deps import PropertyModelDep, SettingsDep

router = APIRouter(prefix="/v1/valuations", tags=["valuations"])


@router.post("/property")
async def value_property(
    request: PropertyRequest, loaded: PropertyModelDep, settings: SettingsDep
) -> PropertyValuation:
    """Value one property: estimate, interval, rule-based figure, comparables, reasons."""
    valuation: PropertyValuation = loaded.model.value(
        request, loaded.info, answer_options(settings)
    )
    return valuation


@router.post(
    "/property/batch",
    response_model=PropertyBatchValuation,
    openapi_extra=openapi_body(PropertyBatchRequest),
)
async def value_property_batch(
    request: Request, loaded: PropertyModelDep, settings: SettingsDep
) -> Response:
    """Value up to ``COURTVAL_BATCH_LIMIT`` properties in one vectorised pass."""
    body = await request.body()
    answer = await run_in_threadpool(value_batch, PropertyBatchRequest, body, loaded, settings)
    return Response(answer, media_type="application/json")

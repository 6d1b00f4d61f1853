"""Debtor performance capacity (履行能力), for the triage system: one debtor or a batch."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.concurrency import run_in_threadpool

from models.capacity.schemas import (
    CapacityAssessment,
    CapacityBatch,
    CapacityBatchRequest,
    DebtorRequest,
)
from serving.access.auth import TriageDep
from serving.access.record import record, stamp
from serving.batch import answer_batch, openapi_body
from serving.deps import CapacityModelDep, CapacityOptionsDep, SettingsDep

router = APIRouter(prefix="/v1/debtors", tags=["debtors"])


@router.post("/capacity")
async def assess_capacity(
    caller: TriageDep,
    debtor: DebtorRequest,
    loaded: CapacityModelDep,
    options: CapacityOptionsDep,
    request: Request,
    response: Response,
) -> CapacityAssessment:
    """Probability of full performance in 6 months, expected recovery, tier, reasons, leads."""
    assessment: CapacityAssessment = await run_in_threadpool(
        loaded.model.assess, debtor, loaded.info, options
    )
    entry = await record(request, caller, inputs=debtor, outputs=assessment, model=loaded.info)
    stamp(response, entry)
    return assessment


@router.post(
    "/capacity/batch",
    response_model=CapacityBatch,
    openapi_extra=openapi_body(CapacityBatchRequest),
)
async def assess_capacity_batch(
    caller: TriageDep,
    request: Request,
    loaded: CapacityModelDep,
    options: CapacityOptionsDep,
    settings: SettingsDep,
) -> Response:
    """Up to ``COURTVAL_BATCH_LIMIT`` debtors in one vectorised pass."""
    body = await request.body()

    def answer(batch: CapacityBatchRequest) -> CapacityBatch:
        result: CapacityBatch = loaded.model.assess_batch(batch, loaded.info, options)
        return result

    payload = await run_in_threadpool(answer_batch, CapacityBatchRequest, body, answer, settings)
    entry = await record(request, caller, inputs=body, outputs=payload, model=loaded.info)
    response = Response(payload, media_type="application/json")
    stamp(response, entry)
    return response

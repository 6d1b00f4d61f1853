"""The two batch routes of each valuation kind (property, vehicle), declared once.

``POST /v1/valuations/<kind>/batch`` values many assets of one case in one vectorised pass,
recorded as one ledger entry; ``…/batch-inquiries`` values each as an inquiry of its own, one
entry each (:mod:`serving.inquiries`).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request, Response
from pydantic import BaseModel

from models.court.inquiry import InquiryBatch
from models.registry import LoadedModel
from models.schemas import BatchRequest
from serving.access.auth import JudgeDep
from serving.batch import openapi_body
from serving.deps import SettingsDep, model_of
from serving.inquiries import answer_inquiry_batch, answer_inquiry_batch_separately


def add_batch_routes(
    router: APIRouter,
    kind: str,
    what: str,
    batch: tuple[type[BatchRequest[Any]], type[BaseModel]],
    inquiries: tuple[type[InquiryBatch[Any]], type[BaseModel]],
) -> None:
    """Add ``/<kind>/batch`` and ``/<kind>/batch-inquiries`` to ``router``.

    Args:
        router: The kind's router (prefix ``/v1/valuations``).
        kind: ``property`` or ``vehicle``: the path and the model served.
        what: The assets in English, plural, for the documentation.
        batch: The batch's request schema (an :class:`InquiryContext` too) and answer.
        inquiries: The inquiry batch's request schema and answer.
    """
    batch_schema, batch_answer = batch
    inquiry_schema, inquiry_answer = inquiries
    served = Depends(model_of(kind))  # the kind's champion, or 503

    async def value_batch(
        caller: JudgeDep,
        request: Request,
        settings: SettingsDep,
        loaded: LoadedModel = served,
    ) -> Response:
        return await answer_inquiry_batch(batch_schema, request, loaded, settings, caller)

    async def value_inquiry_batch(
        caller: JudgeDep,
        request: Request,
        settings: SettingsDep,
        loaded: LoadedModel = served,
    ) -> Response:
        return await answer_inquiry_batch_separately(
            inquiry_schema, request, loaded, settings, caller
        )

    router.add_api_route(
        f"/{kind}/batch",
        value_batch,
        methods=["POST"],
        response_model=batch_answer,
        openapi_extra=openapi_body(batch_schema),
        name=f"value_{kind}_batch",
        summary=f"Value {kind} batch",
        description=f"Value up to `COURTVAL_BATCH_LIMIT` {what} of one case in one vectorised "
        "pass, recorded as one ledger entry.",
    )
    router.add_api_route(
        f"/{kind}/batch-inquiries",
        value_inquiry_batch,
        methods=["POST"],
        response_model=inquiry_answer,
        openapi_extra=openapi_body(inquiry_schema),
        name=f"value_{kind}_inquiry_batch",
        summary=f"Value {kind} inquiry batch",
        description=f"Value up to `COURTVAL_INQUIRY_BATCH_LIMIT` {what} of one case, each as "
        "an inquiry of its own: the single inquiry's full answer and ledger entry (so its own "
        "report, objection and sale record). The entries are written in one transaction (all "
        "or none), and each item counts against the day's quota (429 for the whole batch when "
        "the day has not room).",
    )

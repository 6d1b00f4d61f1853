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
from serving.court.objections import INQUIRY_BATCH_SUFFIX
from serving.deps import SettingsDep, model_of
from serving.inquiries import answer_inquiry_batch, answer_inquiry_batch_separately

BATCH_DESCRIPTION = (
    "Value up to `COURTVAL_BATCH_LIMIT` {what} of one case in one vectorised pass, recorded as "
    "one ledger entry."
)
INQUIRIES_DESCRIPTION = (
    "Value up to `COURTVAL_INQUIRY_BATCH_LIMIT` {what} of one case, each as an inquiry of its "
    "own: the single inquiry's full answer and ledger entry (so its own report, objection and "
    "sale record). The entries are written in one transaction (all or none), and each item "
    "counts against the day's quota (429 for the whole batch when the day has not room)."
)


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
    batch_schema, inquiry_schema = batch[0], inquiries[0]
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

    routes = (
        ("/batch", "batch", value_batch, batch, BATCH_DESCRIPTION),
        (
            INQUIRY_BATCH_SUFFIX,
            "inquiry batch",
            value_inquiry_batch,
            inquiries,
            INQUIRIES_DESCRIPTION,
        ),
    )
    for path, label, endpoint, (schema, answer), description in routes:
        router.add_api_route(
            f"/{kind}{path}",
            endpoint,
            methods=["POST"],
            response_model=answer,
            openapi_extra=openapi_body(schema),
            name=f"value_{kind}_{label.replace(' ', '_')}",
            summary=f"Value {kind} {label}",
            description=description.format(what=what),
        )

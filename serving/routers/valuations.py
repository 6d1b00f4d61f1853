"""Property valuations (不动产询价): one at a time, or in batches."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

from fastapi import APIRouter, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError
from pydantic_core import to_json

from models.errors import InvalidInputError
from models.property.schemas import (
    PropertyBatchRequest,
    PropertyBatchValuation,
    PropertyRequest,
    PropertyValuation,
)
from models.property.valuer import AnswerOptions
from models.registry import LoadedModel
from models.settings import Settings
from serving.deps import PropertyModelDep, SettingsDep

router = APIRouter(prefix="/v1/valuations", tags=["valuations"])

#: The batch body is parsed by hand (see below); this keeps it documented in OpenAPI.
_BATCH_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": PropertyBatchRequest.model_json_schema(
                    ref_template="#/components/schemas/{model}"
                )
            }
        },
    }
}


def answer_options(settings: Settings) -> AnswerOptions:
    """How much of the output contract to compute, from the settings."""
    return AnswerOptions(
        comparables=settings.comparables,
        comparables_months=settings.comparables_months,
        contributions=settings.contributions,
    )


@router.post("/property")
async def value_property(
    request: PropertyRequest, loaded: PropertyModelDep, settings: SettingsDep
) -> PropertyValuation:
    """Value one property: estimate, interval, rule-based figure, comparables, reasons."""
    valuation: PropertyValuation = loaded.model.value(
        request, loaded.info, answer_options(settings)
    )
    return valuation


def parse_batch(body: bytes) -> PropertyBatchRequest:
    """Validate a batch body; errors become the usual 422 naming each field."""
    try:
        return PropertyBatchRequest.model_validate_json(body)
    except ValidationError as exc:
        errors = exc.errors(include_url=False)
        raise RequestValidationError([{**e, "loc": ("body", *e["loc"])} for e in errors]) from exc


@router.post("/property/batch", response_model=PropertyBatchValuation, openapi_extra=_BATCH_BODY)
async def value_property_batch(
    request: Request, loaded: PropertyModelDep, settings: SettingsDep
) -> Response:
    """Value up to ``COURTVAL_BATCH_LIMIT`` properties in one vectorised pass.

    FastAPI's own body handling costs more than the valuation itself at 10,000 items, so the
    body is validated here with the same pydantic model, off the event loop.
    """
    body = await request.body()
    answer = await run_in_threadpool(answer_batch, body, loaded, settings)
    return Response(answer, media_type="application/json")


def answer_batch(body: bytes, loaded: LoadedModel, settings: Settings) -> bytes:
    """Parse, value and serialise a batch; the JSON answer as bytes.

    Ten thousand items allocate ~10^5 objects that all live until the answer is sent: the
    cyclic garbage collector would scan them again and again for nothing, so it pauses.
    """
    with paused_gc():
        batch = parse_batch(body)
        if len(batch.items) > settings.batch_limit:
            raise InvalidInputError(
                "items", f"{len(batch.items)} items; at most {settings.batch_limit} per batch"
            )
        answer = loaded.model.value_batch(batch, loaded.info, answer_options(settings))
        return to_json(answer)


@contextmanager
def paused_gc() -> Iterator[None]:
    """Disable the cyclic GC for a block (reference counting still frees memory)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()

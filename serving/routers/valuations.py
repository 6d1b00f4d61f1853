"""Property valuations (不动产询价): one at a time, or in batches."""

from __future__ import annotations

from fastapi import APIRouter, Response

from models.errors import InvalidInputError
from models.property.schemas import (
    PropertyBatchRequest,
    PropertyBatchValuation,
    PropertyRequest,
    PropertyValuation,
)
from models.property.valuer import AnswerOptions
from models.settings import Settings
from serving.deps import PropertyModelDep, SettingsDep

router = APIRouter(prefix="/v1/valuations", tags=["valuations"])


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
    return loaded.model.value(request, loaded.info, answer_options(settings))


@router.post("/property/batch", response_model=PropertyBatchValuation)
def value_property_batch(
    batch: PropertyBatchRequest, loaded: PropertyModelDep, settings: SettingsDep
) -> Response:
    """Value up to ``COURTVAL_BATCH_LIMIT`` properties in one vectorised pass."""
    if len(batch.items) > settings.batch_limit:
        raise InvalidInputError(
            "items", f"{len(batch.items)} items; at most {settings.batch_limit} per batch"
        )
    items = loaded.model.value_batch(batch, answer_options(settings))
    answer = PropertyBatchValuation.model_construct(items=items, model=loaded.info)
    return Response(answer.model_dump_json(), media_type="application/json")

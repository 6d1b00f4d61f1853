"""Batch valuation plumbing shared by every model kind.

FastAPI's own body handling costs more than the valuation itself at 10,000 items, so batch
bodies are read raw and validated here with the same pydantic model, off the event loop, with
the cyclic garbage collector paused while the many short-lived objects exist.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ValidationError
from pydantic_core import to_json

from models.errors import InvalidInputError, bilingual
from models.registry import LoadedModel
from models.schemas import BatchRequest
from models.settings import Settings
from models.valuer import AnswerOptions
from serving.guide_prices import guide_prices

M = TypeVar("M", bound=BaseModel)
B = TypeVar("B", bound=BatchRequest[Any])


def answer_options(settings: Settings) -> AnswerOptions:
    """How much of the output contract to compute, from the settings."""
    return AnswerOptions(
        comparables=settings.comparables,
        comparables_months=settings.comparables_months,
        contributions=settings.contributions,
        guide_prices=guide_prices(settings.guide_price_file),
    )


def openapi_body(schema: type[BaseModel]) -> dict[str, Any]:
    """``openapi_extra`` documenting a hand-parsed JSON body of ``schema``.

    The schema's ``$defs`` point at ``#/components/schemas``; :func:`hoist_body_definitions`
    moves them there when the app builds its document.
    """
    return {
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {
                    "schema": schema.model_json_schema(ref_template="#/components/schemas/{model}")
                }
            },
        }
    }


def hoist_body_definitions(document: dict[str, Any]) -> dict[str, Any]:
    """Move the ``$defs`` of :func:`openapi_body` schemas into the document's components.

    Their references name ``#/components/schemas/<model>``, which FastAPI only fills with the
    models its own routes use: a batch's item model (``PropertyRequest``) was a dangling
    reference, and the docs page could not show the batch body. A definition already among the
    components must be the same schema (one model, one name), else ``ValueError``.
    """
    components = document.setdefault("components", {}).setdefault("schemas", {})
    for operations in document.get("paths", {}).values():
        for operation in operations.values():
            content = operation.get("requestBody", {}).get("content", {})
            for media in content.values():
                for name, definition in media.get("schema", {}).pop("$defs", {}).items():
                    if components.setdefault(name, definition) != definition:
                        raise ValueError(f"two different OpenAPI schemas are named {name}")
    return document


def body_errors(exc: ValidationError) -> RequestValidationError:
    """A body's validation errors as the usual 422, each located under ``body``."""
    errors = exc.errors(include_url=False)
    return RequestValidationError([{**e, "loc": ("body", *e["loc"])} for e in errors])


def parse_body(schema: type[M], body: bytes) -> M:
    """Validate a JSON body; errors become the usual 422 naming each field."""
    try:
        return schema.model_validate_json(body)
    except ValidationError as exc:
        raise body_errors(exc) from exc


def parse_batch(schema: type[B], body: bytes, settings: Settings) -> B:
    """Parse a batch body of ``schema``: 422 naming the field, or too many items."""
    with paused_gc():
        batch = parse_body(schema, body)
    check_item_count(len(batch.items), settings.batch_limit)
    return batch


def check_item_count(count: int, limit: int) -> None:
    """422 naming ``items`` when a batch holds more than ``limit`` of them."""
    if count > limit:
        raise InvalidInputError(
            "items",
            bilingual(
                f"共 {count} 条，每批至多 {limit} 条", f"{count} items; at most {limit} per batch"
            ),
        )


def answer_batch(
    schema: type[B], body: bytes, answer: Callable[[B], BaseModel], settings: Settings
) -> bytes:
    """Parse a batch of ``schema``, answer it and serialise; the JSON answer as bytes."""
    batch = parse_batch(schema, body, settings)
    with paused_gc():
        return to_json(answer(batch))


def value_parsed_batch(batch: BatchRequest[Any], loaded: LoadedModel, settings: Settings) -> bytes:
    """A parsed valuation batch valued by the loaded valuer and serialised."""
    with paused_gc():
        return to_json(loaded.model.value_batch(batch, loaded.info, answer_options(settings)))


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

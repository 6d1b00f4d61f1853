"""One place that maps domain errors to HTTP responses."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request, status
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from models.errors import CourtvalError, InvalidInputError, ModelNotFoundError

logger = logging.getLogger(__name__)


def _invalid_input(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, InvalidInputError)
    loc = [int(part) if part.isdigit() else part for part in exc.field.split(".")]
    detail = [{"loc": ["body", *loc], "msg": exc.message, "type": "value_error"}]
    return JSONResponse({"detail": detail}, status_code=status.HTTP_422_UNPROCESSABLE_CONTENT)


#: Fields whose value must never come back in an error (personal identifiers).
SENSITIVE_FIELDS = frozenset({"debtor_id_number"})


def _redacted(error: dict[str, object]) -> dict[str, object]:
    loc = error.get("loc") or ()
    if isinstance(loc, list | tuple) and any(part in SENSITIVE_FIELDS for part in loc):
        return {k: v for k, v in error.items() if k not in {"input", "ctx"}}
    return error


def _validation_error(_: Request, exc: Exception) -> JSONResponse:
    """FastAPI's usual 422, except that a personal identifier's value is not echoed."""
    assert isinstance(exc, RequestValidationError)
    detail = [_redacted(dict(e)) for e in exc.errors()]
    return JSONResponse(
        {"detail": jsonable_encoder(detail)}, status_code=status.HTTP_422_UNPROCESSABLE_CONTENT
    )


def _model_missing(_: Request, exc: Exception) -> JSONResponse:
    return JSONResponse({"detail": str(exc)}, status_code=status.HTTP_503_SERVICE_UNAVAILABLE)


def _domain_error(_: Request, exc: Exception) -> JSONResponse:
    logger.warning("domain error: %s", exc)
    return JSONResponse({"detail": str(exc)}, status_code=status.HTTP_400_BAD_REQUEST)


def install_error_handlers(app: FastAPI) -> None:
    """Register the domain-error handlers on ``app``."""
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(InvalidInputError, _invalid_input)
    app.add_exception_handler(ModelNotFoundError, _model_missing)
    app.add_exception_handler(CourtvalError, _domain_error)

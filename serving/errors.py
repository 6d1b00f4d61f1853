"""One place that maps domain errors to HTTP responses."""

from __future__ import annotations

import logging
from collections.abc import Callable

from fastapi import FastAPI, Request, status
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from models.errors import CourtvalError, InvalidInputError, ModelNotFoundError
from models.identity import SENSITIVE_FIELDS
from serving.court.errors import (
    AlreadyDisputedError,
    AppraisalTaskNotFoundError,
    InquiryAlteredError,
    InquiryNotFoundError,
    KeyNotFoundError,
    LedgerWriteError,
)
from serving.jobs import JobNotFoundError
from serving.validation_zh import with_chinese

logger = logging.getLogger(__name__)


def _invalid_input(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, InvalidInputError)
    loc = [int(part) if part.isdigit() else part for part in exc.field.split(".")]
    detail = with_chinese([{"loc": ["body", *loc], "msg": exc.message, "type": "value_error"}])
    return JSONResponse({"detail": detail}, status_code=status.HTTP_422_UNPROCESSABLE_CONTENT)


def _redacted(error: dict[str, object]) -> dict[str, object]:
    loc = error.get("loc") or ()
    if isinstance(loc, list | tuple) and any(part in SENSITIVE_FIELDS for part in loc):
        return {k: v for k, v in error.items() if k not in {"input", "ctx"}}
    return error


def _validation_error(_: Request, exc: Exception) -> JSONResponse:
    """FastAPI's usual 422, except that a personal identifier's value is not echoed."""
    assert isinstance(exc, RequestValidationError)
    detail = with_chinese([_redacted(dict(e)) for e in exc.errors()])
    return JSONResponse(
        {"detail": jsonable_encoder(detail)}, status_code=status.HTTP_422_UNPROCESSABLE_CONTENT
    )


def _model_missing(_: Request, exc: Exception) -> JSONResponse:
    return JSONResponse({"detail": str(exc)}, status_code=status.HTTP_503_SERVICE_UNAVAILABLE)


def _ledger_unwritable(_: Request, exc: Exception) -> JSONResponse:
    logger.error("answer withheld: %s", exc)
    return JSONResponse({"detail": str(exc)}, status_code=status.HTTP_503_SERVICE_UNAVAILABLE)


def _status_of(code: int) -> Callable[[Request, Exception], JSONResponse]:
    def handler(_: Request, exc: Exception) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=code)

    return handler


def _domain_error(_: Request, exc: Exception) -> JSONResponse:
    logger.warning("domain error: %s", exc)
    return JSONResponse({"detail": str(exc)}, status_code=status.HTTP_400_BAD_REQUEST)


def install_error_handlers(app: FastAPI) -> None:
    """Register the domain-error handlers on ``app``."""
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(InvalidInputError, _invalid_input)
    app.add_exception_handler(ModelNotFoundError, _model_missing)
    app.add_exception_handler(LedgerWriteError, _ledger_unwritable)
    for missing in (
        InquiryNotFoundError,
        AppraisalTaskNotFoundError,
        KeyNotFoundError,
        JobNotFoundError,
    ):
        app.add_exception_handler(missing, _status_of(status.HTTP_404_NOT_FOUND))
    for conflict in (AlreadyDisputedError, InquiryAlteredError):
        app.add_exception_handler(conflict, _status_of(status.HTTP_409_CONFLICT))
    app.add_exception_handler(CourtvalError, _domain_error)

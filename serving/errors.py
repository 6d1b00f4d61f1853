"""One place that maps domain errors to HTTP responses."""

from __future__ import annotations

import json
import logging
import math
import re
from collections.abc import Callable

from fastapi import FastAPI, Request, status
from fastapi.encoders import jsonable_encoder
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException

from models.court.errors import AppraisalStepError
from models.errors import CourtvalError, InvalidInputError, ModelNotFoundError
from models.identity import SENSITIVE_FIELDS
from serving.court.errors import (
    AlreadyDisputedError,
    AlreadySoldError,
    AppraisalTaskNotFoundError,
    CurveModelChangedError,
    InquiryAlteredError,
    InquiryNotFoundError,
    InquiryUnreadableError,
    KeyNotFoundError,
    LedgerWriteError,
    SaleNotFoundError,
)
from serving.jobs import JobNotFoundError
from serving.validation_zh import with_chinese

logger = logging.getLogger(__name__)


def _invalid_input(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, InvalidInputError)
    loc = [int(part) if part.isdigit() else part for part in exc.field.split(".")]
    error = {"loc": ["body", *loc], "msg": exc.message, "type": "value_error"}
    detail = with_chinese([error], request.url.path)
    return JSONResponse({"detail": detail}, status_code=status.HTTP_422_UNPROCESSABLE_CONTENT)


def _redacted(error: dict[str, object]) -> dict[str, object]:
    loc = error.get("loc") or ()
    if isinstance(loc, list | tuple) and any(part in SENSITIVE_FIELDS for part in loc):
        return {k: v for k, v in error.items() if k not in {"input", "ctx"}}
    return error


#: Longest echoed input text (an invalid JSON body is its error's input: cut, not echoed whole).
ECHO_CHARS = 200
#: Longest echoed input object or array, as JSON: a larger one (a whole batch, when a field
#: of the body is missing) is echoed as the start of its JSON text.
ECHO_JSON_CHARS = 2_000


_SURROGATE = re.compile("[\ud800-\udfff]")


def _utf8(text: str) -> str:
    """``text`` as UTF-8 can carry it: a lone surrogate (JSON lets a body spell ``"\\ud800"``)
    becomes U+FFFD, as undecodable body bytes do; before, the 422 itself failed with a 500."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return _SURROGATE.sub("\ufffd", text)
    return text


def _strict_json(value: object, cut: bool) -> object:
    """Encoded JSON as strict JSON can carry it: NaN and infinities spelled as a client sends
    them (``NaN``, ``Infinity``), every text valid UTF-8, and with ``cut`` every text cut to
    :data:`ECHO_CHARS`."""
    if isinstance(value, str):
        value = _utf8(value)
        return value[:ECHO_CHARS] + "…" if cut and len(value) > ECHO_CHARS else value
    if isinstance(value, float) and not math.isfinite(value):
        return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    if isinstance(value, dict):
        return {_utf8(str(k)): _strict_json(v, cut) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_strict_json(v, cut) for v in value]
    return value


def _decoded(value: bytes) -> str:
    """Body bytes as text; bytes that are not UTF-8 become U+FFFD."""
    return value.decode("utf-8", errors="replace")


def _echoed(error: dict[str, object]) -> dict[str, object]:
    """One error made strict JSON, its echoed input cut short."""
    out = {k: _strict_json(v, cut=k == "input") for k, v in error.items()}
    if isinstance(out.get("input"), dict | list):
        text = json.dumps(out["input"], ensure_ascii=False)
        if len(text) > ECHO_JSON_CHARS:
            out["input"] = text[:ECHO_CHARS] + "…"
    return out


def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    """FastAPI's usual 422, except that a personal identifier's value is not echoed and any
    echoed input is valid JSON and short (a body with ``NaN``, or not UTF-8, is answered too)."""
    assert isinstance(exc, RequestValidationError)
    errors = with_chinese([_redacted(dict(e)) for e in exc.errors()], request.url.path)
    # A Python validator's exception sits in ``ctx.error``; as JSON it became ``{}``.
    encoded = jsonable_encoder(errors, custom_encoder={bytes: _decoded, Exception: str})
    detail = [_echoed(e) for e in encoded]
    return JSONResponse({"detail": detail}, status_code=status.HTTP_422_UNPROCESSABLE_CONTENT)


#: Why FastAPI could not read a JSON body, by the exception under its bare 400: Chinese for
#: the judges' page, English for ``msg``.
_UNREADABLE_BODY: dict[type[Exception], tuple[str, str]] = {
    UnicodeDecodeError: ("请求体不是 UTF-8 编码的 JSON", "the body is not UTF-8 encoded JSON"),
    RecursionError: ("JSON 嵌套层数过多", "the JSON is nested too deeply"),
}


async def _unreadable_body(request: Request, exc: Exception) -> Response:
    """A JSON body FastAPI could not read (bytes that are not UTF-8, nesting deeper than the
    reader's recursion) as the usual 422 on ``body``, not FastAPI's bare 400; any other HTTP
    error as FastAPI answers it."""
    assert isinstance(exc, HTTPException)
    cause = exc.__cause__
    reason = next((r for kind, r in _UNREADABLE_BODY.items() if isinstance(cause, kind)), None)
    if exc.status_code != status.HTTP_400_BAD_REQUEST or reason is None:
        return await http_exception_handler(request, exc)
    chinese, english = reason
    error = {"type": "json_invalid", "loc": ["body"], "msg": english, "msg_zh": chinese}
    return JSONResponse({"detail": [error]}, status_code=status.HTTP_422_UNPROCESSABLE_CONTENT)


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
    app.add_exception_handler(HTTPException, _unreadable_body)
    app.add_exception_handler(InvalidInputError, _invalid_input)
    app.add_exception_handler(ModelNotFoundError, _model_missing)
    app.add_exception_handler(LedgerWriteError, _ledger_unwritable)
    for missing in (
        InquiryNotFoundError,
        AppraisalTaskNotFoundError,
        SaleNotFoundError,
        KeyNotFoundError,
        JobNotFoundError,
    ):
        app.add_exception_handler(missing, _status_of(status.HTTP_404_NOT_FOUND))
    for conflict in (
        AlreadyDisputedError,
        AlreadySoldError,
        AppraisalStepError,
        CurveModelChangedError,
        InquiryAlteredError,
        InquiryUnreadableError,
    ):
        app.add_exception_handler(conflict, _status_of(status.HTTP_409_CONFLICT))
    app.add_exception_handler(CourtvalError, _domain_error)

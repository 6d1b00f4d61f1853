"""Write every answered request to the inquiry ledger before the answer leaves (else 503).

Inputs and outputs are stored as JSON with personal identifiers replaced by keyed hashes. A
body larger than ``COURTVAL_LEDGER_INLINE_BYTES`` (a bulk triage queue) is stored as its
SHA-256, size and item count: the record still proves exactly what was asked and answered.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Mapping
from typing import Any
from zoneinfo import ZoneInfo

import orjson
from fastapi import Request, Response
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel

from models.court.inquiry import InquiryRecord
from models.schemas import ModelInfo
from models.settings import Settings
from serving.access.auth import Caller, court_store
from serving.court.errors import LedgerWriteError
from serving.court.ledger import append, scrub_identifiers
from serving.court.schemas import LedgerEntryCreate, LedgerEntryPublic
from serving.observability import count_ledger_write
from serving.reports.model import validity_end

logger = logging.getLogger(__name__)

Recordable = BaseModel | Mapping[str, Any] | bytes


def _digest(raw: bytes, items: int | None) -> dict[str, Any]:
    summary: dict[str, Any] = {"sha256": hashlib.sha256(raw).hexdigest(), "bytes": len(raw)}
    if items is not None:
        summary["items"] = items
    return summary


def ledger_value(value: Recordable, limit: int, items: int | None = None) -> dict[str, Any]:
    """``value`` as the ledger keeps it: JSON when at most ``limit`` bytes, else a digest."""
    if isinstance(value, BaseModel):
        value = value.model_dump(mode="json")
    if isinstance(value, bytes):
        if len(value) > limit:
            return _digest(value, items)
        try:
            parsed = orjson.loads(value)
        except orjson.JSONDecodeError:  # JSON Lines, or not JSON
            return _digest(value, items)
        return parsed if isinstance(parsed, dict) else {"body": parsed}
    raw = orjson.dumps(value)
    return _digest(raw, items) if len(raw) > limit else dict(value)


async def record(
    request: Request,
    caller: Caller,
    *,
    inputs: Recordable,
    outputs: Recordable,
    model: ModelInfo | None = None,
    case_number: str | None = None,
    purpose: str | None = None,
    items: int | None = None,
) -> LedgerEntryPublic:
    """Append the answered request to the ledger; :class:`LedgerWriteError` (→ 503) if it fails.

    Args:
        request: The request (its path is the entry's endpoint).
        caller: Who asked.
        inputs: What was asked (a model, a JSON mapping, or the raw body).
        outputs: What is answered.
        model: The model that answered, if any.
        case_number: 案号 the request serves, if any.
        purpose: Why the request was made, if stated.
        items: How many items a bulk body holds (kept with a digest).
    """
    settings: Settings = request.app.state.settings
    court = court_store(request)
    limit = settings.ledger_inline_bytes
    entry = LedgerEntryCreate(
        key_id=caller.key_id,
        user_name=caller.owner,
        role=caller.role,
        case_number=case_number,
        endpoint=request.url.path,
        purpose=purpose,
        inputs=scrub_identifiers(ledger_value(inputs, limit, items), court.identity_key),
        outputs=scrub_identifiers(ledger_value(outputs, limit, items), court.identity_key),
        model_name=model.name if model else None,
        model_version=model.version if model else None,
        run_id=model.run_id if model else None,
        latency_ms=(time.perf_counter() - caller.started) * 1000,
    )
    try:
        written = await run_in_threadpool(append, court.sessions, entry)
    except LedgerWriteError:
        count_ledger_write(request, ok=False)
        raise
    count_ledger_write(request, ok=True)
    return written


def ledger_headers(entry: LedgerEntryPublic) -> dict[str, str]:
    """Response headers naming the ledger entry: ``X-Inquiry-Id``, ``X-Ledger-Hash``."""
    return {"X-Inquiry-Id": str(entry.id), "X-Ledger-Hash": entry.entry_hash}


def stamp(response: Response, entry: LedgerEntryPublic) -> None:
    """Name the ledger entry in ``response``'s headers."""
    response.headers.update(ledger_headers(entry))


def inquiry_record(entry: LedgerEntryPublic, settings: Settings) -> InquiryRecord:
    """The inquiry part of a valuation answer, from its ledger entry."""
    local_day = entry.created_at.astimezone(ZoneInfo(settings.court_timezone)).date()
    return InquiryRecord(
        id=entry.id,
        entry_hash=entry.entry_hash,
        case_number=entry.case_number or "",
        purpose=entry.purpose or "",
        recorded_at=entry.created_at,
        valid_until=validity_end(local_day),
    )

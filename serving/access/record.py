"""Write every answered request to the inquiry ledger before the answer leaves (else 503).

Inputs and outputs are stored as JSON with personal identifiers replaced by keyed hashes. A
body larger than ``COURTVAL_LEDGER_INLINE_BYTES`` (a bulk triage queue) is stored as its
SHA-256, size and item count: the record still proves exactly what was asked and answered.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any, TypedDict, TypeVar
from zoneinfo import ZoneInfo

import orjson
from fastapi import Request, Response
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel
from sqlalchemy.orm import Session
from typing_extensions import Unpack

from models.court.inquiry import InquiryRecord
from models.schemas import ModelInfo
from models.settings import Settings
from serving.access.auth import Caller, court_store
from serving.access.store import CourtStore
from serving.court.errors import LedgerWriteError
from serving.court.ledger import may_hold_identifiers, scrub_identifiers
from serving.court.schemas import LedgerEntryCreate, LedgerEntryPublic
from serving.observability import count_ledger_write
from serving.reports.model import auction_prices, validity_end

logger = logging.getLogger(__name__)

Recordable = BaseModel | Mapping[str, Any] | bytes
T = TypeVar("T")


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


def _recorded(value: Recordable, limit: int, items: int | None, key: bytes) -> dict[str, Any]:
    """:func:`ledger_value` with identifiers scrubbed (the walk skipped when none can occur:
    a body kept as its digest, or one without an identifier's name)."""
    kept = ledger_value(value, limit, items)
    if isinstance(value, bytes) and (len(value) > limit or not may_hold_identifiers(value)):
        return kept
    return scrub_identifiers(kept, key)


class AnswerContext(TypedDict, total=False):
    """What an entry may say besides its inputs and outputs."""

    model: ModelInfo | None
    """The model that answered, if any."""
    case_number: str | None
    """案号 the request serves, if any."""
    purpose: str | None
    """Why the request was made, if stated."""
    items: int | None
    """How many items a bulk body holds (kept with a digest)."""


def ledger_entry(
    court: CourtStore,
    settings: Settings,
    caller: Caller,
    *,
    endpoint: str,
    inputs: Recordable,
    outputs: Recordable,
    **context: Unpack[AnswerContext],
) -> LedgerEntryCreate:
    """The ledger entry of one answered request: identifiers scrubbed, a large body as its
    digest (hashing a bulk body takes a while: call it off the event loop).

    Args:
        court: The court store.
        settings: The server's settings (the inline size limit).
        caller: Who asked.
        endpoint: The path the request came to.
        inputs: What was asked (a model, a JSON mapping, or the raw body).
        outputs: What is answered.
        context: Model, case number, purpose, bulk item count (:class:`AnswerContext`).
    """
    limit, items = settings.ledger_inline_bytes, context.get("items")
    model = context.get("model")
    return LedgerEntryCreate(
        key_id=caller.key_id,
        user_name=caller.owner,
        role=caller.role,
        case_number=context.get("case_number"),
        endpoint=endpoint,
        purpose=context.get("purpose"),
        inputs=_recorded(inputs, limit, items, court.identity_key),
        outputs=_recorded(outputs, limit, items, court.identity_key),
        model_name=model.name if model else None,
        model_version=model.version if model else None,
        run_id=model.run_id if model else None,
        latency_ms=(time.perf_counter() - caller.started) * 1000,
    )


def _entry_of(
    request: Request,
    caller: Caller,
    inputs: Recordable,
    context: AnswerContext,
    endpoint: str | None = None,
) -> Callable[[Recordable], LedgerEntryCreate]:
    """The request's ledger entry given what it answers (:func:`ledger_entry`), filed under
    ``endpoint`` (default: the request's path)."""
    court, settings = court_store(request), request.app.state.settings

    def entry(outputs: Recordable) -> LedgerEntryCreate:
        return ledger_entry(
            court,
            settings,
            caller,
            endpoint=endpoint or request.url.path,
            inputs=inputs,
            outputs=outputs,
            **context,
        )

    return entry


async def _counted(request: Request, writing: Awaitable[T]) -> T:
    """Await a ledger write, counting it in the metrics as written or failed."""
    try:
        done = await writing
    except LedgerWriteError:
        count_ledger_write(request, ok=False)
        raise
    count_ledger_write(request, ok=True)
    return done


async def record(
    request: Request,
    caller: Caller,
    *,
    inputs: Recordable,
    outputs: Recordable,
    endpoint: str | None = None,
    **context: Unpack[AnswerContext],
) -> LedgerEntryPublic:
    """Append the answered request to the ledger; :class:`LedgerWriteError` (→ 503) if it fails.

    Serialising, hashing a bulk body and the write itself run off the event loop, the write
    on the ledger's own thread (:meth:`CourtStore.write`); a raw (bulk) body is prepared in
    the shared worker pool first, so that hashing it never holds up other answers' writes.
    The arguments are those of :func:`ledger_entry`, the endpoint being the request's path
    unless given (what a request answered on the way to its own answer: an inquiry's price
    curve drawn for its report is filed under the curve's endpoint).
    """
    court = court_store(request)
    entry = _entry_of(request, caller, inputs, context, endpoint)
    if isinstance(inputs, bytes) or isinstance(outputs, bytes):
        prepared = await run_in_threadpool(entry, outputs)
        return await _counted(request, court.write(lambda: prepared))
    return await _counted(request, court.write(lambda: entry(outputs)))


async def record_all(
    request: Request,
    caller: Caller,
    answered: Sequence[tuple[Recordable, Recordable]],
    **context: Unpack[AnswerContext],
) -> list[LedgerEntryPublic]:
    """Append one entry per ``(inputs, outputs)`` pair, in order and in one transaction: all
    are recorded, or none (:class:`LedgerWriteError` → 503). The entries are prepared in the
    shared worker pool, so that a large batch's never holds up other answers' writes."""

    def entries() -> list[LedgerEntryCreate]:
        return [
            _entry_of(request, caller, inputs, context)(outputs) for inputs, outputs in answered
        ]

    prepared = await run_in_threadpool(entries)
    return await _counted(request, court_store(request).write_all(lambda: prepared))


async def record_change(
    request: Request,
    caller: Caller,
    change: Callable[[Session], T],
    *,
    inputs: Recordable,
    outputs: Callable[[T], Recordable],
    case_of: Callable[[T], str | None] | None = None,
    **context: Unpack[AnswerContext],
) -> tuple[T, LedgerEntryPublic]:
    """Make a change to the court's records and append its entry in one transaction
    (:meth:`CourtStore.change`): a change the ledger cannot record is not made (503).

    Args:
        request: The request; its path is the entry's endpoint.
        caller: Who asked.
        change: Makes the change in the session it is given, without committing.
        inputs: What was asked.
        outputs: What is answered, from the change's result.
        case_of: The 案号 to file the entry under, from the change's result, when the
            context names none (a sale gives the one its inquiry was made without).
        context: As for :func:`record`.
    """
    entry = _entry_of(request, caller, inputs, context)

    def entry_of(result: T) -> LedgerEntryCreate:
        made = entry(outputs(result))
        if case_of is None or made.case_number is not None:
            return made
        return made.model_copy(update={"case_number": case_of(result)})

    changing = court_store(request).change(change, entry_of)
    return await _counted(request, changing)


def ledger_headers(entry: LedgerEntryPublic) -> dict[str, str]:
    """Response headers naming the ledger entry: ``X-Inquiry-Id``, ``X-Ledger-Hash``."""
    return {"X-Inquiry-Id": str(entry.id), "X-Ledger-Hash": entry.entry_hash}


def stamp(response: Response, entry: LedgerEntryPublic) -> None:
    """Name the ledger entry in ``response``'s headers."""
    response.headers.update(ledger_headers(entry))


def inquiry_record(
    entry: LedgerEntryPublic, settings: Settings, value: float | None = None
) -> InquiryRecord:
    """The inquiry part of a valuation answer, from its ledger entry; with the value, the
    suggested auction starting prices if it served as the reference price."""
    local_day = entry.created_at.astimezone(ZoneInfo(settings.court_timezone)).date()
    auction = auction_prices(value) if value is not None and value > 0 else None
    return InquiryRecord(
        id=entry.id,
        entry_hash=entry.entry_hash,
        case_number=entry.case_number or "",
        purpose=entry.purpose or "",
        recorded_at=entry.created_at,
        valid_until=validity_end(local_day),
        first_auction_start=auction.first_start if auction else None,
        second_auction_start=auction.second_start if auction else None,
    )

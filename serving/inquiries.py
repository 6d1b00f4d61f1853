"""Answering a valuation inquiry (one asset, a batch, or an inquiry batch) and recording it
in the ledger.

Shared by the property and vehicle routers: the model values, the ledger records (or the
request fails with 503), and the answer names its ledger entry. A batch is one entry for the
whole batch; an inquiry batch is one entry per asset, each an inquiry of its own.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from fastapi import Request, Response
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel
from pydantic_core import to_json

from models.court.inquiry import InquiryBatch, InquiryContext
from models.court.repeats import EarlierInquiry, identity
from models.registry import LoadedModel
from models.schemas import BatchRequest
from models.settings import Settings
from serving.access.auth import Caller, court_store, take_more_inquiries
from serving.access.record import inquiry_record, ledger_headers, record, record_all, stamp
from serving.batch import (
    answer_options,
    check_item_count,
    parse_batch,
    parse_body,
    paused_gc,
    value_parsed_batch,
)
from serving.court.objections import ASSET_REQUESTS
from serving.court.repeats import read_earlier_inquiries
from serving.court.schemas import LedgerEntryPublic

V = TypeVar("V", bound=BaseModel)
IB = TypeVar("IB", bound=InquiryBatch[Any])
#: Items valued one by one (about 1 ms each, with the ledger entry) per progress report.
PROGRESS_STEP = 50


async def answer_inquiry(
    inquiry: InquiryContext,
    loaded: LoadedModel,
    settings: Settings,
    caller: Caller,
    request: Request,
) -> Response:
    """Value one asset, record the inquiry and answer the valuation with its ``inquiry``.

    The answer is encoded here, in Rust, by the valuation's own model: FastAPI's response
    handling (the model to plain values, then ``json.dumps``) took 101 µs of a property
    answer's 2.7 kB against 12 µs (2026-12-04); the route still declares the model for the
    documentation."""
    valuation: BaseModel = loaded.model.value(inquiry, loaded.info, answer_options(settings))
    entry = await record(
        request,
        caller,
        inputs=inquiry,
        outputs=valuation,
        model=loaded.info,
        case_number=inquiry.case_number,
        purpose=inquiry.purpose,
    )
    (earlier,) = await _earlier(request, inquiry.case_number, [(entry.id, inquiry)])
    answer = _with_record(valuation, entry, settings, earlier)
    return Response(to_json(answer), media_type="application/json", headers=ledger_headers(entry))


def _with_record(
    valuation: V,
    entry: LedgerEntryPublic,
    settings: Settings,
    earlier: list[EarlierInquiry] | None = None,
) -> V:
    """The valuation answered with its ``inquiry`` (the ledger entry that records it), and the
    earlier inquiries of the same asset in the case."""
    value = getattr(valuation, "value", None)
    record = inquiry_record(entry, settings, value)
    if earlier:
        record = record.model_copy(update={"earlier": earlier})
    return valuation.model_copy(update={"inquiry": record})


async def _earlier(
    request: Request, case_number: str, answered: Sequence[tuple[int, BaseModel]]
) -> list[list[EarlierInquiry]]:
    """For each recorded inquiry ``(its ledger entry id, its request)``, the earlier
    still-valid ones of the same asset in the case (a ledger read only when an inquiry names
    its asset: a certificate, address, plate or VIN)."""
    kind = next(k for k, schema in ASSET_REQUESTS.items() if isinstance(answered[0][1], schema))
    if not any(identity(kind, item.__dict__) for _, item in answered):  # no dump for nothing
        return [[] for _ in answered]
    asked = [(entry_id, item.model_dump(mode="json")) for entry_id, item in answered]

    sessions = court_store(request).sessions
    return await run_in_threadpool(read_earlier_inquiries, sessions, kind, case_number, asked)


async def answer_inquiry_batch(
    schema: type[BatchRequest[Any]],
    request: Request,
    loaded: LoadedModel,
    settings: Settings,
    caller: Caller,
) -> Response:
    """Parse and value a batch body of ``schema`` (an :class:`InquiryContext` too), record it."""
    body = await request.body()
    batch = await run_in_threadpool(parse_batch, schema, body, settings)
    answer = await run_in_threadpool(value_parsed_batch, batch, loaded, settings)
    assert isinstance(batch, InquiryContext)
    entry = await record(
        request,
        caller,
        inputs=body,
        outputs=answer,
        model=loaded.info,
        case_number=batch.case_number,
        purpose=batch.purpose,
        items=len(batch.items),
    )
    response = Response(answer, media_type="application/json")
    stamp(response, entry)
    return response


def value_each(
    loaded: LoadedModel,
    items: Sequence[BaseModel],
    settings: Settings,
    progress: Callable[[int], None] | None = None,
) -> list[BaseModel]:
    """Each item's single-inquiry answer (the full output contract), in order; ``progress``
    hears the count done every :data:`PROGRESS_STEP` items."""
    options, answers = answer_options(settings), []
    for item in items:
        answers.append(loaded.model.value(item, loaded.info, options))
        if progress is not None and len(answers) % PROGRESS_STEP == 0:
            progress(len(answers))
    return answers


def item_inputs(
    context: InquiryContext, items: Sequence[BaseModel], **also: Any
) -> list[dict[str, Any]]:
    """The ledger inputs of each item of a batch valued as inquiries of their own: the item's
    inquiry as a single inquiry records it (case, purpose, facts), its 1-based
    ``batch_position``, and ``also`` (a file's name and digest)."""
    case = context.model_dump(mode="json")
    return [
        {**case, **item.model_dump(mode="json"), **also, "batch_position": position}
        for position, item in enumerate(items, start=1)
    ]


def _parse_inquiry_batch(schema: type[IB], body: bytes, settings: Settings) -> IB:
    with paused_gc():
        batch = parse_body(schema, body)
    check_item_count(len(batch.items), settings.inquiry_batch_limit)
    return batch


async def answer_inquiry_batch_separately(
    schema: type[IB],
    request: Request,
    loaded: LoadedModel,
    settings: Settings,
    caller: Caller,
) -> Response:
    """Value each asset of an inquiry batch of ``schema`` as an inquiry of its own, with the
    single inquiry's full answer, and record each in a ledger entry of its own.

    The entries are appended in one transaction, in the items' order (all or none: 503). Each
    item beyond the first also counts against the caller's day quota, all or none (429, with
    nothing valued or recorded), so that a day's count matches its ledger entries. Each entry's
    inputs are the item's inquiry as a single inquiry records it, with its 1-based
    ``batch_position``.
    """
    body = await request.body()
    batch = await run_in_threadpool(_parse_inquiry_batch, schema, body, settings)
    take_more_inquiries(request, caller, len(batch.items) - 1)
    valuations = await run_in_threadpool(value_each, loaded, batch.items, settings)
    context = InquiryContext(case_number=batch.case_number, purpose=batch.purpose)
    answered = list(zip(item_inputs(context, batch.items), valuations, strict=True))
    entries = await record_all(
        request,
        caller,
        answered,
        model=loaded.info,
        case_number=batch.case_number,
        purpose=batch.purpose,
    )
    recorded = [(entry.id, item) for entry, item in zip(entries, batch.items, strict=True)]
    earlier = await _earlier(request, batch.case_number, recorded)
    items = [
        _with_record(valuation, entry, settings, before)
        for valuation, entry, before in zip(valuations, entries, earlier, strict=True)
    ]
    # The route declares the kind's InquiryBatchAnswer; each item encodes as its own model.
    answer = await run_in_threadpool(to_json, {"items": items})
    return Response(answer, media_type="application/json")

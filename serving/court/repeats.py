"""Earlier inquiries of the same asset in the same case, read from the ledger (what counts as
the same asset, and the changed facts: :mod:`models.court.repeats`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.court.repeats import MAX_EARLIER, EarlierInquiry, fact_changes, identity, matched_on
from serving.court.objections import ASSET_REQUESTS, VALUATION_KINDS, entry_tasks, inquiry_date
from serving.court.sales import entry_sales
from serving.court.tables import LedgerEntryRow
from serving.reports.model import validity_end

#: Days before today that a still-valid inquiry can have been made (a year, and a leap day).
_VALID_DAYS = 367


def earlier_inquiries(
    session: Session,
    kind: str,
    case_number: str,
    asked: Sequence[tuple[int, Mapping[str, Any]]],
    today: dt.date,
) -> list[list[EarlierInquiry]]:
    """For each inquiry ``(entry id, recorded inputs)`` of ``kind`` in ``case_number``, the
    earlier ones (smaller ids: an inquiry batch's earlier items too) of the same asset whose
    result is still valid on ``today``, newest first, at most :data:`MAX_EARLIER`. One query
    for them all; none when no inquiry gave an identifying field."""
    keys = [identity(kind, facts) for _, facts in asked]
    if not any(keys):
        return [[] for _ in asked]
    endpoints = sorted(e for e, k in VALUATION_KINDS.items() if k == kind)
    since = dt.datetime.combine(today - dt.timedelta(days=_VALID_DAYS), dt.time(), dt.UTC)
    rows = session.scalars(
        select(LedgerEntryRow)
        .where(
            LedgerEntryRow.case_number == case_number,
            LedgerEntryRow.endpoint.in_(endpoints),
            LedgerEntryRow.id < max(entry_id for entry_id, _ in asked),
            LedgerEntryRow.created_at >= since,
        )
        .order_by(LedgerEntryRow.id.desc())
    ).all()
    valid = [row for row in rows if validity_end(inquiry_date(row)) >= today]
    ids = [row.id for row in valid]
    tasks, sales = entry_tasks(session, ids), entry_sales(session, ids)
    fields = list(ASSET_REQUESTS[kind].model_fields)
    found = []
    for (entry_id, facts), key in zip(asked, keys, strict=True):
        mine: list[EarlierInquiry] = []
        for row in valid:
            inputs = row.inputs if isinstance(row.inputs, dict) else {}
            same = matched_on(kind, key, inputs) if key and row.id < entry_id else []
            if not same:
                continue
            task, sale = tasks.get(row.id), sales.get(row.id)
            mine.append(
                EarlierInquiry(
                    id=row.id,
                    inquired_on=inquiry_date(row),
                    value=_value(row.outputs),
                    valid_until=validity_end(inquiry_date(row)),
                    disputed=task is not None and task.disputes,
                    matched_on=same,
                    changes=fact_changes(kind, inputs, facts, fields),
                    sold_on=sale.sold_on if sale else None,
                    sale_price=float(sale.price) if sale else None,
                    sale_round=sale.round.value if sale else None,
                )
            )
            if len(mine) == MAX_EARLIER:
                break
        found.append(mine)
    return found


def _value(outputs: Any) -> float | None:
    value = outputs.get("value") if isinstance(outputs, dict) else None
    return float(value) if isinstance(value, int | float) else None


def earlier_of_entry(session: Session, entry: LedgerEntryRow) -> list[EarlierInquiry]:
    """What a recorded inquiry's report names: the earlier inquiries of the same asset in its
    case that were still valid on the day it was made."""
    if entry.case_number is None or not isinstance(entry.inputs, dict):
        return []
    kind = VALUATION_KINDS[entry.endpoint]
    asked = [(entry.id, entry.inputs)]
    (found,) = earlier_inquiries(session, kind, entry.case_number, asked, inquiry_date(entry))
    return found

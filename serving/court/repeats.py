"""Earlier inquiries of the same asset in the same case, read from the ledger (what counts as
the same asset, and the changed facts: :mod:`models.court.repeats`)."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, defer, sessionmaker

from models.asset_identity import describe_asset
from models.clock import CHINA_TZ, china_today
from models.court.repeats import (
    MAX_EARLIER,
    EarlierInquiry,
    RepeatedAsset,
    RepeatedAssetPage,
    RepeatedInquiry,
    address_written,
    changed_labels,
    fact_changes,
    identity,
    matched_on,
)
from serving.court.objections import (
    ASSET_REQUESTS,
    VALUATION_KINDS,
    entry_tasks,
    inquiry_date,
    output_value,
)
from serving.court.sales import entry_sales
from serving.court.tables import LedgerEntryRow
from serving.reports.model import validity_end

logger = logging.getLogger(__name__)

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
    of the case for them all, two more (objections, sales) only when one matches; none when no
    inquiry gave an identifying field."""
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
        .options(defer(LedgerEntryRow.outputs))  # answers with comparables: matches' only
    ).all()
    valid = [row for row in rows if validity_end(inquiry_date(row)) >= today]
    matches: list[list[tuple[LedgerEntryRow, list[str]]]] = []
    for (entry_id, _), key in zip(asked, keys, strict=True):
        mine = []
        for row in valid:
            inputs = row.inputs if isinstance(row.inputs, dict) else {}
            same = matched_on(kind, key, inputs) if key and row.id < entry_id else []
            if same:
                mine.append((row, same))
        matches.append(mine[:MAX_EARLIER])
    ids = {row.id for mine in matches for row, _ in mine}
    if not ids:  # a case's first inquiry of the asset: no further reads
        return [[] for _ in asked]
    tasks, sales = entry_tasks(session, ids), entry_sales(session, list(ids))
    answers = select(LedgerEntryRow.id, LedgerEntryRow.outputs).where(LedgerEntryRow.id.in_(ids))
    values = {entry_id: output_value(outputs) for entry_id, outputs in session.execute(answers)}
    fields = list(ASSET_REQUESTS[kind].model_fields)
    found = []
    for (_, facts), mine in zip(asked, matches, strict=True):
        earlier = []
        for row, same in mine:
            task, sale = tasks.get(row.id), sales.get(row.id)
            inputs = row.inputs if isinstance(row.inputs, dict) else {}
            earlier.append(
                EarlierInquiry(
                    id=row.id,
                    inquired_on=inquiry_date(row),
                    value=values.get(row.id),
                    valid_until=validity_end(inquiry_date(row)),
                    disputed=task is not None and task.disputes,
                    matched_on=same,
                    address_written=address_written(inputs, facts),
                    changes=fact_changes(kind, inputs, facts, fields),
                    sold_on=sale.sold_on if sale else None,
                    sale_price=float(sale.price) if sale else None,
                    sale_round=sale.round.value if sale else None,
                )
            )
        found.append(earlier)
    return found


def read_earlier_inquiries(
    sessions: sessionmaker[Session],
    kind: str,
    case_number: str,
    asked: Sequence[tuple[int, Mapping[str, Any]]],
) -> list[list[EarlierInquiry]]:
    """:func:`earlier_inquiries` on today, in a session of its own, once the inquiries are
    recorded: a read that fails leaves them without (logged), as the answers stand and their
    reports read them again."""
    try:
        with sessions() as session:
            return earlier_inquiries(session, kind, case_number, asked, china_today())
    except SQLAlchemyError:
        logger.warning("earlier inquiries of case %s not read", case_number, exc_info=True)
        return [[] for _ in asked]


def earlier_of_entry(session: Session, entry: LedgerEntryRow) -> list[EarlierInquiry]:
    """What a recorded inquiry's report names: the earlier inquiries of the same asset in its
    case that were still valid on the day it was made."""
    if entry.case_number is None or not isinstance(entry.inputs, dict):
        return []
    kind = VALUATION_KINDS[entry.endpoint]
    asked = [(entry.id, entry.inputs)]
    (found,) = earlier_inquiries(session, kind, entry.case_number, asked, inquiry_date(entry))
    return found


def repeated_assets(
    session: Session,
    since: dt.date,
    *,
    changed_only: bool = False,
    limit: int = 100,
    offset: int = 0,
) -> RepeatedAssetPage:
    """The assets inquired about more than once in one case since ``since`` (China's day),
    for the auditor; with ``changed_only``, only those whose inquiries gave different facts.

    Inquiries are the same asset when they share any identifier (an address given once and a
    certificate number given with it later join both): the groups are the connected
    components of "shares an identifier", within one case and kind.
    """
    start = dt.datetime.combine(since, dt.time(), CHINA_TZ)
    # The inputs of every inquiry first (a few hundred bytes each), then the whole entries
    # (answers with their comparables, kilobytes each) of the repeated ones only.
    heads = session.execute(
        select(
            LedgerEntryRow.id,
            LedgerEntryRow.endpoint,
            LedgerEntryRow.case_number,
            LedgerEntryRow.inputs,
        )
        .where(
            LedgerEntryRow.endpoint.in_(sorted(VALUATION_KINDS)),
            LedgerEntryRow.case_number.is_not(None),
            LedgerEntryRow.created_at >= start,
        )
        .order_by(LedgerEntryRow.id)
    ).all()
    linked = _same_assets([tuple(head) for head in heads])
    wanted = [entry_id for group in linked for entry_id in group]
    entries = {
        row.id: row
        for row in session.scalars(select(LedgerEntryRow).where(LedgerEntryRow.id.in_(wanted)))
    }
    groups = [[entries[entry_id] for entry_id in group] for group in linked]
    tasks = entry_tasks(session, [row.id for group in groups for row in group])
    assets = []
    for group in groups:
        kind = VALUATION_KINDS[group[0].endpoint]
        inputs = [row.inputs for row in group]
        changed = changed_labels(kind, inputs, list(ASSET_REQUESTS[kind].model_fields))
        if changed_only and not changed:
            continue
        answered = [output_value(row.outputs) for row in group]
        values = [v for v in answered if v is not None and v > 0]
        assets.append(
            RepeatedAsset(
                kind=kind,
                case_number=str(group[0].case_number),
                asset=describe_asset(kind, inputs[-1]),
                inquiries=[
                    RepeatedInquiry(
                        id=row.id,
                        inquired_on=inquiry_date(row),
                        judge=row.user_name,
                        value=value,
                        disputed=(task := tasks.get(row.id)) is not None and task.disputes,
                    )
                    for row, value in zip(group, answered, strict=True)
                ],
                changed=changed,
                value_spread=max(values) / min(values) - 1 if len(values) > 1 else None,
            )
        )
    assets.sort(key=lambda a: a.inquiries[-1].id, reverse=True)
    return RepeatedAssetPage(items=assets[offset : offset + limit], total=len(assets), since=since)


def _same_assets(heads: Sequence[tuple[int, str, str, Any]]) -> list[list[int]]:
    """The groups of two or more inquiries ``(id, endpoint, case number, inputs)``, oldest
    first in each, of one case and kind linked by shared identifiers: their ids."""
    parent: dict[int, int] = {}

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    owner: dict[tuple[str, str, str, str], int] = {}
    for i, (_, endpoint, case_number, inputs) in enumerate(heads):
        parent[i] = i
        kind = VALUATION_KINDS[endpoint]
        facts = inputs if isinstance(inputs, dict) else {}
        for field, key in identity(kind, facts).items():
            shared = (kind, case_number, field, key)
            if shared in owner:
                parent[root(i)] = root(owner[shared])
            else:
                owner[shared] = i
    members: dict[int, list[int]] = {}
    for i, head in enumerate(heads):
        members.setdefault(root(i), []).append(head[0])
    return [sorted(group) for group in members.values() if len(group) > 1]

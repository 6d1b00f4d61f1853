"""Recording what inquired assets sold for, and the ratio study of the inquiries against them.

One sale per inquiry (:class:`~serving.court.tables.SaleRow`): the inquiry's value and interval
are copied beside the price when the sale is recorded, so the study reads one table. See
:mod:`models.court.sales` for the rules and :func:`models.metrics.valuation_metrics` for the
statistics.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Collection
from decimal import Decimal
from typing import NamedTuple

import pandas as pd
from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from models.court.sales import (
    SALE_KINDS,
    RatioStudy,
    SaleCorrection,
    SalePublic,
    SaleReport,
    SaleRound,
    check_sale,
)
from models.metrics import valuation_metrics
from models.property.schemas import PropertyRequest
from models.vehicle.schemas import VehicleRequest
from serving.court.db import begin_write
from serving.court.errors import AlreadySoldError, SaleNotFoundError
from serving.court.objections import (
    PROPERTY_VALUATION_ENDPOINT,
    answered_interval,
    answered_value,
    inquiry_date,
    valuation_entry,
)
from serving.court.schemas import ApiKeyPublic, as_utc
from serving.court.tables import LedgerEntryRow, SaleRow

logger = logging.getLogger(__name__)


def sale_public(row: SaleRow) -> SalePublic:
    """The public view of a recorded sale."""
    lower, upper, price = row.lower, row.upper, float(row.price)
    inside = None if lower is None or upper is None else bool(lower <= price <= upper)
    return SalePublic(
        inquiry_id=row.ledger_entry_id,
        kind=row.kind,
        case_number=row.case_number,
        inquired_on=row.inquired_on,
        estimate=row.estimate,
        lower=lower,
        upper=upper,
        price=row.price,
        sold_on=row.sold_on,
        round=SaleRound(row.round),
        note=row.note,
        ratio=row.estimate / price,
        within_interval=inside,
        recorded_at=as_utc(row.recorded_at),
    )


def _sale_of(session: Session, entry_id: int) -> SaleRow | None:
    return session.scalar(select(SaleRow).where(SaleRow.ledger_entry_id == entry_id))


def record_sale(
    session: Session,
    entry_id: int,
    report: SaleReport,
    *,
    key: ApiKeyPublic,
    today: dt.date,
    now: dt.datetime | None = None,
) -> SalePublic:
    """Record what inquiry ``entry_id``'s asset sold for; flushed, not committed (the caller
    commits it with its ledger entry).

    Raises:
        InquiryNotFoundError: no valuation inquiry has that id (404).
        AlreadySoldError: its sale is recorded already (409).
        InvalidInputError: the sale's day is before the inquiry or in the future (422).
    """
    begin_write(session)
    entry = valuation_entry(session, entry_id)
    existing = _sale_of(session, entry_id)
    if existing is not None:
        raise AlreadySoldError(entry_id, existing.sold_on, existing.price)
    inquired_on = inquiry_date(entry)
    check_sale(report, inquired_on=inquired_on, today=today)
    estimate, (lower, upper) = float(answered_value(entry)), answered_interval(entry)
    row = SaleRow(
        ledger_entry_id=entry_id,
        kind="property" if entry.endpoint == PROPERTY_VALUATION_ENDPOINT else "vehicle",
        case_number=entry.case_number,
        inquired_on=inquired_on,
        estimate=estimate,
        lower=lower,
        upper=upper,
        price=report.price,
        sold_on=report.sold_on,
        round=report.round.value,
        note=report.note,
        recorded_by_key_id=key.id,
        recorded_at=as_utc(now) if now is not None else dt.datetime.now(dt.UTC),
    )
    session.add(row)
    try:
        session.flush()
    except IntegrityError as exc:  # another record of the sale won the race (PostgreSQL)
        session.rollback()
        winner = _sale_of(session, entry_id)
        if winner is None:
            raise
        raise AlreadySoldError(entry_id, winner.sold_on, winner.price) from exc
    logger.info("inquiry %d: sold for %s on %s (%s)", entry_id, row.price, row.sold_on, row.round)
    return sale_public(row)


class EntrySale(NamedTuple):
    """An inquiry's recorded sale, as its list shows it."""

    price: Decimal
    sold_on: dt.date


def entry_sales(session: Session, entry_ids: Collection[int]) -> dict[int, EntrySale]:
    """The recorded sales of these inquiries, by inquiry id (those without one left out)."""
    if not entry_ids:
        return {}
    rows = session.execute(
        select(SaleRow.ledger_entry_id, SaleRow.price, SaleRow.sold_on).where(
            SaleRow.ledger_entry_id.in_(entry_ids)
        )
    )
    return {row.ledger_entry_id: EntrySale(row.price, row.sold_on) for row in rows}


#: The request schema of each kind of inquiry: its fields are the training table's.
_REQUESTS: dict[str, type[BaseModel]] = dict(
    zip(SALE_KINDS, (PropertyRequest, VehicleRequest), strict=True)
)
#: Beside the request's fields: what the sale adds for a data scientist (never a feature).
SALE_COLUMNS = ("transaction_id", "transaction_date", "price", "sale_round", "inquiry_id")


def sales_table(session: Session, kind: str) -> pd.DataFrame:
    """The recorded sales of ``kind`` as a training table in the generator's columns
    (``data/README.md``): the asset's facts as the inquiry's ledger entry holds them, the sale
    day as ``transaction_date`` and its price as ``price``; and, for the data scientist, the
    ``transaction_id`` (``S`` + the inquiry id), ``sale_round`` (auction prices run below
    market prices, the more so after a failed auction) and ``inquiry_id``. Oldest sale first.
    """
    schema = _REQUESTS[kind]
    facts = [name for name in schema.model_fields if name != "valuation_date"]
    rows = session.execute(
        select(SaleRow, LedgerEntryRow.inputs)
        .join(LedgerEntryRow, LedgerEntryRow.id == SaleRow.ledger_entry_id)
        .where(SaleRow.kind == kind)
        .order_by(SaleRow.sold_on, SaleRow.id)
    ).all()
    records = []
    for sale, inputs in rows:
        known = inputs if isinstance(inputs, dict) else {}
        records.append(
            {
                **{name: known.get(name) for name in facts},
                "transaction_id": f"S{sale.ledger_entry_id:08d}",
                "transaction_date": pd.Timestamp(sale.sold_on),
                "price": float(sale.price),
                "sale_round": sale.round,
                "inquiry_id": sale.ledger_entry_id,
            }
        )
    return pd.DataFrame.from_records(records, columns=[*facts, *SALE_COLUMNS])


def correct_sale(
    session: Session, entry_id: int, correction: SaleCorrection, *, today: dt.date
) -> SalePublic:
    """Replace the recorded sale of inquiry ``entry_id`` with ``correction`` (its reason goes to
    the ledger entry of the change, which keeps what it replaced); flushed, not committed.

    Raises:
        InquiryNotFoundError: no valuation inquiry has that id (404).
        SaleNotFoundError: it has no recorded sale (404).
        InvalidInputError: the corrected day is before the inquiry or in the future (422).
    """
    begin_write(session)
    valuation_entry(session, entry_id)
    row = _sale_of(session, entry_id)
    if row is None:
        raise SaleNotFoundError(entry_id)
    check_sale(correction, inquired_on=row.inquired_on, today=today)
    replaced = sale_public(row)
    row.price, row.sold_on = correction.price, correction.sold_on
    row.round, row.note = correction.round.value, correction.note
    session.flush()
    logger.info(
        "inquiry %d: sale corrected from %s on %s to %s on %s (%s)",
        entry_id,
        replaced.price,
        replaced.sold_on,
        row.price,
        row.sold_on,
        correction.reason,
    )
    return sale_public(row)


def ratio_study(
    session: Session,
    *,
    kind: str | None = None,
    sold_from: dt.date | None = None,
    sold_until: dt.date | None = None,
) -> RatioStudy:
    """The inquiries' accuracy against the sales recorded (of ``kind``, sold in the period)."""
    conditions = []
    if kind is not None:
        conditions.append(SaleRow.kind == kind)
    if sold_from is not None:
        conditions.append(SaleRow.sold_on >= sold_from)
    if sold_until is not None:
        conditions.append(SaleRow.sold_on <= sold_until)
    rows = session.execute(
        select(SaleRow.estimate, SaleRow.price, SaleRow.lower, SaleRow.upper).where(*conditions)
    ).all()
    metrics = None
    if rows:
        bounded = all(r.lower is not None and r.upper is not None for r in rows)
        metrics = valuation_metrics(
            [float(r.price) for r in rows],
            [r.estimate for r in rows],
            lower=[r.lower for r in rows] if bounded else None,
            upper=[r.upper for r in rows] if bounded else None,
        )
    return RatioStudy(
        kind=kind, sold_from=sold_from, sold_until=sold_until, n=len(rows), metrics=metrics
    )

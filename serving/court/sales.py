"""Recording what inquired assets sold for, and the ratio study of the inquiries against them.

One sale per inquiry (:class:`~serving.court.tables.SaleRow`): the inquiry's value and interval
are copied beside the price when the sale is recorded, so the study reads one table. See
:mod:`models.court.sales` for the rules and :func:`models.metrics.valuation_metrics` for the
statistics.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Collection, Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from models.asset_identity import IDENTITY_FIELDS
from models.court.reference_price import ReferencePrice
from models.court.sales import (
    FeeAttribution,
    FeeStudy,
    RatioStudy,
    RoundRatio,
    SaleCorrection,
    SalePublic,
    SaleReport,
    SaleRound,
    attribute_fee,
    check_sale,
    median_interval,
    sale_case_number,
)
from models.metrics import valuation_metrics
from serving.court.db import begin_write
from serving.court.errors import AlreadySoldError, SaleNotFoundError
from serving.court.objections import (
    ASSET_REQUESTS,
    VALUATION_KINDS,
    answered_interval,
    answered_value,
    inquiry_date,
    valuation_entry,
)
from serving.court.reference import PLATFORM_NAME, REFERENCE_PRICE_ENDPOINT
from serving.court.schemas import ApiKeyPublic, as_utc
from serving.court.tables import LedgerEntryRow, SaleRow

logger = logging.getLogger(__name__)


#: Case numbers per query when the reference prices of many sales are read.
_CASES_PER_QUERY = 500


def _cited(inputs: Any) -> set[int]:
    """The inquiry ids a reference price's recorded request cites."""
    results = inputs.get("results") if isinstance(inputs, dict) else None
    if not isinstance(results, list):
        return set()
    return {r["inquiry_id"] for r in results if isinstance(r, dict) and "inquiry_id" in r}


def _citing_references(
    session: Session, case_numbers: Iterable[str]
) -> dict[int, list[tuple[int, ReferencePrice]]]:
    """The reference prices recorded under these cases, by the inquiry ids they cite; newest
    first."""
    cited: defaultdict[int, list[tuple[int, ReferencePrice]]] = defaultdict(list)
    ordered = sorted(set(case_numbers))
    for start in range(0, len(ordered), _CASES_PER_QUERY):
        cases = ordered[start : start + _CASES_PER_QUERY]
        rows = session.execute(
            select(LedgerEntryRow.id, LedgerEntryRow.inputs, LedgerEntryRow.outputs)
            .where(
                LedgerEntryRow.endpoint == REFERENCE_PRICE_ENDPOINT,
                LedgerEntryRow.case_number.in_(cases),
            )
            .order_by(LedgerEntryRow.id.desc())
        )
        for row in rows:
            inquiry_ids = _cited(row.inputs)
            if not inquiry_ids:
                continue
            try:
                price = ReferencePrice.model_validate(row.outputs)
            except ValidationError:
                logger.warning("ledger entry %d: not a reference price; left out", row.id)
                continue
            for inquiry_id in inquiry_ids:
                cited[inquiry_id].append((row.id, price))
    return cited


def fee_attributions(session: Session, sales: Sequence[SaleRow]) -> dict[int, FeeAttribution]:
    """Art. 31 for each of ``sales`` whose inquiry a reference price computed here cites, by
    inquiry id: the latest such reference price decided on or before the sale day, its results
    against the sale price."""
    cited = _citing_references(session, (s.case_number for s in sales if s.case_number))
    attributions = {}
    for sale in sales:
        for reference_id, price in cited.get(sale.ledger_entry_id, ()):
            if price.decision_date <= sale.sold_on:
                attributions[sale.ledger_entry_id] = attribute_fee(
                    price.used,
                    sale.price,
                    ours=PLATFORM_NAME,
                    reference_id=reference_id,
                    decided_on=price.decision_date,
                )
                break
    return attributions


def sale_public(row: SaleRow, fee: FeeAttribution | None = None) -> SalePublic:
    """The public view of a recorded sale (with its Art. 31 attribution, when known)."""
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
        fee=fee,
    )


def _with_fee(session: Session, row: SaleRow) -> SalePublic:
    return sale_public(row, fee_attributions(session, [row]).get(row.ledger_entry_id))


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
    case_number = sale_case_number(report, entry.case_number)
    estimate, (lower, upper) = float(answered_value(entry)), answered_interval(entry)
    row = SaleRow(
        ledger_entry_id=entry_id,
        kind=VALUATION_KINDS[entry.endpoint],
        case_number=case_number,
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
    return _with_fee(session, row)


def entry_sales(session: Session, entry_ids: Collection[int]) -> dict[int, SalePublic]:
    """The recorded sales of these inquiries with their Art. 31 attributions, by inquiry id
    (those without a sale left out)."""
    if not entry_ids:
        return {}
    rows = session.scalars(select(SaleRow).where(SaleRow.ledger_entry_id.in_(entry_ids))).all()
    fees = fee_attributions(session, rows)
    return {row.ledger_entry_id: sale_public(row, fees.get(row.ledger_entry_id)) for row in rows}


#: Beside the request's fields: what the sale adds for a data scientist (never a feature).
SALE_COLUMNS = ("transaction_id", "transaction_date", "price", "sale_round", "inquiry_id")


def sales_table(session: Session, kind: str) -> pd.DataFrame:
    """The recorded sales of ``kind`` as a training table in the generator's columns
    (``data/README.md``): the asset's facts as the inquiry's ledger entry holds them, the sale
    day as ``transaction_date`` and its price as ``price`` (not what identifies the asset: its
    坐落, certificate, plate or VIN); and, for the data scientist, the
    ``transaction_id`` (``S`` + the inquiry id), ``sale_round`` (auction prices run below
    market prices, the more so after a failed auction) and ``inquiry_id``. Oldest sale first.
    """
    schema = ASSET_REQUESTS[kind]
    facts = [
        name
        for name in schema.model_fields
        if name != "valuation_date" and name not in IDENTITY_FIELDS
    ]
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
    entry = valuation_entry(session, entry_id)
    row = _sale_of(session, entry_id)
    if row is None:
        raise SaleNotFoundError(entry_id)
    check_sale(correction, inquired_on=row.inquired_on, today=today)
    if correction.case_number is not None:  # else the 案号 stays as recorded
        row.case_number = sale_case_number(correction, entry.case_number)
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
    return _with_fee(session, row)


def _round_ratios(rows: Sequence[SaleRow], ratios: Sequence[float]) -> list[RoundRatio]:
    """The median of ``ratios`` (one per row) per kind of sale."""
    by_round: defaultdict[str, list[float]] = defaultdict(list)
    for row, ratio in zip(rows, ratios, strict=True):
        by_round[row.round].append(ratio)
    return [
        RoundRatio(round=kind, n=len(by_round[kind]), median_ratio=float(np.median(by_round[kind])))
        for kind in SaleRound
        if by_round[kind]
    ]


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
    rows = session.scalars(select(SaleRow).where(*conditions)).all()
    metrics = None
    if rows:
        lower = [r.lower for r in rows if r.lower is not None]
        upper = [r.upper for r in rows if r.upper is not None]
        bounded = len(lower) == len(upper) == len(rows)
        metrics = valuation_metrics(
            [float(r.price) for r in rows],
            [r.estimate for r in rows],
            lower=lower if bounded else None,
            upper=upper if bounded else None,
        )
    fees = fee_attributions(session, rows).values()
    ours = sum(fee.ours_closest for fee in fees)
    ratios = [r.estimate / float(r.price) for r in rows]
    return RatioStudy(
        kind=kind,
        sold_from=sold_from,
        sold_until=sold_until,
        n=len(rows),
        median_ratio=float(np.median(ratios)) if ratios else None,
        median_ratio_ci95=median_interval(ratios),
        metrics=metrics,
        rounds=_round_ratios(rows, ratios),
        fee=FeeStudy(
            with_reference=len(fees),
            ours_closest=ours,
            ours_closest_share=ours / len(fees) if fees else None,
        ),
    )

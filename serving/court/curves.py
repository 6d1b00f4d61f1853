"""The price curve drawn for an inquiry, as the ledger holds it.

An inquiry's curve is drawn once, by the model that answered the inquiry, and recorded as its
own ledger entry at ``/v1/inquiries/{id}/price-curve`` (or ``.svg``); the web page, the report
and a later request all read that entry back, so the curve a report shows is the one first
handed out, whatever model is served by then.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.orm import Session

from serving.court.chain import row_hash
from serving.court.tables import LedgerEntryRow

#: The endpoint an inquiry's curve is recorded at; ``.svg`` after it for the chart.
INQUIRY_CURVE_ENDPOINT = "/v1/inquiries/{id}/price-curve"
SVG_SUFFIX = ".svg"
#: The key of a reading's outputs: the entry that drew the curve it handed out again.
READING_KEY = "drawn_in"
#: A SQL ``LIKE`` pattern matching every inquiry's curve endpoints (the quota seed skips them).
INQUIRY_CURVE_LIKE = INQUIRY_CURVE_ENDPOINT.format(id="%") + "%"


def inquiry_curve_endpoints(entry_id: int) -> tuple[str, str]:
    """The two endpoints an inquiry's curve may have been recorded at (data, chart)."""
    data = INQUIRY_CURVE_ENDPOINT.format(id=entry_id)
    return data, data + SVG_SUFFIX


def recorded_curves(session: Session, entries: list[LedgerEntryRow]) -> dict[int, LedgerEntryRow]:
    """The first unaltered entry that drew a curve for each of ``entries`` that has one, by
    the inquiry's id; the same judge and case as the inquiry. Readings of a curve (recorded at
    the same endpoints, their outputs naming the drawing, :data:`READING_KEY`) are not drawings:
    when the drawing was altered by hand, the next request draws anew instead of finding one."""
    wanted = {path: entry for entry in entries for path in inquiry_curve_endpoints(entry.id)}
    if not wanted:
        return {}
    cases = {entry.case_number for entry in entries}
    # By case first: the case number is indexed, the endpoint is not.
    in_cases: ColumnElement[bool] = LedgerEntryRow.case_number.in_(
        [case for case in cases if case is not None]
    )
    if None in cases:  # an entry from before a case number was required
        in_cases = or_(in_cases, LedgerEntryRow.case_number.is_(None))
    rows = session.scalars(
        select(LedgerEntryRow)
        .where(in_cases, LedgerEntryRow.endpoint.in_(wanted))
        .order_by(LedgerEntryRow.id)
    )
    found: dict[int, LedgerEntryRow] = {}
    for row in rows:
        inquiry = wanted[row.endpoint]
        same = row.user_name == inquiry.user_name and row.case_number == inquiry.case_number
        reading = isinstance(row.outputs, dict) and READING_KEY in row.outputs
        if same and not reading and inquiry.id not in found and row_hash(row) == row.entry_hash:
            found[inquiry.id] = row
    return found

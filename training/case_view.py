"""Enforcement case records as the court saw them on a given day: no stage from the future.

Training on a time split needs the records as they stood on the split date, or the model
learns from stages and outcomes that had not happened yet. ``cases_as_of`` takes the cases as
recorded on their ``observed_until`` and rolls them back to an earlier day.
"""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd

from models.capacity.features import SEARCHES
from models.triage.columns import STAGE_COLUMNS
from models.triage.vocabulary import CaseOutcome

logger = logging.getLogger(__name__)

__all__ = ["cases_as_of", "hide_unknown_findings"]

_SEARCH_FIELDS: tuple[str, ...] = tuple(c for fields in SEARCHES.values() for c in fields)
_EVENTS: tuple[str, ...] = tuple(c for c in STAGE_COLUMNS if c != "seizure_expires_at")


def hide_unknown_findings(view: pd.DataFrame, day: pd.Timestamp | pd.Series) -> pd.DataFrame:
    """``view`` with what was not yet known on ``day`` (one day, or one per row) left out: the
    "5" search values before ``searches_at``; the neighbourhood visit before the second
    investigation or the 终本 proposal."""
    known = view.copy()
    searched = known["searches_at"].le(day)
    for column in _SEARCH_FIELDS:
        known[column] = known[column].where(searched)
    visited = known["second_search_at"].le(day) | known["termination_proposed_at"].le(day)
    known["neighbourhood_checked"] = known["neighbourhood_checked"].where(visited)
    return known


def cases_as_of(frame: pd.DataFrame, when: pd.Timestamp) -> pd.DataFrame:
    """The case records as the court would have seen them at the end of the day ``when``.

    - Cases filed after ``when`` are left out.
    - Every stage date after ``when`` becomes ``NaT``. ``seizure_expires_at`` is a deadline,
      known once the measure is taken: it is kept while ``seized_at`` is, even if later.
    - The "5" search values are unknown (``NaN``/``NA``) until ``searches_at``; the
      neighbourhood visit (``neighbourhood_checked``) is made at the second investigation or
      before proposing 终本, so it is ``NA`` until one of them has happened.
    - A case closed after ``when`` is open: ``outcome`` 未结, ``days_to_close`` NaN.
    - ``recovered_amount`` counts what had reached the court by ``when``: the whole recovered
      amount if ``money_received_at`` is on or before ``when``, else 0. A record holds one
      receipt date, so money that came in several parts is counted in full from the first —
      an approximation for the open cases only (a closed case's receipts are all in).
    - ``paid_within_6m`` holds only if the case had closed by ``when``.
    - ``observed_until`` becomes ``when``.

    Args:
        frame: Case records with the columns of ``training.generate.cases.COLUMN_DTYPES``.
        when: The day to look from; a time of day is ignored.

    Returns:
        A new frame, same columns and dtypes, rows in the same order.
    """
    when = pd.Timestamp(when).normalize()
    view = frame.loc[(frame["filed_at"] <= when).to_numpy()].reset_index(drop=True)
    for column in _EVENTS:
        view[column] = view[column].where(view[column] <= when)
    view["seizure_expires_at"] = view["seizure_expires_at"].where(view["seized_at"].notna())
    view = hide_unknown_findings(view, when)
    closed = view["closed_at"].notna()
    view["outcome"] = view["outcome"].where(closed, CaseOutcome.OPEN.value)
    days = (view["closed_at"] - view["filed_at"]) / pd.Timedelta(days=1)
    view["days_to_close"] = days.astype(np.float64)
    received = view["money_received_at"].notna()
    view["recovered_amount"] = view["recovered_amount"].where(received, 0.0)
    view["paid_within_6m"] = view["paid_within_6m"] & closed
    view["observed_until"] = pd.Series(when, index=view.index, dtype="datetime64[ns]")
    logger.debug("Cases as of %s: %d of %d rows", when.date(), len(view), len(frame))
    return view.astype(frame.dtypes.to_dict())

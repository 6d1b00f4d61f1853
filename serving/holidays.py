"""Reading the court's holiday file (``COURTVAL_HOLIDAY_FILE``) for the working-day calendar,
at start-up and again on a reload, and settling the dates it makes exact.

The rules of the file live in :mod:`models.court.calendar`, which does no I/O; this reads it.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from models.court import (
    YearArrangement,
    covered_years,
    parse_holiday_notice,
    supplement_calendar,
    supplemented_years,
)
from models.errors import DataError
from serving.court.objections import SettledTask, settle_provisional_tasks

logger = logging.getLogger(__name__)


def read_holiday_file(path: Path | None) -> dict[int, YearArrangement]:
    """The years of the holiday file at ``path`` (none without one).

    Raises:
        DataError: the file cannot be read, or an entry is bad (the message names it).
    """
    if path is None:
        return {}
    try:
        content = path.read_bytes()
    except OSError as exc:
        raise DataError(f"{path}: cannot read the holiday file ({exc.strerror})") from exc
    return parse_holiday_notice(content, str(path))


class CalendarReload(BaseModel):
    """What a reload did to the working-day calendar and to the dates that waited for it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    holiday_file: str | None = Field(description="COURTVAL_HOLIDAY_FILE, if set.")
    outcome: Literal["read", "kept", "none"] = Field(
        description="read: the file was read afresh; kept: it could not be, the calendar stays "
        "as it was (``reason``); none: no holiday file is set."
    )
    file_years: list[int] = Field(description="The years the holiday file now supplies.")
    known_through: int = Field(description="The last year the calendar knows.")
    reason: str | None = None
    settled: list[SettledTask] = Field(
        description="Appraisal tasks whose provisional dates became exact on this reload."
    )


def refresh_calendar(path: Path | None, session: Session) -> CalendarReload:
    """Read the holiday file at ``path`` again and use its years (a bad file leaves the
    calendar as it was), then settle, in ``session`` (a writer's, not committed here), the
    appraisal tasks whose provisional dates the calendar now covers
    (:func:`serving.court.objections.settle_provisional_tasks`)."""
    outcome: Literal["read", "kept", "none"] = "none" if path is None else "read"
    reason = None
    try:
        years = read_holiday_file(path)
    except DataError as exc:
        outcome, reason = "kept", str(exc)
        logger.warning("reload: the holiday file is kept as it was: %s", exc)
    else:
        supplement_calendar(years)
    settled = settle_provisional_tasks(session)
    return CalendarReload(
        holiday_file=str(path) if path is not None else None,
        outcome=outcome,
        file_years=list(supplemented_years()),
        known_through=covered_years()[-1],
        reason=reason,
        settled=settled,
    )

"""Reading the court's holiday file (``COURTVAL_HOLIDAY_FILE``) for the working-day calendar.

The rules of the file live in :mod:`models.court.calendar`, which does no I/O; this reads it.
"""

from __future__ import annotations

from pathlib import Path

from models.court import YearArrangement, parse_holiday_notice
from models.errors import DataError


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

"""The government's base-price file (``COURTVAL_GUIDE_PRICE_FILE``), read when the app is built
and again whenever the file changes, so a court replaces the year's table without a restart.

A file that cannot be read when the app is built is an error before anything is served; one
replaced later by a bad copy leaves the last good table in use, with a warning in the log.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from models.errors import DataError
from models.property.guide_prices import GuidePriceTable, read_guide_prices

logger = logging.getLogger(__name__)

#: (size, modification time) of the file a table was read from.
_Stamp = tuple[int, int]

_lock = threading.Lock()
_tables: dict[Path, tuple[_Stamp, GuidePriceTable]] = {}


def _stamp(path: Path) -> _Stamp | None:
    try:
        stat = path.stat()
    except OSError:
        return None
    return stat.st_size, stat.st_mtime_ns


def load_guide_prices(path: Path | None) -> GuidePriceTable | None:
    """The table at ``path`` (``None`` without one), read afresh.

    Raises:
        DataError: the file cannot be read, or a cell is bad (the message names it).
    """
    if path is None:
        return None
    stamp = _stamp(path)
    table = read_guide_prices(path)
    with _lock:
        if stamp is not None:
            _tables[path] = (stamp, table)
    logger.info("guide prices: %d rows from %s", len(table), path.name)
    return table


def guide_prices(path: Path | None) -> GuidePriceTable | None:
    """The table at ``path`` as the file now is (re-read when it changed; the last good one
    when the new copy is bad or gone)."""
    if path is None:
        return None
    with _lock:
        known = _tables.get(path)
    stamp = _stamp(path)
    if known is not None and (stamp is None or stamp == known[0]):
        return known[1]
    try:
        return load_guide_prices(path)
    except DataError as exc:
        if known is None:
            raise
        logger.warning("the guide price file is kept as it was: %s", exc)
        with _lock:  # do not read the bad copy again on every answer
            _tables[path] = (stamp or known[0], known[1])
        return known[1]

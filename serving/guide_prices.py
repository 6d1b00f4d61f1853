"""The government's base-price file (``COURTVAL_GUIDE_PRICE_FILE``), read when the app is built
and again (in the background) whenever the file changes, so a court replaces the year's table
without a restart.

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
#: The background read of each changed file, while it runs.
_refreshing: dict[Path, threading.Thread] = {}


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


def guide_prices(path: Path | None, *, wait: bool = False) -> GuidePriceTable | None:
    """The table at ``path`` (``None`` without one); the last good one when a new copy is bad
    or gone.

    A changed file is read in a background thread while answers go on with the table in use:
    a city's table of 100,000 rows takes a second or two to read, and the answers run on the
    server's event loop, where that second would hold every judge's request. With ``wait``
    (or before any table was read) the change is read before returning.
    """
    if path is None:
        return None
    with _lock:
        known = _tables.get(path)
    stamp = _stamp(path)
    if known is not None and (stamp is None or stamp == known[0]):
        return known[1]
    if known is None or wait:
        return _refresh(path, known, stamp)
    with _lock:
        running = _refreshing.get(path)
        if running is None or not running.is_alive():
            thread = threading.Thread(
                target=_refresh, args=(path, known, stamp), name="guide-prices", daemon=True
            )
            _refreshing[path] = thread
            thread.start()
    return known[1]


def _refresh(
    path: Path, known: tuple[_Stamp, GuidePriceTable] | None, stamp: _Stamp | None
) -> GuidePriceTable:
    """Read the changed file; keep ``known`` (and stop reading the copy) when it is bad."""
    try:
        table = load_guide_prices(path)
    except DataError as exc:
        if known is None:
            raise
        logger.warning("the guide price file is kept as it was: %s", exc)
        with _lock:  # do not read the bad copy again on every answer
            _tables[path] = (stamp or known[0], known[1])
        return known[1]
    assert table is not None  # a path was given
    return table

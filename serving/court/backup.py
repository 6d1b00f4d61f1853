"""A copy of the court store made while the server runs, checked before it is called a backup.

The store holds what a court must keep for years (the ledger of every inquiry, the keys it
names, the appraisal tasks). On SQLite (the default) :func:`backup_store` copies it with
SQLite's online backup, a consistent snapshot taken beside the running writer (WAL readers do
not block it); the copy is one self-contained file (no ``-wal`` beside it), written under a
temporary name, synced, and renamed only when complete. Its hash chain is then walked on the
copy itself, and the report names the copy's head (``ID:HASH``) to publish like any other.
PostgreSQL is backed up with its own tools (``pg_dump``); ``courtval ledger verify`` checks a
restored copy.
"""

from __future__ import annotations

import logging
import os
import sqlite3
from contextlib import closing
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.engine import make_url

from models.errors import DataError
from serving.court.admin import format_verify
from serving.court.chain import verify
from serving.court.db import SQLITE_BUSY_TIMEOUT_S, make_engine, session_factory
from serving.court.schemas import VerifyResult

logger = logging.getLogger(__name__)


class BackupReport(BaseModel):
    """Where the copy is, how large, and whether its chain holds."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    path: Path
    size_bytes: int = Field(ge=0)
    ledger: VerifyResult = Field(description="The chain walked on the copy.")


def _source_path(database_url: str) -> Path:
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite":
        raise DataError(
            f"the court store is on {url.get_backend_name()}: back it up with the database's "
            "own tools (pg_dump for PostgreSQL); `courtval ledger verify` checks a restored copy"
        )
    if not url.database or not Path(url.database).is_file():
        raise DataError(f"there is no court store at {url.database!r} to back up")
    return Path(url.database)


def _copy(source: Path, partial: Path) -> None:
    """SQLite's online backup of ``source`` into ``partial``, as a rollback-journal file."""
    with (
        closing(sqlite3.connect(source, timeout=SQLITE_BUSY_TIMEOUT_S)) as reader,
        closing(sqlite3.connect(partial)) as copy,
    ):
        reader.backup(copy)
        copy.execute("PRAGMA journal_mode=DELETE")  # one file: no -wal, no -shm beside it
    with open(partial, "rb") as written:
        os.fsync(written.fileno())


def backup_store(database_url: str, destination: Path) -> BackupReport:
    """Copy the SQLite court store at ``database_url`` to ``destination`` and verify the copy.

    Raises:
        DataError: the store is not SQLite, does not exist, or ``destination`` exists already
            (a backup never overwrites a file) or cannot be written.
    """
    source = _source_path(database_url)
    destination = destination.expanduser().resolve()
    if destination.exists():
        raise DataError(f"{destination} exists: a backup never overwrites a file")
    partial = destination.with_name(destination.name + ".partial")
    try:
        destination.parent.mkdir(parents=True, exist_ok=True)
        partial.unlink(missing_ok=True)
        _copy(source, partial)
        os.replace(partial, destination)
    except (OSError, sqlite3.Error) as exc:
        partial.unlink(missing_ok=True)
        raise DataError(f"{destination}: the backup failed ({exc})") from exc
    engine = make_engine(f"sqlite:///file:{destination}?mode=ro&uri=true")
    try:
        with session_factory(engine)() as session:
            ledger = verify(session)
    finally:
        engine.dispose()
    logger.info("backed up the court store to %s (%d entries)", destination, ledger.last_id)
    return BackupReport(path=destination, size_bytes=destination.stat().st_size, ledger=ledger)


def format_backup(report: BackupReport) -> str:
    """What ``courtval ledger backup`` prints: the copy, then its chain as ``ledger verify``
    prints it."""
    return f"backup {report.path} ({report.size_bytes:,} bytes)\n{format_verify(report.ledger)}"

"""Backups of the SQLite court store: consistent while appends go on, one file, verified."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from models.errors import DataError
from serving.court import (
    ApiKeyCreate,
    ApiKeyPublic,
    Role,
    append,
    create_key,
    make_engine,
    upgrade,
)
from serving.court.backup import backup_store, format_backup
from serving.court.db import session_factory
from serving.court.tables import LedgerEntryRow
from tests.court.test_store import inquiry


@pytest.fixture
def store(tmp_path: Path) -> tuple[str, Engine]:
    """A migrated SQLite court store; its URL and engine."""
    url = f"sqlite:///{tmp_path / 'court.db'}"
    engine = make_engine(url)
    upgrade(engine)
    return url, engine


def _hashes(engine: Engine) -> list[str]:
    with session_factory(engine)() as session:
        return list(session.scalars(select(LedgerEntryRow.entry_hash).order_by(LedgerEntryRow.id)))


def _entries(engine: Engine, count: int) -> ApiKeyPublic:
    """A judge's key and ``count`` of their inquiries in the ledger; the key."""
    with session_factory(engine)() as session:
        judge = create_key(session, ApiKeyCreate(owner="张法官", role=Role.JUDGE)).key
    for n in range(count):
        append(engine, inquiry(judge, n))
    return judge


def test_a_backup_taken_during_appends_is_a_consistent_verified_copy(
    store: tuple[str, Engine], tmp_path: Path
) -> None:
    url, engine = store
    judge = _entries(engine, 50)
    go = threading.Event()

    def appender() -> None:
        go.set()
        for n in range(50, 250):
            append(engine, inquiry(judge, n))

    writer = threading.Thread(target=appender)
    writer.start()
    go.wait()
    try:
        report = backup_store(url, tmp_path / "archive" / "court-copy.db")
    finally:
        writer.join(timeout=120)
    assert report.ledger.ok and 50 <= report.ledger.entries_checked <= 250
    copy = make_engine(f"sqlite:///{report.path}")
    try:  # the copy is the source's chain up to the moment of the snapshot
        copied = _hashes(copy)
    finally:
        copy.dispose()
    assert copied == _hashes(engine)[: len(copied)]
    assert report.ledger.last_hash == copied[-1]
    assert sorted(p.name for p in report.path.parent.iterdir()) == ["court-copy.db"]
    assert report.size_bytes == report.path.stat().st_size
    assert f"ledger OK: {len(copied)} entries; head {len(copied)}:{copied[-1]}" in (
        format_backup(report)
    )
    engine.dispose()


def test_a_backup_never_overwrites_and_names_what_it_cannot_do(
    store: tuple[str, Engine], tmp_path: Path
) -> None:
    url, engine = store
    engine.dispose()
    existing = tmp_path / "kept.db"
    existing.write_bytes(b"an earlier backup")
    with pytest.raises(DataError, match="never overwrites"):
        backup_store(url, existing)
    assert existing.read_bytes() == b"an earlier backup"
    with pytest.raises(DataError, match="never overwrites"):
        backup_store(url, tmp_path / "court.db")  # the store itself
    with pytest.raises(DataError, match="pg_dump"):
        backup_store("postgresql+psycopg://court@127.0.0.1:5432/court", tmp_path / "x.db")
    with pytest.raises(DataError, match="no court store"):
        backup_store(f"sqlite:///{tmp_path / 'missing.db'}", tmp_path / "y.db")
    assert not (tmp_path / "x.db").exists() and not (tmp_path / "y.db").exists()


def test_a_copy_of_an_altered_store_reports_the_break(
    store: tuple[str, Engine], tmp_path: Path
) -> None:
    """The backup copies what is there; the walk on the copy says the chain is broken."""
    url, engine = store
    _entries(engine, 3)
    with engine.begin() as connection:
        connection.exec_driver_sql("UPDATE ledger_entries SET purpose = '改' WHERE id = 2")
    engine.dispose()
    report = backup_store(url, tmp_path / "copy.db")
    assert not report.ledger.ok and report.ledger.first_broken_id == 2
    assert "ledger BROKEN at entry 2" in format_backup(report)

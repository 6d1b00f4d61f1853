"""The court store on SQLite and on a real PostgreSQL server: migrations and the ledger."""

from __future__ import annotations

import datetime as dt
import threading
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect, select, text
from sqlalchemy.orm import Session, sessionmaker

from serving.court import (
    GENESIS_HASH,
    ApiKeyCreate,
    ApiKeyPublic,
    BreakReason,
    LedgerEntryCreate,
    LedgerWriteError,
    Role,
    UnscrubbedIdentifierError,
    append,
    create_key,
    make_engine,
    query,
    scrub_identifiers,
    upgrade,
    verify,
)
from serving.court.chain import row_hash
from serving.court.db import VERSION_TABLE, head_revision
from serving.court.ledger import append_all, may_hold_identifiers
from serving.court.schemas import LedgerAnchor
from serving.court.tables import Base, LedgerEntryRow, LedgerHeadRow

ID_NUMBER = "11010519491231002X"  # a valid resident identity number (GB 11643 example)
HASH_KEY = b"test-identity-key"
CASE = "（2024）浙1081执1234号"


def inquiry(key: ApiKeyPublic, n: int = 0, **changes: object) -> LedgerEntryCreate:
    """A valuation answer as the API would log it."""
    entry = LedgerEntryCreate(
        key_id=key.id,
        user_name=key.owner,
        role=key.role,
        case_number=CASE,
        endpoint="/v1/property/valuation",
        purpose="网络询价",
        inputs={"address": "温岭市太平街道1号", "area_m2": 40.5 + n},
        outputs={"value": 270_000.0 + n, "interval": [250_000.0, 290_000.0]},
        model_name="courtval-property",
        model_version="3",
        run_id="abc123",
        latency_ms=12.5,
    )
    return entry.model_copy(update=changes)


def test_upgrade_creates_the_schema_and_is_idempotent(engine: Engine) -> None:
    assert upgrade(engine) == head_revision()
    assert upgrade(engine) == head_revision()
    tables = set(inspect(engine).get_table_names())
    assert {"api_keys", "ledger_entries", "ledger_head", "appraisal_tasks", VERSION_TABLE} <= tables


def test_upgrade_by_url(database_url: str) -> None:
    assert upgrade(database_url) == head_revision()


def test_migrated_schema_matches_the_tables(sessions: sessionmaker[Session]) -> None:
    with sessions() as session:
        options = {"version_table": VERSION_TABLE, "compare_type": True}
        context = MigrationContext.configure(session.connection(), opts=options)
        assert compare_metadata(context, Base.metadata) == []


def test_appended_entries_form_a_valid_chain(
    session: Session, engine: Engine, judge: ApiKeyPublic
) -> None:
    entries = [append(engine, inquiry(judge, n)) for n in range(3)]
    assert [e.id for e in entries] == [1, 2, 3]
    assert entries[0].prev_hash == GENESIS_HASH
    assert [e.prev_hash for e in entries[1:]] == [e.entry_hash for e in entries[:-1]]
    result = verify(session)
    assert result.ok and result.entries_checked == 3 and result.last_hash == entries[-1].entry_hash


def test_entries_appended_together_are_chained_in_order_or_not_at_all(
    session: Session, engine: Engine, judge: ApiKeyPublic
) -> None:
    first = append(engine, inquiry(judge))
    together = append_all(engine, [inquiry(judge, n) for n in range(1, 4)])
    assert [e.id for e in together] == [2, 3, 4]
    assert [e.inputs["area_m2"] for e in together] == [41.5, 42.5, 43.5]
    assert [e.prev_hash for e in together] == [
        first.entry_hash,
        *(e.entry_hash for e in together[:2]),
    ]
    # one bad entry (a clear identity number) refuses the whole batch before anything is written
    bad = inquiry(judge, 9, inputs={"debtor_id_number": ID_NUMBER})
    with pytest.raises(UnscrubbedIdentifierError):
        append_all(engine, [inquiry(judge, 5), bad])
    result = verify(session)
    assert result.ok and result.last_id == 4 and result.last_hash == together[-1].entry_hash


def test_awkward_values_survive_the_round_trip(
    session: Session, engine: Engine, judge: ApiKeyPublic
) -> None:
    values = {"big": 1e300, "tiny": 1e-7, "sum": 0.1 + 0.2, "neg0": -0.0, "int": 2**62}
    append(engine, inquiry(judge, inputs={"值": values, "空": None, "list": [1, 1.0, "一"]}))
    assert verify(session).ok
    assert query(session).items[0].inputs["值"] == values


def test_sqlite_commits_are_durable(tmp_path: Path) -> None:
    """WAL for readers beside the writer, and every commit synced (synchronous=FULL)."""
    engine = make_engine(f"sqlite:///{tmp_path / 'court.db'}")
    try:
        with engine.connect() as connection:
            pragma = connection.exec_driver_sql
            assert pragma("PRAGMA journal_mode").scalar() == "wal"
            assert pragma("PRAGMA synchronous").scalar() == 2  # FULL
        with engine.raw_connection() as raw:  # the ledger's driver path uses pooled ones too
            assert raw.driver_connection.execute("PRAGMA synchronous").fetchone() == (2,)
    finally:
        engine.dispose()


def test_sqlite_driver_path_writes_the_core_statements_rows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On SQLite appends skip SQLAlchemy's execution layer; the stored rows must be those the
    Core statements write, to the byte (times, JSON text, floats, nulls)."""
    moment = dt.datetime(2024, 5, 1, 16, 30, 0, 1234, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    awkward = {"值": {"tiny": 1e-7, "neg0": -0.0, "int": 2**62}, "空": None, "列": [1, 1.0, "一"]}

    def stored(name: str) -> list[tuple[object, ...]]:
        url = f"sqlite:///{tmp_path / name}"
        engine = make_engine(url)
        upgrade(engine)
        with sessionmaker(engine)() as session:
            key = create_key(session, ApiKeyCreate(owner="法官甲", role=Role.JUDGE)).key
        for n, inputs in enumerate([awkward, {"面积": 40.5}]):
            append(engine, inquiry(key, n, inputs=inputs, purpose=None), now=moment)
        with engine.connect() as connection:
            rows = connection.exec_driver_sql("SELECT * FROM ledger_entries ORDER BY id")
            return [tuple(row) for row in rows] + [
                tuple(connection.exec_driver_sql("SELECT * FROM ledger_head").one())
            ]

    driver = stored("driver.db")
    monkeypatch.setattr("serving.court.ledger.DRIVER_DIALECTS", frozenset())
    assert stored("core.db") == driver
    assert driver[0][1] == "2024-05-01 08:30:00.001234"


def test_empty_ledger_verifies(session: Session) -> None:
    result = verify(session)
    assert result.ok and result.last_id == 0 and result.last_hash == GENESIS_HASH


@pytest.mark.parametrize(
    ("tamper", "broken", "reason"),
    [
        ("UPDATE ledger_entries SET outputs = '{\"value\": 1}' WHERE id = 3", 3, "hash_mismatch"),
        ("UPDATE ledger_entries SET user_name = '某人' WHERE id = 2", 2, "hash_mismatch"),
        (f"UPDATE ledger_entries SET entry_hash = '{'f' * 64}' WHERE id = 4", 4, "hash_mismatch"),
        ("DELETE FROM ledger_entries WHERE id = 2", 2, "missing"),
        ("DELETE FROM ledger_entries WHERE id = 5", 5, "missing"),
        ("UPDATE ledger_entries SET latency_ms = 0 WHERE id = 1", 1, "hash_mismatch"),
    ],
)
def test_verify_names_the_first_broken_entry(
    session: Session,
    sessions: sessionmaker[Session],
    judge: ApiKeyPublic,
    engine: Engine,
    tamper: str,
    broken: int,
    reason: str,
) -> None:
    for n in range(5):
        append(engine, inquiry(judge, n))
    with engine.begin() as connection:
        connection.execute(text(tamper))
    result = verify(session)
    assert not result.ok
    assert (result.first_broken_id, result.reason) == (broken, BreakReason(reason))
    assert result.entries_checked == broken - 1


def test_verify_notices_a_rewritten_head(
    session: Session, sessions: sessionmaker[Session], judge: ApiKeyPublic, engine: Engine
) -> None:
    for n in range(3):
        append(engine, inquiry(judge, n))
    with engine.begin() as connection:
        connection.execute(text("UPDATE ledger_head SET last_id = 2"))
    result = verify(session)
    assert (result.ok, result.first_broken_id, result.reason) == (
        False,
        3,
        BreakReason.HEAD_MISMATCH,
    )


def _rewrite_from(session: Session, first: int) -> None:
    """What a database administrator could do: change entry ``first`` and re-hash the chain
    from it on, head row included, so that the walk alone finds nothing."""
    prev = session.get(LedgerEntryRow, first - 1)
    prev_hash = prev.entry_hash if prev is not None else GENESIS_HASH
    rows = session.scalars(
        select(LedgerEntryRow).where(LedgerEntryRow.id >= first).order_by(LedgerEntryRow.id)
    ).all()
    rows[0].user_name = "某人"
    for row in rows:
        row.prev_hash = prev_hash
        row.entry_hash = prev_hash = row_hash(row)
    head = session.get(LedgerHeadRow, 1)
    assert head is not None
    head.last_hash = prev_hash
    session.commit()


def test_published_heads_find_a_rewrite_of_the_whole_chain(
    session: Session, judge: ApiKeyPublic, engine: Engine
) -> None:
    entries = [append(engine, inquiry(judge, n)) for n in range(5)]
    second, fourth = (LedgerAnchor(id=e.id, hash=e.entry_hash) for e in (entries[1], entries[3]))
    _rewrite_from(session, 3)
    assert verify(session).ok  # the walk alone cannot tell
    kept = verify(session, [second])
    assert (kept.ok, kept.anchors_checked) == (True, 1)  # entries before the rewrite still match
    result = verify(session, [second, fourth])
    assert (result.ok, result.first_broken_id, result.reason) == (
        False,
        4,
        BreakReason.ANCHOR_MISMATCH,
    )
    assert "rewritten from this entry or an earlier one" in (result.detail or "")
    beyond = verify(session, [LedgerAnchor(id=9, hash=entries[0].entry_hash)])
    assert (beyond.first_broken_id, beyond.reason) == (6, BreakReason.MISSING)


@pytest.mark.parametrize("text", ["3", "3:abc", "0:" + "a" * 64, "3:" + "A" * 64, "x:" + "a" * 64])
def test_an_anchor_is_an_id_and_a_hash(text: str) -> None:
    with pytest.raises(ValueError, match="is not ID:HASH"):
        LedgerAnchor.parse(text)
    assert LedgerAnchor.parse(" 3:" + "a" * 64 + "\n") == LedgerAnchor(id=3, hash="a" * 64)


def test_concurrent_appends_keep_one_chain(
    sessions: sessionmaker[Session], judge: ApiKeyPublic, engine: Engine
) -> None:
    errors: list[BaseException] = []

    def writer(worker: int) -> None:
        try:
            for n in range(25):
                append(engine, inquiry(judge, 100 * worker + n))
        except BaseException as exc:  # surfaced by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(w,)) for w in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    with sessions() as session:
        result = verify(session)
        assert result.ok and result.entries_checked == 100 and result.last_id == 100


def test_identifiers_are_stored_only_as_keyed_hashes(
    session: Session,
    sessions: sessionmaker[Session],
    judge: ApiKeyPublic,
    engine: Engine,
    database_url: str,
) -> None:
    raw = {"debtor_id_number": ID_NUMBER, "debtors": [{"debtor_id_number": ID_NUMBER}]}
    inputs = scrub_identifiers(raw, HASH_KEY)
    assert scrub_identifiers(inputs, HASH_KEY) == inputs
    assert inputs["debtor_id_number"] == inputs["debtors"][0]["debtor_id_number"]
    append(engine, inquiry(judge, inputs=inputs, outputs={"echo": inputs}))
    session.close()
    with engine.connect() as connection:
        rows = str(connection.execute(text("SELECT * FROM ledger_entries")).all())
    assert inputs["debtor_id_number"] in rows and ID_NUMBER not in rows
    if database_url.startswith("sqlite"):
        engine.dispose()
        database = Path(engine.url.database or "")
        files = list(database.parent.glob(database.name + "*"))  # with -wal, -shm if present
        assert database in files
        assert all(ID_NUMBER.encode() not in f.read_bytes() for f in files)


def test_clear_identifiers_are_refused(
    session: Session, engine: Engine, judge: ApiKeyPublic
) -> None:
    with pytest.raises(UnscrubbedIdentifierError, match="debtor_id_number"):
        append(engine, inquiry(judge, inputs={"items": [{"debtor_id_number": ID_NUMBER}]}))
    assert verify(session).last_id == 0


def test_dropped_table_is_a_ledger_write_error(
    sessions: sessionmaker[Session], judge: ApiKeyPublic, engine: Engine
) -> None:
    append(engine, inquiry(judge))
    with engine.begin() as connection:
        connection.execute(text("DROP TABLE appraisal_tasks"))  # they refer to the ledger
        connection.execute(text("DROP TABLE auction_sales"))
        connection.execute(text("DROP TABLE ledger_entries"))
    with pytest.raises(LedgerWriteError, match="no answer may be given"):
        append(engine, inquiry(judge, 1))


def _read_only(url: str) -> str:
    if url.startswith("sqlite"):
        return f"sqlite:///file:{url.removeprefix('sqlite:///')}?mode=ro&uri=true"
    return url + "?options=-c%20default_transaction_read_only%3Don"


def test_unwritable_database_is_a_ledger_write_error(
    sessions: sessionmaker[Session], judge: ApiKeyPublic, database_url: str
) -> None:
    engine = make_engine(_read_only(database_url))
    try:
        with pytest.raises(LedgerWriteError):
            append(engine, inquiry(judge))
    finally:
        engine.dispose()
    with sessions() as session:
        assert verify(session).last_id == 0


def test_query_filters_by_user_case_and_time(
    session: Session, engine: Engine, judge: ApiKeyPublic
) -> None:
    start = dt.datetime(2024, 5, 1, 8, tzinfo=dt.UTC)
    other = create_key(session, ApiKeyCreate(owner="赵法官", role=Role.JUDGE)).key
    for n in range(6):
        key = judge if n % 2 == 0 else other
        case = CASE if n < 3 else "(2024)浙1081执99号"
        append(engine, inquiry(key, n, case_number=case), now=start + dt.timedelta(hours=n))
    assert [e.id for e in query(session, user="张法官").items] == [1, 3, 5]
    assert [e.id for e in query(session, case_number=CASE).items] == [1, 2, 3]
    hour = dt.timedelta(hours=1)
    window = query(session, since=start + hour, until=start + 3 * hour)
    assert [e.id for e in window.items] == [2, 3]
    page = query(session, user="张法官", limit=2, offset=1)
    assert ([e.id for e in page.items], page.total) == ([3, 5], 3)
    assert query(session).items[0].created_at == start


def test_keys_holding_identity_numbers_are_hashed_and_others_kept(
    session: Session, engine: Engine, judge: ApiKeyPublic
) -> None:
    raw = {"debtor_id": ID_NUMBER, "creditor_id": "C-1", "items": [{"debtor_id": "D-9"}]}
    inputs = scrub_identifiers(raw, HASH_KEY)
    assert inputs["debtor_id"].startswith("hmac-sha256:")
    assert (inputs["creditor_id"], inputs["items"]) == ("C-1", [{"debtor_id": "D-9"}])
    append(engine, inquiry(judge, inputs=inputs))
    with pytest.raises(UnscrubbedIdentifierError, match="creditor_id"):
        append(engine, inquiry(judge, 2, inputs={"cases": [{"creditor_id": ID_NUMBER}]}))
    assert verify(session).last_id == 1


@pytest.mark.parametrize(
    ("text", "walked"),
    [
        ('{"cases": [{"debtor_id": "D-9", "creditor_id": "C-1"}]}', False),  # opaque keys
        ('{"registered_capital": 1, "seizure_expires_at": null}', False),  # 18-letter names
        (f'{{"cases": [{{"debtor_id": "{ID_NUMBER}"}}]}}', True),
        (f'{{"creditor_id" : "{ID_NUMBER.lower()}"}}', True),  # spaced, lower-case x
        ('{"debtor_id_number" : null}', True),
        (  # typed in full-width digits: 54 bytes in UTF-8
            '{"debtor_id": "' + "".join(chr(ord(c) + 0xFEE0) for c in ID_NUMBER) + '"}',
            True,
        ),
    ],
)
def test_only_a_body_that_may_hold_an_identifier_is_walked(text: str, walked: bool) -> None:
    assert may_hold_identifiers(text) is walked
    assert may_hold_identifiers(text.encode()) is walked  # a request's raw body, not decoded

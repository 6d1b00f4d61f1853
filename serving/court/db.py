"""Engine, sessions and migrations of the court store.

SQLite by default (a file under the settings' ``home``), PostgreSQL by URL
(``postgresql+psycopg://user@host:port/db``). The schema is created and upgraded only by the
Alembic revisions in ``migrations/`` through :func:`upgrade`; no ``alembic.ini`` is needed.

On SQLite the database runs in WAL mode (readers never block the writer) and a transaction that
will write begins ``IMMEDIATE`` (:func:`begin_write` for a session, :func:`writing` for a plain
connection): it takes the write lock when it begins, so two writers never read the same ledger
head, and a transaction that read first cannot be refused when it then writes (SQLite answers
``SQLITE_BUSY`` at once there, without waiting). Writes on SQLite are one at a time; use
PostgreSQL for many writers.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from serving.court.chain import store_json

logger = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
#: Own version table, so the court store can share a database with MLflow's (``alembic_version``).
VERSION_TABLE = "court_alembic_version"
#: Seconds a SQLite connection waits for the write lock before giving up.
SQLITE_BUSY_TIMEOUT_S = 30.0
#: Execution option that makes a SQLite transaction begin IMMEDIATE (ignored elsewhere).
WRITE_OPTION = "court_begin_write"


def default_database_url(home: Path) -> str:
    """``sqlite:///<home>/court.db``: the default when no database URL is configured."""
    return f"sqlite:///{(home / 'court.db').resolve()}"


def _sqlite_transactions(engine: Engine) -> None:
    """Let SQLAlchemy, not the sqlite3 module, begin transactions: IMMEDIATE for writers."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # sqlite3 must not emit its own BEGIN
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        if engine.url.query.get("mode") != "ro":
            cursor.execute("PRAGMA journal_mode=WAL")
        # Every commit reaches the disk before it returns (a ledger entry is the record that an
        # answer was given): FULL is SQLite's usual default, but a build may lower it.
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        write = connection.get_execution_options().get(WRITE_OPTION, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


def begin_write(session: Session) -> None:
    """Begin ``session``'s transaction as a writer (SQLite: ``BEGIN IMMEDIATE``).

    Does nothing when a transaction is already in progress: a caller that reads and then
    writes on SQLite should call this before the first read.
    """
    if not session.in_transaction():
        session.connection(execution_options={WRITE_OPTION: True})


@contextmanager
def writing(engine: Engine) -> Iterator[Connection]:
    """A connection of its own in a writer's transaction (SQLite: ``BEGIN IMMEDIATE``),
    committed when the block ends and rolled back if it raises."""
    options = {WRITE_OPTION: True}
    with engine.connect().execution_options(**options) as connection, connection.begin():
        yield connection


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An engine for ``url``; SQLite gets a busy timeout, IMMEDIATE transactions, foreign keys.

    Args:
        url: A SQLAlchemy URL, e.g. ``sqlite:////srv/courtval/court.db`` or
            ``postgresql+psycopg://courtval@db:5432/courtval``.
        **kwargs: Passed on to :func:`sqlalchemy.create_engine`.
    """
    parsed = make_url(url)
    kwargs.setdefault("json_serializer", store_json)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database in (None, "", ":memory:"):
            raise ValueError(
                "the court store needs a SQLite file (sqlite:////path/court.db), not an "
                "in-memory database: the ledger must survive the process"
            )
        connect_args = {"timeout": SQLITE_BUSY_TIMEOUT_S, "check_same_thread": False}
        connect_args.update(kwargs.pop("connect_args", {}))
        engine = create_engine(url, connect_args=connect_args, **kwargs)
        _sqlite_transactions(engine)
    else:
        kwargs.setdefault("pool_pre_ping", True)
        engine = create_engine(url, **kwargs)
    logger.info("court store on %s", engine.url.render_as_string(hide_password=True))
    return engine


def session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions bound to ``engine``; objects stay readable after commit."""
    return sessionmaker(engine, expire_on_commit=False)


def _alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


def head_revision() -> str:
    """The newest revision in ``migrations/versions``."""
    head = ScriptDirectory.from_config(_alembic_config()).get_current_head()
    if head is None:  # pragma: no cover - the package always ships a revision
        raise RuntimeError(f"no Alembic revision under {MIGRATIONS_DIR}")
    return head


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at, ``None`` when it was never migrated."""
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"version_table": VERSION_TABLE})
        return context.get_current_revision()


def upgrade(engine_or_url: Engine | str, revision: str = "head") -> str:
    """Bring the database to ``revision`` (default: head); a no-op when it is already there.

    Returns:
        The revision the database is at afterwards.
    """
    engine = make_engine(engine_or_url) if isinstance(engine_or_url, str) else engine_or_url
    config = _alembic_config()
    try:
        with engine.connect() as connection:
            connection.execution_options(**{WRITE_OPTION: True})
            with connection.begin():
                config.attributes["connection"] = connection
                command.upgrade(config, revision)
        now = current_revision(engine)
    finally:
        if isinstance(engine_or_url, str):
            engine.dispose()
    logger.info("court store at revision %s", now)
    return now or ""

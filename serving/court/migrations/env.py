"""Alembic environment of the court store.

Run programmatically by :func:`serving.court.db.upgrade`, which passes an open connection in
``config.attributes["connection"]``. ``alembic -x url=... upgrade head`` with a
``script_location`` pointing here also works (online, or ``--sql`` offline). Logging is left to
the entry point; this module configures none.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection, create_engine, pool, text

from serving.court.db import VERSION_TABLE
from serving.court.tables import Base

#: Key of the PostgreSQL advisory lock that serialises concurrent upgrades.
UPGRADE_LOCK_KEY = 0x636F757274  # "court"


def _configure(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        version_table=VERSION_TABLE,
        compare_type=True,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        if connection.dialect.name == "postgresql":
            connection.execute(
                text("SELECT pg_advisory_xact_lock(:key)"), {"key": UPGRADE_LOCK_KEY}
            )
        context.run_migrations()


def _url() -> str:
    url = context.get_x_argument(as_dictionary=True).get("url") or context.config.get_main_option(
        "sqlalchemy.url"
    )
    if not url:
        raise RuntimeError("no database: pass a connection, -x url=... or sqlalchemy.url")
    return url


def run_offline() -> None:
    """Emit the migration SQL for a URL without connecting."""
    context.configure(url=_url(), target_metadata=Base.metadata, version_table=VERSION_TABLE)
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    """Migrate through the given connection, or one opened from the URL."""
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _configure(connection)
        return
    engine = create_engine(_url(), poolclass=pool.NullPool)
    try:
        with engine.begin() as own:
            _configure(own)
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_offline()
else:
    run_online()

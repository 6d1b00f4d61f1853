"""A fresh database per test, on SQLite and on the session's PostgreSQL server
(``tests/postgres_server.py``)."""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session, sessionmaker

from serving.court import ApiKeyCreate, ApiKeyPublic, Role, create_key
from serving.court.db import make_engine, session_factory, upgrade

_counter = itertools.count()


def _fresh_postgres(server_url: str) -> str:
    name = f"court_{os.getpid()}_{next(_counter)}"
    admin = make_engine(server_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        admin.dispose()
    return server_url.rsplit("/", 1)[0] + f"/{name}"


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database, on each backend."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'court.db'}"
    return _fresh_postgres(request.getfixturevalue("postgres_url"))


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    """An engine on the empty database (not migrated)."""
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def sessions(engine: Engine) -> sessionmaker[Session]:
    """Sessions on the database migrated to head."""
    upgrade(engine)
    return session_factory(engine)


@pytest.fixture
def session(sessions: sessionmaker[Session]) -> Iterator[Session]:
    """One session on the migrated database."""
    with sessions() as session:
        yield session


@pytest.fixture
def judge(session: Session) -> ApiKeyPublic:
    """A judge's key."""
    return create_key(session, ApiKeyCreate(owner="张法官", role=Role.JUDGE)).key

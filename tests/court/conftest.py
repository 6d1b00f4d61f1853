"""A fresh database per test, on SQLite and on the session's PostgreSQL server
(``tests/postgres_server.py``); and a server of the property champion per test module, on each
backend (``court``)."""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session, sessionmaker

from models.property.schemas import PropertyRequest
from models.settings import Settings
from serving.app import create_app
from serving.court import ApiKeyCreate, ApiKeyPublic, Role, create_key
from serving.court.db import make_engine, session_factory, upgrade
from tests.conftest import CASE, issue_key, keyed_client, make_settings, running_server
from training.pipeline import TrainResult

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


@dataclass
class CourtServer:
    """A server of the property champion with its own court store and one key per role."""

    url: str
    settings: Settings
    keys: dict[Role, str]
    engine: Engine

    def client(self, role: Role) -> httpx.Client:
        return keyed_client(self.url, self.keys[role])


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def court(
    request: pytest.FixtureRequest,
    trained: TrainResult,
    session_settings: Settings,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[CourtServer]:
    root = tmp_path_factory.mktemp(f"court-{request.param}")
    if request.param == "sqlite":
        url = f"sqlite:///{root / 'court.db'}"
    else:
        url = _fresh_postgres(request.getfixturevalue("postgres_url"))
    settings = make_settings(
        root,
        tracking_uri=session_settings.resolved_tracking_uri,
        database_url=url,
        serve_kinds=("property",),
        key_cache_seconds=0.2,
    )
    keys = {role: issue_key(settings, role) for role in Role}
    engine = make_engine(url)
    with running_server(create_app(settings)) as base:
        yield CourtServer(base, settings, keys, engine)
    engine.dispose()


@pytest.fixture
def body(flat: PropertyRequest) -> dict[str, Any]:
    return {**CASE, **flat.model_dump(mode="json")}

"""The functions behind ``courtval keys …`` and ``courtval ledger verify``, on SQLite."""

from __future__ import annotations

from pathlib import Path

import pytest

from serving.court import (
    ApiKeyCreate,
    KeyNotFoundError,
    LedgerEntryCreate,
    LedgerEntryPublic,
    Role,
    append,
    query,
)
from serving.court.admin import (
    DEMO_KEYS,
    KEYS_CREATE,
    KEYS_REVOKE,
    demo_keys,
    format_created,
    format_keys,
    format_verify,
    keys_create,
    keys_list,
    keys_revoke,
    ledger_verify,
    migrate,
    operator,
)
from serving.court.db import head_revision, make_engine, session_factory


@pytest.fixture
def url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'court.db'}"


def test_keys_lifecycle_as_the_cli_shows_it(url: str) -> None:
    created = keys_create(url, ApiKeyCreate(owner="张法官", role=Role.JUDGE, label="温岭"))
    secret = created.secret.get_secret_value()
    assert secret in format_created(created)
    listing = format_keys(keys_list(url))
    assert "张法官" in listing and "active" in listing and secret not in listing
    keys_revoke(url, created.key.id)
    assert "revoked" in format_keys(keys_list(url))
    assert keys_list(url, include_revoked=False) == []
    with pytest.raises(KeyNotFoundError):
        keys_revoke(url, 42)


def test_fresh_database_lists_nothing(url: str) -> None:
    assert format_keys(keys_list(url)) == "no API keys"
    assert migrate(url) == head_revision()


def test_ledger_verify_reports_ok_and_broken(url: str) -> None:
    key = keys_create(url, ApiKeyCreate(owner="李", role=Role.TRIAGE)).key
    engine = make_engine(url)
    entry = LedgerEntryCreate(
        key_id=key.id, user_name="李", role=Role.TRIAGE, endpoint="/v1/x",
        inputs={}, outputs={"rank": 1}, latency_ms=1.0,
    )  # fmt: skip
    for _ in range(2):
        append(engine, entry)
    assert format_verify(ledger_verify(url)).startswith("ledger OK: 3 entries")  # and the key's
    with engine.begin() as connection:
        connection.exec_driver_sql("UPDATE ledger_entries SET endpoint = '/v1/y' WHERE id = 2")
    engine.dispose()
    assert format_verify(ledger_verify(url)).startswith("ledger BROKEN at entry 2 (hash_mismatch)")


def _ledger(url: str) -> list[LedgerEntryPublic]:
    engine = make_engine(url)
    try:
        with session_factory(engine)() as session:
            return query(session, limit=1_000).items
    finally:
        engine.dispose()


def test_key_administration_is_in_the_ledger(url: str) -> None:
    """Who issued or revoked which key, with what settings, committed with the change; a
    second revocation changes nothing and records nothing; the demo keys too."""
    created = keys_create(url, ApiKeyCreate(owner="张法官", role=Role.JUDGE, label="温岭"))
    keys_revoke(url, created.key.id)
    keys_revoke(url, created.key.id)
    first, second = _ledger(url)
    assert (first.endpoint, first.key_id, first.user_name) == (KEYS_CREATE, 1, operator())
    assert first.inputs["label"] == "温岭" and first.outputs["prefix"] == created.key.prefix
    assert (second.endpoint, second.inputs) == (KEYS_REVOKE, {"key_id": 1})
    demo_keys(url)
    demo_keys(url)  # revokes the first four
    demo = [e for e in _ledger(url) if e.endpoint == DEMO_KEYS]
    assert [e.purpose for e in demo] == ["签发 API 密钥"] * 4 + ["吊销 API 密钥"] * 4 + [
        "签发 API 密钥"
    ] * 4
    assert ledger_verify(url).ok

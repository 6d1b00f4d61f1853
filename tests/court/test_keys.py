"""API keys on SQLite and PostgreSQL: created once, stored hashed, revoked, authenticated."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from serving.court import (
    ApiKeyCreate,
    ApiKeyPublic,
    HourWindow,
    KeyNotFoundError,
    QuotaOverride,
    Role,
    authenticate,
    create_key,
    list_keys,
    revoke_key,
)


def test_key_authenticates_until_revoked(session: Session) -> None:
    created = create_key(session, ApiKeyCreate(owner="李审计", role=Role.AUDITOR))
    secret = created.secret.get_secret_value()
    assert secret.startswith("cv_") and created.key.prefix == secret[:11]
    found = authenticate(session, secret)
    assert found is not None and found.id == created.key.id and found.role is Role.AUDITOR
    assert found.last_used_at is not None
    revoked = revoke_key(session, created.key.id)
    assert not revoked.active
    assert authenticate(session, secret) is None


@pytest.mark.parametrize("bad", ["", "cv_", "nope", "cv_" + "A" * 43])
def test_unknown_secret_is_refused(session: Session, judge: ApiKeyPublic, bad: str) -> None:
    assert authenticate(session, bad) is None


def test_listing_never_shows_the_secret(session: Session, engine: Engine) -> None:
    quota = QuotaOverride(
        requests_per_day=200, requests_per_minute=10, allowed_hours=HourWindow(start=8, end=18)
    )
    created = create_key(session, ApiKeyCreate(owner="王", role=Role.TRIAGE, quota=quota))
    secret = created.secret.get_secret_value()
    listing = list_keys(session)
    assert [k.quota for k in listing] == [quota]
    assert secret not in "".join(k.model_dump_json() for k in listing)
    assert secret not in created.model_dump_json() and secret not in repr(created)
    with engine.connect() as connection:
        stored = str(connection.execute(text("SELECT * FROM api_keys")).all())
    assert secret not in stored


def test_revoked_keys_can_be_left_out(session: Session, judge: ApiKeyPublic) -> None:
    revoke_key(session, judge.id)
    assert list_keys(session, include_revoked=False) == []
    assert [k.id for k in list_keys(session)] == [judge.id]


def test_revoking_an_unknown_key_says_so(session: Session) -> None:
    with pytest.raises(KeyNotFoundError, match="no API key with id 99"):
        revoke_key(session, 99)

"""API keys: created with a secret shown once, stored as its SHA-256, revoked, authenticated.

A secret is ``cv_`` followed by 43 url-safe characters (32 random bytes). The store keeps:

* ``key_hash`` = hex SHA-256 of the whole secret. A plain hash, not an HMAC with a server
  secret: with 256 random bits there is nothing to guess or precompute, so a stolen table does
  not reveal usable keys, and no extra server secret must be kept, rotated or moved to an
  isolated court network (losing it would lock every user out).
* ``prefix`` = the secret's first 11 characters (``cv_`` + 8), shown in listings so people can
  tell keys apart and used to find the candidate rows; the remaining ~200 random bits keep the
  secret unguessable. The hash of the presented secret is then compared with
  :func:`hmac.compare_digest`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import logging
import secrets

from pydantic import SecretStr
from sqlalchemy import select
from sqlalchemy.orm import Session

from serving.court.db import begin_write
from serving.court.errors import KeyNotFoundError
from serving.court.schemas import (
    ApiKeyCreate,
    ApiKeyCreated,
    ApiKeyPublic,
    HourWindow,
    QuotaOverride,
    as_utc,
)
from serving.court.tables import ApiKeyRow, Role

logger = logging.getLogger(__name__)

SECRET_PREFIX = "cv_"
PREFIX_LENGTH = len(SECRET_PREFIX) + 8
_SECRET_BYTES = 32
_SECRET_LENGTH = len(SECRET_PREFIX) + 43  # token_urlsafe(32) is 43 characters


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def _now(now: dt.datetime | None) -> dt.datetime:
    return as_utc(now) if now is not None else dt.datetime.now(dt.UTC)


def _finish(session: Session, commit: bool) -> None:
    if commit:
        session.commit()
    else:
        session.flush()


def key_public(row: ApiKeyRow) -> ApiKeyPublic:
    """The listable view of a key row."""
    hours = None
    if row.allowed_from_hour is not None and row.allowed_until_hour is not None:
        hours = HourWindow(start=row.allowed_from_hour, end=row.allowed_until_hour)
    quota = QuotaOverride(
        requests_per_day=row.requests_per_day,
        requests_per_minute=row.requests_per_minute,
        allowed_hours=hours,
    )
    return ApiKeyPublic(
        id=row.id,
        owner=row.owner,
        role=Role(row.role),
        label=row.label,
        prefix=row.prefix,
        created_at=as_utc(row.created_at),
        revoked_at=as_utc(row.revoked_at) if row.revoked_at else None,
        last_used_at=as_utc(row.last_used_at) if row.last_used_at else None,
        quota=quota,
    )


def create_key(
    session: Session, spec: ApiKeyCreate, *, now: dt.datetime | None = None, commit: bool = True
) -> ApiKeyCreated:
    """Create a key and commit (``commit=False``: flush only, for the caller to commit it with
    its ledger entry); the returned secret is the only copy there will ever be."""
    secret = SECRET_PREFIX + secrets.token_urlsafe(_SECRET_BYTES)
    begin_write(session)
    hours = spec.quota.allowed_hours
    row = ApiKeyRow(
        owner=spec.owner,
        label=spec.label,
        role=spec.role.value,
        prefix=secret[:PREFIX_LENGTH],
        key_hash=_hash(secret),
        created_at=_now(now),
        requests_per_day=spec.quota.requests_per_day,
        requests_per_minute=spec.quota.requests_per_minute,
        allowed_from_hour=hours.start if hours else None,
        allowed_until_hour=hours.end if hours else None,
    )
    session.add(row)
    _finish(session, commit)
    logger.info("created API key %d (%s) for role %s", row.id, row.prefix, row.role)
    return ApiKeyCreated(key=key_public(row), secret=SecretStr(secret))


def list_keys(session: Session, *, include_revoked: bool = True) -> list[ApiKeyPublic]:
    """All keys by id, without secrets or hashes."""
    statement = select(ApiKeyRow).order_by(ApiKeyRow.id)
    if not include_revoked:
        statement = statement.where(ApiKeyRow.revoked_at.is_(None))
    return [key_public(row) for row in session.scalars(statement)]


def get_key(session: Session, key_id: int) -> ApiKeyPublic:
    """One key; :class:`KeyNotFoundError` when there is none with that id."""
    row = session.get(ApiKeyRow, key_id)
    if row is None:
        raise KeyNotFoundError(key_id)
    return key_public(row)


def revoke_key(
    session: Session, key_id: int, *, now: dt.datetime | None = None, commit: bool = True
) -> ApiKeyPublic:
    """Revoke a key and commit (``commit=False``: flush only); revoking twice keeps the first
    time. Keys are never deleted, because ledger entries refer to them."""
    begin_write(session)
    row = session.get(ApiKeyRow, key_id)
    if row is None:
        raise KeyNotFoundError(key_id)
    if row.revoked_at is None:
        row.revoked_at = _now(now)
        _finish(session, commit)
        logger.info("revoked API key %d (%s)", row.id, row.prefix)
    return key_public(row)


def authenticate(
    session: Session, secret: str, *, now: dt.datetime | None = None
) -> ApiKeyPublic | None:
    """The active key whose secret this is (its ``last_used_at`` set and committed), else None.

    Unknown, malformed and revoked secrets all give ``None``; the caller answers 401.
    """
    if len(secret) != _SECRET_LENGTH or not secret.startswith(SECRET_PREFIX):
        return None
    presented = _hash(secret)
    begin_write(session)
    candidates = session.scalars(
        select(ApiKeyRow).where(ApiKeyRow.prefix == secret[:PREFIX_LENGTH])
    ).all()
    match = next((r for r in candidates if hmac.compare_digest(r.key_hash, presented)), None)
    if match is None or match.revoked_at is not None:
        session.rollback()
        return None
    match.last_used_at = _now(now)
    session.commit()
    return key_public(match)

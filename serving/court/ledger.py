"""The inquiry ledger: append an answered request to the hash chain, scrub identifiers, query.

Appends are serialised: each takes the one-row ``ledger_head`` with ``SELECT … FOR UPDATE`` (on
PostgreSQL a row lock held to commit; on SQLite the transaction already began ``IMMEDIATE``, see
:mod:`serving.court.db`), so two writers never chain onto the same entry and ids have no gaps.
The hash rules are in :mod:`serving.court.chain`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import logging
from collections.abc import Collection, Mapping
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from models.identity import SENSITIVE_FIELDS, keyed_hash, normalise_identity
from serving.court.chain import canonical_json, entry_hash
from serving.court.db import begin_write
from serving.court.errors import LedgerWriteError, UnscrubbedIdentifierError
from serving.court.schemas import (
    LedgerEntryCreate,
    LedgerEntryPublic,
    LedgerPage,
    LedgerQuery,
    as_utc,
)
from serving.court.tables import LedgerEntryRow, LedgerHeadRow, Role

logger = logging.getLogger(__name__)

#: Marks a value that is a keyed hash, not the identifier itself.
HASHED_PREFIX = "hmac-sha256:"


def _hash_identifier(value: Any, key: bytes) -> str:
    text = str(value)
    try:
        digest = keyed_hash(text, key)
    except UnicodeEncodeError:  # not a valid number, but still never stored in clear
        digest = hmac.new(key, normalise_identity(text).encode(), hashlib.sha256).hexdigest()
    return HASHED_PREFIX + digest


def _scrub(value: Any, key: bytes, fields: Collection[str]) -> Any:
    if isinstance(value, Mapping):
        return {
            name: (
                _hash_identifier(item, key)
                if name in fields and item is not None and not str(item).startswith(HASHED_PREFIX)
                else _scrub(item, key, fields)
            )
            for name, item in value.items()
        }
    if isinstance(value, list | tuple):
        return [_scrub(item, key, fields) for item in value]
    return value


def scrub_identifiers(
    data: Mapping[str, Any], key: bytes, fields: Collection[str] = SENSITIVE_FIELDS
) -> dict[str, Any]:
    """A copy of ``data`` whose ``fields`` (at any depth) hold ``hmac-sha256:<hex>`` keyed
    hashes (:func:`models.identity.keyed_hash`) instead of the identifiers; idempotent.

    Args:
        data: Request inputs or outputs, JSON-like.
        key: The identity-hash key, :func:`models.identity.identity_key` of the settings.
        fields: Names of the sensitive fields; default: ``models.identity.SENSITIVE_FIELDS``.
    """
    scrubbed: dict[str, Any] = _scrub(data, key, fields)
    return scrubbed


def _check_scrubbed(value: Any) -> None:
    if isinstance(value, Mapping):
        for name, item in value.items():
            if name in SENSITIVE_FIELDS and item is not None:
                if not (isinstance(item, str) and item.startswith(HASHED_PREFIX)):
                    raise UnscrubbedIdentifierError(name)
            else:
                _check_scrubbed(item)
    elif isinstance(value, list | tuple):
        for item in value:
            _check_scrubbed(item)


def _fields(entry: LedgerEntryCreate, entry_id: int, now: dt.datetime) -> dict[str, Any]:
    fields = entry.model_dump(mode="json")
    fields["inputs"] = json.loads(canonical_json(entry.inputs))  # JSON types only, from here on
    fields["outputs"] = json.loads(canonical_json(entry.outputs))
    fields["latency_ms"] = float(entry.latency_ms)
    fields.update(id=entry_id, created_at=now)
    return fields


def append(
    sessions: sessionmaker[Session], entry: LedgerEntryCreate, *, now: dt.datetime | None = None
) -> LedgerEntryPublic:
    """Append ``entry`` to the chain in a transaction of its own; return it with id and hashes.

    The entry is committed when this returns. It takes a session factory, not a session, so
    that the caller's open transaction can neither delay nor be committed by the ledger write.

    Raises:
        UnscrubbedIdentifierError: a sensitive field holds a clear identifier.
        ValueError: inputs or outputs are not JSON (e.g. NaN).
        LedgerWriteError: the database refused or failed the write; nothing was recorded and the
            request must fail (503).
    """
    _check_scrubbed(entry.inputs)
    _check_scrubbed(entry.outputs)
    canonical_json([entry.inputs, entry.outputs])  # refuse non-JSON before touching the database
    try:
        with sessions() as session:
            begin_write(session)
            head = session.execute(
                select(LedgerHeadRow.last_id, LedgerHeadRow.last_hash)
                .where(LedgerHeadRow.id == 1)
                .with_for_update()
            ).one()
            moment = as_utc(now) if now is not None else dt.datetime.now(dt.UTC)
            fields = _fields(entry, head.last_id + 1, moment)
            digest = entry_hash(fields, head.last_hash)
            session.add(LedgerEntryRow(**fields, prev_hash=head.last_hash, entry_hash=digest))
            session.execute(
                update(LedgerHeadRow)
                .where(LedgerHeadRow.id == 1)
                .values(last_id=fields["id"], last_hash=digest)
            )
            session.commit()
    except SQLAlchemyError as exc:
        logger.error("ledger write failed: %s", getattr(exc, "orig", None) or type(exc).__name__)
        raise LedgerWriteError(
            f"the inquiry could not be written to the ledger ({type(exc).__name__}); "
            "no answer may be given without a record"
        ) from exc
    logger.info("ledger entry %d by key %d on %s", fields["id"], entry.key_id, entry.endpoint)
    return LedgerEntryPublic(
        **{**fields, "created_at": moment}, prev_hash=head.last_hash, entry_hash=digest
    )


def entry_public(row: LedgerEntryRow) -> LedgerEntryPublic:
    """The public view of a stored entry."""
    return LedgerEntryPublic(
        id=row.id,
        created_at=as_utc(row.created_at),
        key_id=row.key_id,
        user_name=row.user_name,
        role=Role(row.role),
        case_number=row.case_number,
        endpoint=row.endpoint,
        purpose=row.purpose,
        inputs=row.inputs,
        outputs=row.outputs,
        model_name=row.model_name,
        model_version=row.model_version,
        run_id=row.run_id,
        latency_ms=row.latency_ms,
        prev_hash=row.prev_hash,
        entry_hash=row.entry_hash,
    )


def query(
    session: Session,
    *,
    user: str | None = None,
    case_number: str | None = None,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    limit: int = 100,
    offset: int = 0,
) -> LedgerPage:
    """Entries matching every given filter, oldest first, one page (see :class:`LedgerQuery`)."""
    filters = LedgerQuery(
        user=user, case_number=case_number, since=since, until=until, limit=limit, offset=offset
    )
    conditions = []
    if filters.user is not None:
        conditions.append(LedgerEntryRow.user_name == filters.user)
    if filters.case_number is not None:
        conditions.append(LedgerEntryRow.case_number == filters.case_number)
    if filters.since is not None:
        conditions.append(LedgerEntryRow.created_at >= as_utc(filters.since))
    if filters.until is not None:
        conditions.append(LedgerEntryRow.created_at < as_utc(filters.until))
    total = session.scalar(select(func.count()).select_from(LedgerEntryRow).where(*conditions))
    rows = session.scalars(
        select(LedgerEntryRow)
        .where(*conditions)
        .order_by(LedgerEntryRow.id)
        .limit(filters.limit)
        .offset(filters.offset)
    )
    items = [entry_public(row) for row in rows]
    return LedgerPage(items=items, total=total or 0, limit=filters.limit, offset=filters.offset)

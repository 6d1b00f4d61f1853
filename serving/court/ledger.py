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
import logging
import re
from collections.abc import Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any, cast

from sqlalchemy import Connection, Engine, Table, bindparam, func, insert, select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from models.identity import (
    IDENTITY_SHAPED_KEYS,
    SENSITIVE_FIELDS,
    is_identity_number,
    keyed_hash,
    normalise_identity,
)
from serving.court.chain import CanonicalJson, entry_hash
from serving.court.db import writing
from serving.court.errors import LedgerWriteError, UnscrubbedIdentifierError
from serving.court.schemas import (
    LedgerEntryCreate,
    LedgerEntryPublic,
    LedgerPage,
    LedgerQuery,
    as_utc,
)
from serving.court.sqlite_append import DriverError, append_row
from serving.court.tables import LedgerEntryRow, LedgerHeadRow, Role

logger = logging.getLogger(__name__)

#: Dialects whose appends run on the driver's connection (:mod:`serving.court.sqlite_append`).
DRIVER_DIALECTS = frozenset({"sqlite"})
#: Marks a value that is a keyed hash, not the identifier itself.
HASHED_PREFIX = "hmac-sha256:"


def _hash_identifier(value: Any, key: bytes) -> str:
    text = str(value)
    try:
        digest = keyed_hash(text, key)
    except UnicodeEncodeError:  # not a valid number, but still never stored in clear
        digest = hmac.new(key, normalise_identity(text).encode(), hashlib.sha256).hexdigest()
    return HASHED_PREFIX + digest


def _clear_identifier(name: str, item: Any, fields: Collection[str]) -> bool:
    """Whether ``item``, under ``name``, is an identifier not hashed yet: any value of a
    sensitive field, or an identity number in a key that may hold one
    (:data:`models.identity.IDENTITY_SHAPED_KEYS`)."""
    if item is None or (isinstance(item, str) and item.startswith(HASHED_PREFIX)):
        return False
    return name in fields or (name in IDENTITY_SHAPED_KEYS and is_identity_number(item))


def _scrub(value: Any, key: bytes, fields: Collection[str]) -> Any:
    if isinstance(value, Mapping):
        return {
            name: (
                _hash_identifier(item, key)
                if _clear_identifier(name, item, fields)
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
            if _clear_identifier(name, item, SENSITIVE_FIELDS):
                raise UnscrubbedIdentifierError(name)
            _check_scrubbed(item)
    elif isinstance(value, list | tuple):
        for item in value:
            _check_scrubbed(item)


#: A sensitive field's name as a JSON key, and the string values of the identity-shaped keys
#: (escaped ones are left to the check at append, which reads the canonical text). A value of
#: up to 40 characters, full-width ones 3 bytes in UTF-8: up to 160 units of either kind.
_SENSITIVE_KEY = r'"(?:' + "|".join(sorted(SENSITIVE_FIELDS)) + r')"\s*:'
_KEY_VALUES = r'"(?:' + "|".join(sorted(IDENTITY_SHAPED_KEYS)) + r')"\s*:\s*"([^"\\]{15,160})"'
#: The two patterns for text and for a request's raw bytes (read without decoding them).
_PATTERNS: dict[type, tuple[re.Pattern[Any], re.Pattern[Any]]] = {
    str: (re.compile(_SENSITIVE_KEY), re.compile(_KEY_VALUES)),
    bytes: (re.compile(_SENSITIVE_KEY.encode()), re.compile(_KEY_VALUES.encode())),
}
#: The shortest names that every name the patterns look for contains (``debtor_id`` for
#: ``debtor_id_number``): a body holding none of them (a batch of properties) is passed by a
#: few substring searches, much faster than the patterns. A piece common to all names, such
#: as ``_id``, was slower than these: ``_`` is in most keys (3.3 ms against 0.6 ms on the
#: raw bytes of a 10,000-row property batch of 4.2 MB, 2026-12-06).
_NAMES = SENSITIVE_FIELDS | IDENTITY_SHAPED_KEYS
_PIECES: dict[type, tuple[Any, ...]] = {
    str: tuple(sorted(n for n in _NAMES if not any(m != n and m in n for m in _NAMES)))
}
_PIECES[bytes] = tuple(piece.encode() for piece in _PIECES[str])


def may_hold_identifiers(text: str | bytes) -> bool:
    """Whether JSON ``text`` (or its UTF-8 bytes) may hold an identifier not hashed yet, so
    that it must be walked: a sensitive field occurs, or an identity-shaped key holds an
    identity number (a triage queue keyed by opaque ids skips the walk)."""
    kind = bytes if isinstance(text, bytes) else str
    if not any(piece in text for piece in _PIECES[kind]):
        return False
    sensitive, key_values = _PATTERNS[kind]
    if sensitive.search(text):
        return True
    return any(
        is_identity_number(v.decode(errors="replace") if isinstance(v, bytes) else v)
        for v in key_values.findall(text)
    )


def _fields(entry: LedgerEntryCreate, entry_id: int, now: dt.datetime) -> dict[str, Any]:
    """The row's columns; inputs and outputs as canonical text, encoded once for both the
    hash and the JSON columns (``ValueError`` for NaN or infinities)."""
    fields = entry.model_dump(mode="json", exclude={"inputs", "outputs"})
    fields["inputs"] = CanonicalJson.of(entry.inputs)
    fields["outputs"] = CanonicalJson.of(entry.outputs)
    fields["latency_ms"] = float(entry.latency_ms)
    fields.update(id=entry_id, created_at=now)
    return fields


def append(
    engine: Engine, entry: LedgerEntryCreate, *, now: dt.datetime | None = None
) -> LedgerEntryPublic:
    """Append ``entry`` to the chain in a transaction of its own; return it with id and hashes.

    The entry is committed when this returns. It takes the engine, not a session, so that the
    caller's open transaction can neither delay nor be committed by the ledger write. Plain
    Core statements on a connection of its own, and on SQLite the same statements on the
    driver's connection (:mod:`serving.court.sqlite_append`): this runs once per answer, and
    an ORM session around them cost half as much again as the write itself (1.7 ms against
    1.2 ms per single answer's entry on SQLite), SQLAlchemy's execution layer 0.9 ms against
    0.5 ms.

    Raises:
        UnscrubbedIdentifierError: a sensitive field holds a clear identifier.
        ValueError: inputs or outputs are not JSON (e.g. NaN).
        LedgerWriteError: the database refused or failed the write; nothing was recorded and the
            request must fail (503).
    """
    pending = _Pending(entry, now)
    if engine.dialect.name in DRIVER_DIALECTS:
        with ledger_write_errors():
            append_row(engine, _STATEMENTS, pending.chain)
    else:
        with ledger_write_errors(), writing(engine) as connection:
            pending.run(connection)
    return pending.written()


def append_all(
    engine: Engine, entries: Sequence[LedgerEntryCreate], *, now: dt.datetime | None = None
) -> list[LedgerEntryPublic]:
    """Append ``entries`` to the chain in order, in one transaction: all are committed, or
    none (an inquiry batch, whose items are inquiries of their own). The errors of
    :func:`append`; every entry is encoded and checked before the database is touched."""
    pending = [_Pending(entry, now) for entry in entries]
    with ledger_write_errors(), writing(engine) as connection:
        for one in pending:
            one.run(connection)
    return [one.written() for one in pending]


def append_in(
    connection: Connection, entry: LedgerEntryCreate, *, now: dt.datetime | None = None
) -> LedgerEntryPublic:
    """Append ``entry`` inside the caller's open writer transaction, which commits it.

    For a change to the court's records and its entry in one transaction (see
    :meth:`serving.access.store.CourtStore.change`): both are kept, or neither. On SQLite the
    transaction must have begun as a writer (:func:`serving.court.db.begin_write`).

    Raises:
        The errors of :func:`append`; on a :class:`LedgerWriteError` the caller rolls back.
    """
    pending = _Pending(entry, now)
    with ledger_write_errors():
        pending.run(connection)
    return pending.written()


class _Pending:
    """An entry on its way into the chain: encoded and checked before the database is touched
    (``ValueError`` for NaN, :class:`UnscrubbedIdentifierError`), chained once the head is read."""

    def __init__(self, entry: LedgerEntryCreate, now: dt.datetime | None) -> None:
        self.entry = entry
        self.moment = as_utc(now) if now is not None else dt.datetime.now(dt.UTC)
        self.fields = _fields(entry, 0, self.moment)
        encoded = (self.fields["inputs"], self.fields["outputs"])
        for value, text in zip((entry.inputs, entry.outputs), encoded, strict=True):
            if may_hold_identifiers(text.text):  # a batch without any skips the walk
                _check_scrubbed(value)
        self.row: dict[str, Any] = {}

    def chain(self, last_id: int, last_hash: str) -> tuple[dict[str, Any], dict[str, Any]]:
        """The entry's row after the head ``(last_id, last_hash)``, and the head's new values."""
        self.fields["id"] = last_id + 1
        digest = entry_hash(self.fields, last_hash)
        self.row.update(self.fields, prev_hash=last_hash, entry_hash=digest)
        return self.row, {"new_id": self.fields["id"], "new_hash": digest}

    def run(self, connection: Connection) -> None:
        """The three Core statements on ``connection``, in its transaction."""
        head = connection.execute(_HEAD_FOR_UPDATE).one()
        row, new_head = self.chain(head.last_id, head.last_hash)
        connection.execute(_INSERT, row)
        connection.execute(_MOVE_HEAD, new_head)

    def written(self) -> LedgerEntryPublic:
        """The entry as appended (after :meth:`chain`)."""
        entry, fields = self.entry, self.fields
        logger.info("ledger entry %d by key %d on %s", fields["id"], entry.key_id, entry.endpoint)
        return LedgerEntryPublic(
            **{
                **fields,
                "inputs": entry.inputs,
                "outputs": entry.outputs,
                "created_at": self.moment,
            },
            prev_hash=self.row["prev_hash"],
            entry_hash=self.row["entry_hash"],
        )


@contextmanager
def ledger_write_errors() -> Iterator[None]:
    """A failed write in the block (an append, or the commit of one) as
    :class:`LedgerWriteError` (→ 503)."""
    try:
        yield
    except (SQLAlchemyError, DriverError) as exc:
        logger.error("ledger write failed: %s", getattr(exc, "orig", None) or type(exc).__name__)
        raise LedgerWriteError(
            f"the inquiry could not be written to the ledger ({type(exc).__name__}); "
            "no answer may be given without a record"
        ) from exc


# Built once: compiled once and cached, where a fresh statement per answer is not.
_HEADS = cast(Table, LedgerHeadRow.__table__)
_HEAD_FOR_UPDATE = (
    select(_HEADS.c.last_id, _HEADS.c.last_hash).where(_HEADS.c.id == 1).with_for_update()
)
_INSERT = insert(cast(Table, LedgerEntryRow.__table__))
_MOVE_HEAD = (
    update(_HEADS)
    .where(_HEADS.c.id == 1)
    .values(last_id=bindparam("new_id"), last_hash=bindparam("new_hash"))
)
_STATEMENTS = (_HEAD_FOR_UPDATE, _INSERT, _MOVE_HEAD)


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

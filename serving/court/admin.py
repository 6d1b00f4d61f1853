"""What ``courtval keys create|list|revoke`` and ``courtval ledger verify`` call.

Each function opens the store at a database URL (migrating it to head first, so a fresh
install works), does one thing, disposes the engine and returns a pydantic model; the
``format_*`` functions turn those into the text the CLI prints.
"""

from __future__ import annotations

import getpass
import logging
import os
import socket
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy.orm import Session

from serving.court import chain, keys
from serving.court.db import begin_write, make_engine, session_factory, upgrade
from serving.court.ledger import append_in
from serving.court.schemas import (
    ApiKeyCreate,
    ApiKeyCreated,
    ApiKeyPublic,
    LedgerAnchor,
    LedgerEntryCreate,
    QuotaOverride,
    VerifyResult,
)
from serving.court.tables import Role

logger = logging.getLogger(__name__)


@contextmanager
def open_store(database_url: str) -> Iterator[Session]:
    """A session on the store at ``database_url``, migrated to head; the engine is disposed."""
    engine = make_engine(database_url)
    try:
        upgrade(engine)
        with session_factory(engine)() as session:
            yield session
    finally:
        engine.dispose()


def migrate(database_url: str) -> str:
    """Bring the store to the newest revision; return it."""
    engine = make_engine(database_url)
    try:
        return upgrade(engine)
    finally:
        engine.dispose()


#: The ledger's endpoint for the key administration done by these commands.
KEYS_CREATE, KEYS_REVOKE = "courtval keys create", "courtval keys revoke"


def operator() -> str:
    """Who runs the command: ``user@host`` of the operating system (the ledger's user)."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):  # no user name in the environment or the password database
        user = f"uid {os.getuid()}"
    return f"{user}@{socket.gethostname()}"[:200]


def _record_key_event(
    session: Session, key: ApiKeyPublic, *, endpoint: str, purpose: str, inputs: dict[str, Any]
) -> None:
    """Append the key's creation or revocation to the ledger in the session's transaction (the
    caller commits both): who did it (``operator()``), to which key, with what settings. The
    secret is never in it; the entry names the key by id and prefix."""
    entry = LedgerEntryCreate(
        key_id=key.id,
        user_name=operator(),
        role=key.role,
        endpoint=endpoint,
        purpose=purpose,
        inputs=inputs,
        outputs=key.model_dump(mode="json"),
        latency_ms=0.0,
    )
    append_in(session.connection(), entry)


def _create_recorded(session: Session, spec: ApiKeyCreate, endpoint: str) -> ApiKeyCreated:
    created = keys.create_key(session, spec, commit=False)
    inputs = spec.model_dump(mode="json")
    _record_key_event(
        session, created.key, endpoint=endpoint, purpose="签发 API 密钥", inputs=inputs
    )
    return created


def _revoke_recorded(session: Session, key_id: int, endpoint: str) -> ApiKeyPublic:
    begin_write(session)  # before the read: on SQLite a reader cannot become the writer safely
    was_active = keys.get_key(session, key_id).active
    revoked = keys.revoke_key(session, key_id, commit=False)
    if was_active:  # revoking twice changes nothing, and records nothing
        inputs = {"key_id": key_id}
        _record_key_event(
            session, revoked, endpoint=endpoint, purpose="吊销 API 密钥", inputs=inputs
        )
    return revoked


def keys_create(database_url: str, spec: ApiKeyCreate) -> ApiKeyCreated:
    """Create a key, recorded in the ledger in the same transaction; the secret in the result
    is shown once and never again."""
    with open_store(database_url) as session:
        created = _create_recorded(session, spec, KEYS_CREATE)
        session.commit()
    return created


def keys_list(database_url: str, *, include_revoked: bool = True) -> list[ApiKeyPublic]:
    """All keys, without secrets."""
    with open_store(database_url) as session:
        return keys.list_keys(session, include_revoked=include_revoked)


def keys_revoke(database_url: str, key_id: int) -> ApiKeyPublic:
    """Revoke a key, recorded in the ledger in the same transaction
    (:class:`~serving.court.errors.KeyNotFoundError` for an unknown id)."""
    with open_store(database_url) as session:
        revoked = _revoke_recorded(session, key_id, KEYS_REVOKE)
        session.commit()
    return revoked


#: The ledger's endpoint for the demo keys' creation and revocation.
DEMO_KEYS = "courtval serve --demo-keys"
#: The label that marks the keys ``courtval serve --demo-keys`` makes (one per role).
DEMO_LABEL = "demo (courtval serve --demo-keys)"
#: Who answers for each demo key: shown on the web page and written in the ledger.
DEMO_OWNERS = {
    Role.JUDGE: "演示法官",
    Role.TRIAGE: "演示分流系统",
    Role.DATA_SCIENTIST: "演示数据科学家",
    Role.AUDITOR: "演示审计员",
}


def demo_keys(database_url: str) -> dict[Role, ApiKeyCreated]:
    """Fresh demo keys, one per role; the previous demo keys are revoked first.

    Secrets are kept only as hashes, so a restart cannot show the old ones again: it issues new
    ones. Meant for a demonstration machine (``make run``), never for a court's server.
    """
    with open_store(database_url) as session:
        begin_write(session)
        for key in keys.list_keys(session, include_revoked=False):
            if key.label == DEMO_LABEL:
                _revoke_recorded(session, key.id, DEMO_KEYS)
        issued = {
            role: _create_recorded(
                session, ApiKeyCreate(owner=owner, role=role, label=DEMO_LABEL), DEMO_KEYS
            )
            for role, owner in DEMO_OWNERS.items()
        }
        session.commit()
    return issued


def ledger_verify(database_url: str, anchors: Collection[LedgerAnchor] = ()) -> VerifyResult:
    """Walk the ledger's hash chain, checking it against published heads (``anchors``)."""
    with open_store(database_url) as session:
        return chain.verify(session, anchors)


def _quota_text(quota: QuotaOverride) -> str:
    parts = []
    if quota.requests_per_day is not None:
        parts.append(f"{quota.requests_per_day}/day")
    if quota.requests_per_minute is not None:
        parts.append(f"{quota.requests_per_minute}/min")
    if quota.allowed_hours is not None:
        parts.append(f"{quota.allowed_hours.start:02d}-{quota.allowed_hours.end:02d}h")
    return " ".join(parts) or "role default"


def format_keys(listing: list[ApiKeyPublic]) -> str:
    """One line per key: id, prefix, role, owner, state, quota."""
    if not listing:
        return "no API keys"
    lines = [f"{'id':>4}  {'prefix':<11}  {'role':<14}  {'state':<8}  owner / quota"]
    for key in listing:
        state = "active" if key.active else "revoked"
        lines.append(
            f"{key.id:>4}  {key.prefix:<11}  {key.role.value:<14}  {state:<8}  "
            f"{key.owner} / {_quota_text(key.quota)}"
        )
    return "\n".join(lines)


def format_created(created: ApiKeyCreated) -> str:
    """The new key's secret with the warning that it will not be shown again."""
    key = created.key
    return (
        f"API key {key.id} for {key.owner} ({key.role.value}):\n"
        f"  {created.secret.get_secret_value()}\n"
        "Store it now: it is kept only as a hash and cannot be shown again."
    )


def format_verify(result: VerifyResult) -> str:
    """``ledger OK …`` or ``ledger BROKEN at entry N (reason): detail``."""
    if result.ok and result.last_id == 0:
        return "ledger OK: 0 entries (empty)"
    if result.ok:
        anchored = (
            f", {result.anchors_checked} published heads match" if result.anchors_checked else ""
        )
        return (
            f"ledger OK: {result.entries_checked} entries{anchored}; head {result.last_id}:"
            f"{result.last_hash} (publish it, e.g. in the case system; `--anchor` with it "
            "later finds a rewrite of the whole chain)"
        )
    return (
        f"ledger BROKEN at entry {result.first_broken_id} ({result.reason}): {result.detail}; "
        f"{result.entries_checked} entries before it are intact"
    )

"""Pydantic models at the court store's boundary: API keys, ledger entries, verification."""

from __future__ import annotations

import datetime as dt
import re
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, SecretStr

from models.court.quota import HourWindow
from serving.court.tables import Role

#: The largest page offset a listing accepts (a database integer holds no more than 2⁶³ − 1).
MAX_OFFSET = 1_000_000_000
#: The largest row id a request may name (the database's integer limit).
MAX_ROW_ID = 2**63 - 1

_STRICT = ConfigDict(extra="forbid", frozen=True)


class QuotaOverride(BaseModel):
    """Per-key limits that replace the role's defaults; ``None`` keeps the role's."""

    model_config = _STRICT

    requests_per_day: int | None = Field(default=None, ge=1, le=1_000_000)
    requests_per_minute: int | None = Field(default=None, ge=1, le=100_000)
    allowed_hours: HourWindow | None = None


class ApiKeyCreate(BaseModel):
    """What is needed to create a key."""

    model_config = _STRICT

    owner: str = Field(min_length=1, max_length=200, description="The person answerable.")
    role: Role
    label: str | None = Field(default=None, max_length=200, description="What the key is for.")
    quota: QuotaOverride = QuotaOverride()


class ApiKeyPublic(BaseModel):
    """A key as listed: never its secret nor its hash; ``prefix`` identifies it to people."""

    model_config = ConfigDict(frozen=True)

    id: int
    owner: str
    role: Role
    label: str | None
    prefix: str = Field(description="The secret's first characters, enough to tell keys apart.")
    created_at: dt.datetime
    revoked_at: dt.datetime | None
    last_used_at: dt.datetime | None
    quota: QuotaOverride

    @property
    def active(self) -> bool:
        """Not revoked."""
        return self.revoked_at is None


class ApiKeyCreated(BaseModel):
    """The new key and its secret, which is shown this once and never stored."""

    model_config = ConfigDict(frozen=True)

    key: ApiKeyPublic
    secret: SecretStr


class LedgerEntryCreate(BaseModel):
    """One answered request, as the API hands it to the ledger (identifiers already hashed)."""

    model_config = _STRICT

    key_id: int = Field(ge=1)
    user_name: str = Field(min_length=1, max_length=200)
    role: Role
    case_number: str | None = Field(default=None, max_length=64, description="案号.")
    endpoint: str = Field(min_length=1, max_length=200)
    purpose: str | None = Field(default=None, max_length=500)
    inputs: dict[str, Any]
    outputs: dict[str, Any]
    model_name: str | None = Field(default=None, max_length=200)
    model_version: str | None = Field(default=None, max_length=64)
    run_id: str | None = Field(default=None, max_length=64)
    latency_ms: float = Field(ge=0, allow_inf_nan=False)


class LedgerEntryPublic(LedgerEntryCreate):
    """A ledger entry with its place in the chain."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: int = Field(ge=1)
    created_at: dt.datetime
    prev_hash: str = Field(pattern=r"^[0-9a-f]{64}$")
    entry_hash: str = Field(pattern=r"^[0-9a-f]{64}$")


class LedgerPage(BaseModel):
    """One page of a ledger query, oldest first."""

    model_config = ConfigDict(frozen=True)

    items: list[LedgerEntryPublic]
    total: int = Field(ge=0, description="Entries matching the filters, all pages.")
    limit: int
    offset: int


class BreakReason(StrEnum):
    """Why the chain breaks at an entry."""

    MISSING = "missing"  # an id is absent: a row was deleted
    PREV_HASH_MISMATCH = "prev_hash_mismatch"  # prev_hash is not the previous entry's hash
    HASH_MISMATCH = "hash_mismatch"  # content or entry_hash altered
    HEAD_MISMATCH = "head_mismatch"  # ledger_head does not name the last entry
    ANCHOR_MISMATCH = "anchor_mismatch"  # an entry's hash is not the one published for it


#: ``ID:HASH``: a ledger entry's id and the hash published for it (an anchor).
ANCHOR_PATTERN = r"^[1-9][0-9]{0,17}:[0-9a-f]{64}$"


class LedgerAnchor(BaseModel):
    """A head of the chain published outside the ledger (in the court's case system, on
    paper): entry ``id`` had hash ``hash``. The chain's walk finds partial edits by itself; a
    rewrite of the whole chain from some entry on, head included, only against an anchor."""

    model_config = ConfigDict(frozen=True)

    id: int = Field(ge=1)
    hash: str = Field(pattern=r"^[0-9a-f]{64}$")

    @classmethod
    def parse(cls, text: str) -> LedgerAnchor:
        """``ID:HASH`` as ``courtval ledger verify`` prints the head (``ValueError`` if not)."""
        if not re.fullmatch(ANCHOR_PATTERN, text.strip()):
            raise ValueError(f"{text!r} is not ID:HASH (an entry id, a colon, 64 hex digits)")
        entry_id, _, digest = text.strip().partition(":")
        return cls(id=int(entry_id), hash=digest)


class VerifyResult(BaseModel):
    """The outcome of walking the chain."""

    model_config = ConfigDict(frozen=True)

    ok: bool
    entries_checked: int = Field(ge=0)
    last_id: int = Field(ge=0, description="Id of the last entry read, 0 for an empty ledger.")
    last_hash: str
    first_broken_id: int | None = None
    reason: BreakReason | None = None
    detail: str | None = None
    anchors_checked: int = Field(default=0, ge=0, description="Published heads matched.")


def as_utc(moment: dt.datetime) -> dt.datetime:
    """``moment`` in UTC; a naive value (SQLite keeps no zone) is taken to be UTC already."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC)


class LedgerQuery(BaseModel):
    """Filters of the auditor's ledger query; times are UTC (a naive time is taken as UTC)."""

    model_config = _STRICT

    user: str | None = Field(default=None, max_length=200, description="Exact user name.")
    case_number: str | None = Field(default=None, max_length=64, description="Exact 案号.")
    since: dt.datetime | None = Field(default=None, description="Entries at or after.")
    until: dt.datetime | None = Field(default=None, description="Entries strictly before.")
    limit: int = Field(default=100, ge=1, le=1_000)
    offset: int = Field(default=0, ge=0, le=MAX_OFFSET)

"""The court store's tables as SQLAlchemy ORM classes.

The schema itself is created by the Alembic revisions in ``migrations/versions`` (never by
``metadata.create_all``); a test checks that these classes and the migrated schema agree.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    MetaData,
    Numeric,
    SmallInteger,
    String,
    false,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from models.court.objections import (
    PROGRESS_NOTE_MAX_CHARS,
    AppraisalStatus,
    ObjectionGround,
    Party,
)
from models.court.sales import SALE_NOTE_MAX_CHARS, SaleRound

#: Constraint names are fixed so later revisions can alter them by name on every backend.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

#: prev_hash of the first ledger entry.
GENESIS_HASH = "0" * 64
#: Longest written grounds of an objection (``ObjectionRequest.grounds``), in characters.
GROUNDS_MAX_CHARS = 5000


class Role(StrEnum):
    """What a key may do: ``judge`` (valuations, objections, own reports), ``triage`` (capacity
    and case ranking), ``data_scientist`` (model admin), ``auditor`` (read the ledger)."""

    JUDGE = "judge"
    TRIAGE = "triage"
    DATA_SCIENTIST = "data_scientist"
    AUDITOR = "auditor"


class Base(DeclarativeBase):
    """Declarative base with the naming convention."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class ApiKeyRow(Base):
    """An API key: the secret is never stored, only its SHA-256."""

    __tablename__ = "api_keys"
    __table_args__ = (
        CheckConstraint(
            "role IN ('judge', 'triage', 'data_scientist', 'auditor')", name="role_known"
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    owner: Mapped[str] = mapped_column(String(200))
    label: Mapped[str | None] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(32))
    prefix: Mapped[str] = mapped_column(String(16), index=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    last_used_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    requests_per_day: Mapped[int | None] = mapped_column(Integer)
    requests_per_minute: Mapped[int | None] = mapped_column(Integer)
    allowed_from_hour: Mapped[int | None] = mapped_column(SmallInteger)
    allowed_until_hour: Mapped[int | None] = mapped_column(SmallInteger)


class LedgerEntryRow(Base):
    """One answered request; ``entry_hash`` chains it to the entry before."""

    __tablename__ = "ledger_entries"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), index=True)
    key_id: Mapped[int] = mapped_column(ForeignKey("api_keys.id", ondelete="RESTRICT"))
    user_name: Mapped[str] = mapped_column(String(200), index=True)
    role: Mapped[str] = mapped_column(String(32))
    case_number: Mapped[str | None] = mapped_column(String(64), index=True)
    endpoint: Mapped[str] = mapped_column(String(200))
    purpose: Mapped[str | None] = mapped_column(String(500))
    inputs: Mapped[Any] = mapped_column(JSON)
    outputs: Mapped[Any] = mapped_column(JSON)
    model_name: Mapped[str | None] = mapped_column(String(200))
    model_version: Mapped[str | None] = mapped_column(String(64))
    run_id: Mapped[str | None] = mapped_column(String(64))
    latency_ms: Mapped[float] = mapped_column(Float)
    prev_hash: Mapped[str] = mapped_column(String(64))
    entry_hash: Mapped[str] = mapped_column(String(64), unique=True)


class LedgerHeadRow(Base):
    """The single row that names the last entry; appends lock it to serialise writers."""

    __tablename__ = "ledger_head"
    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(SmallInteger, primary_key=True, autoincrement=False)
    last_id: Mapped[int] = mapped_column(BigInteger)
    last_hash: Mapped[str] = mapped_column(String(64))


def _one_of(column: str, values: type[StrEnum]) -> str:
    return f"{column} IN ({', '.join(repr(v.value) for v in values)})"


class AppraisalTaskRow(Base):
    """The formal appraisal a party's objection to an inquiry opens; its existence marks the
    inquiry disputed (the ledger entry itself is never updated). One per inquiry."""

    __tablename__ = "appraisal_tasks"
    __table_args__ = (
        CheckConstraint(_one_of("party", Party), name="party_known"),
        CheckConstraint(_one_of("ground", ObjectionGround), name="ground_known"),
        CheckConstraint(_one_of("status", AppraisalStatus), name="status_known"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    ledger_entry_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("ledger_entries.id", ondelete="RESTRICT"), unique=True
    )
    case_number: Mapped[str | None] = mapped_column(String(64))
    filed_by_key_id: Mapped[int] = mapped_column(
        ForeignKey("api_keys.id", ondelete="RESTRICT"), index=True
    )
    party: Mapped[str] = mapped_column(String(32))
    ground: Mapped[str] = mapped_column(String(64))
    grounds: Mapped[str] = mapped_column(String(GROUNDS_MAX_CHARS))
    received_report_on: Mapped[dt.date] = mapped_column(Date)
    submitted_on: Mapped[dt.date] = mapped_column(Date)
    registered_on: Mapped[dt.date] = mapped_column(Date)
    objection_deadline: Mapped[dt.date] = mapped_column(Date)
    due_on: Mapped[dt.date] = mapped_column(Date, index=True)
    status: Mapped[str] = mapped_column(String(16))
    dates_provisional: Mapped[bool] = mapped_column(Boolean, server_default=false())
    started_on: Mapped[dt.date | None] = mapped_column(Date)
    closed_on: Mapped[dt.date | None] = mapped_column(Date)
    progress_note: Mapped[str | None] = mapped_column(String(PROGRESS_NOTE_MAX_CHARS))
    objection_late: Mapped[bool] = mapped_column(Boolean, server_default=false())
    appraised_value: Mapped[Decimal | None] = mapped_column(Numeric(15, 2))
    closed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class SaleRow(Base):
    """What an inquired asset sold for, one per inquiry, beside the inquiry's answer (copied
    from its ledger entry, which is never updated)."""

    __tablename__ = "auction_sales"
    __table_args__ = (CheckConstraint(_one_of("round", SaleRound), name="round_known"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    ledger_entry_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("ledger_entries.id", ondelete="RESTRICT"), unique=True
    )
    kind: Mapped[str] = mapped_column(String(16), index=True)
    case_number: Mapped[str | None] = mapped_column(String(64))
    inquired_on: Mapped[dt.date] = mapped_column(Date)
    estimate: Mapped[float] = mapped_column(Float)
    lower: Mapped[float | None] = mapped_column(Float)
    upper: Mapped[float | None] = mapped_column(Float)
    price: Mapped[Decimal] = mapped_column(Numeric(15, 2))
    sold_on: Mapped[dt.date] = mapped_column(Date, index=True)
    round: Mapped[str] = mapped_column(String(8))
    note: Mapped[str | None] = mapped_column(String(SALE_NOTE_MAX_CHARS))
    recorded_by_key_id: Mapped[int] = mapped_column(
        ForeignKey("api_keys.id", ondelete="RESTRICT"), index=True
    )
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))

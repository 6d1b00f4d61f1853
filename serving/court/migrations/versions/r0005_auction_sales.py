"""Auction sales: what an inquired asset finally sold for, one row per inquiry, with the
inquiry's value and interval copied beside it (the ledger entry is never updated).

Revision ID: 0005_auction_sales
Revises: 0004_appraisal_progress
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_auction_sales"
down_revision: str | None = "0004_appraisal_progress"
branch_labels: tuple[str, ...] | None = None
depends_on: tuple[str, ...] | None = None

# models.court.sales as it is at this revision; a migration must not change when the code does.
ROUNDS = ("一拍", "二拍", "变卖")
NOTE_MAX_CHARS = 500
INDEXED = ("kind", "sold_on", "recorded_by_key_id")


def upgrade() -> None:
    """Create auction_sales."""
    op.create_table(
        "auction_sales",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("ledger_entry_id", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("case_number", sa.String(64), nullable=True),
        sa.Column("inquired_on", sa.Date(), nullable=False),
        sa.Column("estimate", sa.Float(), nullable=False),
        sa.Column("lower", sa.Float(), nullable=True),
        sa.Column("upper", sa.Float(), nullable=True),
        sa.Column("price", sa.Numeric(15, 2), nullable=False),
        sa.Column("sold_on", sa.Date(), nullable=False),
        sa.Column("round", sa.String(8), nullable=False),
        sa.Column("note", sa.String(NOTE_MAX_CHARS), nullable=True),
        sa.Column("recorded_by_key_id", sa.Integer(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "round IN (" + ", ".join(repr(r) for r in ROUNDS) + ")",
            name=op.f("ck_auction_sales_round_known"),
        ),
        sa.ForeignKeyConstraint(
            ["ledger_entry_id"],
            ["ledger_entries.id"],
            name=op.f("fk_auction_sales_ledger_entry_id_ledger_entries"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_key_id"],
            ["api_keys.id"],
            name=op.f("fk_auction_sales_recorded_by_key_id_api_keys"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_auction_sales")),
        sa.UniqueConstraint("ledger_entry_id", name=op.f("uq_auction_sales_ledger_entry_id")),
    )
    for column in INDEXED:
        op.create_index(op.f(f"ix_auction_sales_{column}"), "auction_sales", [column])


def downgrade() -> None:
    """Drop auction_sales (forgets the recorded sales)."""
    for column in reversed(INDEXED):
        op.drop_index(op.f(f"ix_auction_sales_{column}"), table_name="auction_sales")
    op.drop_table("auction_sales")

"""Appraisal tasks: the formal appraisal a party's objection to an inquiry opens.

The ledger is hash-chained and never updated, so whether an inquiry is disputed lives here: one
row per objected inquiry (``ledger_entry_id`` is unique).

Revision ID: 0002_appraisal_tasks
Revises: 0001_keys_and_ledger
Create Date: 2025-06-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_appraisal_tasks"
down_revision: str | None = "0001_keys_and_ledger"
branch_labels: tuple[str, ...] | None = None
depends_on: tuple[str, ...] | None = None

# The enum values of models.court.objections as they were at this revision; a migration must
# not change when the code does (a test checks they still agree).
PARTIES = ("申请执行人", "被执行人", "利害关系人")
GROUNDS = (
    "财产基本信息错误",
    "超出财产范围或者遗漏财产",
    "询价或评估程序违法",
    "参照标准、计算方法或者结果有误",
)
STATUSES = ("待启动", "已启动", "已完成", "已撤回")
#: ObjectionRequest.grounds' max_length.
GROUNDS_MAX_CHARS = 5000


def _one_of(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def upgrade() -> None:
    """Create appraisal_tasks."""
    op.create_table(
        "appraisal_tasks",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("ledger_entry_id", sa.BigInteger(), nullable=False),
        sa.Column("case_number", sa.String(64), nullable=True),
        sa.Column("filed_by_key_id", sa.Integer(), nullable=False),
        sa.Column("party", sa.String(32), nullable=False),
        sa.Column("ground", sa.String(64), nullable=False),
        sa.Column("grounds", sa.String(GROUNDS_MAX_CHARS), nullable=False),
        sa.Column("received_report_on", sa.Date(), nullable=False),
        sa.Column("submitted_on", sa.Date(), nullable=False),
        sa.Column("registered_on", sa.Date(), nullable=False),
        sa.Column("objection_deadline", sa.Date(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(_one_of("party", PARTIES), name=op.f("ck_appraisal_tasks_party_known")),
        sa.CheckConstraint(
            _one_of("ground", GROUNDS), name=op.f("ck_appraisal_tasks_ground_known")
        ),
        sa.CheckConstraint(
            _one_of("status", STATUSES), name=op.f("ck_appraisal_tasks_status_known")
        ),
        sa.ForeignKeyConstraint(
            ["ledger_entry_id"],
            ["ledger_entries.id"],
            name=op.f("fk_appraisal_tasks_ledger_entry_id_ledger_entries"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["filed_by_key_id"],
            ["api_keys.id"],
            name=op.f("fk_appraisal_tasks_filed_by_key_id_api_keys"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_appraisal_tasks")),
        sa.UniqueConstraint("ledger_entry_id", name=op.f("uq_appraisal_tasks_ledger_entry_id")),
    )
    for column in ("filed_by_key_id", "due_on"):
        op.create_index(op.f(f"ix_appraisal_tasks_{column}"), "appraisal_tasks", [column])


def downgrade() -> None:
    """Drop appraisal_tasks (forgets which inquiries are disputed)."""
    for column in ("due_on", "filed_by_key_id"):
        op.drop_index(op.f(f"ix_appraisal_tasks_{column}"), table_name="appraisal_tasks")
    op.drop_table("appraisal_tasks")

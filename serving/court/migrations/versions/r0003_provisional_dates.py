"""Appraisal tasks: whether their dates are provisional (the holiday calendar lacked the year).

Existing tasks were all dated on a known calendar, so they get ``false``.

Revision ID: 0003_provisional_dates
Revises: 0002_appraisal_tasks
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_provisional_dates"
down_revision: str | None = "0002_appraisal_tasks"
branch_labels: tuple[str, ...] | None = None
depends_on: tuple[str, ...] | None = None


def upgrade() -> None:
    """Add appraisal_tasks.dates_provisional, false for every task so far."""
    with op.batch_alter_table("appraisal_tasks") as batch:
        batch.add_column(
            sa.Column("dates_provisional", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    """Drop appraisal_tasks.dates_provisional."""
    with op.batch_alter_table("appraisal_tasks") as batch:
        batch.drop_column("dates_provisional")

"""Appraisal tasks: the day the appraisal started, the day the task closed, the latest note,
whether a provisionally accepted objection turned out late once its dates were settled, and
the appraised value recorded with the appraisal's end.

Tasks closed before this revision keep ``closed_at`` (when it was recorded) and get no
``closed_on``; none had a way to record a start, and none was settled.

Revision ID: 0004_appraisal_progress
Revises: 0003_provisional_dates
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_appraisal_progress"
down_revision: str | None = "0003_provisional_dates"
branch_labels: tuple[str, ...] | None = None
depends_on: tuple[str, ...] | None = None


def upgrade() -> None:
    """Add appraisal_tasks.started_on, closed_on, progress_note, appraised_value (empty) and
    objection_late (false)."""
    with op.batch_alter_table("appraisal_tasks") as batch:
        batch.add_column(sa.Column("started_on", sa.Date(), nullable=True))
        batch.add_column(sa.Column("closed_on", sa.Date(), nullable=True))
        batch.add_column(sa.Column("progress_note", sa.String(length=500), nullable=True))
        batch.add_column(
            sa.Column("objection_late", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch.add_column(sa.Column("appraised_value", sa.Numeric(15, 2), nullable=True))


def downgrade() -> None:
    """Drop the five columns."""
    with op.batch_alter_table("appraisal_tasks") as batch:
        batch.drop_column("appraised_value")
        batch.drop_column("objection_late")
        batch.drop_column("progress_note")
        batch.drop_column("closed_on")
        batch.drop_column("started_on")

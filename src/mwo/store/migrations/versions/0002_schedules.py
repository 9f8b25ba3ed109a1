"""Schedules and their fires: the stored next fire of each cron schedule, and one row per claimed
fire with UNIQUE(schedule_id, fire_time) so that several schedulers never fire twice.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _time(name: str, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    """Create `schedules`, then `schedule_fires`."""
    op.create_table(
        "schedules",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workflow_id", sa.Integer(), nullable=False),
        sa.Column("cron", sa.String(length=200), nullable=False),
        sa.Column("timezone", sa.String(length=100), nullable=False),
        sa.Column("misfire", sa.String(length=20), nullable=False),
        sa.Column("overlap", sa.String(length=20), nullable=False),
        sa.Column("catch_up_window_s", sa.Float(), nullable=False),
        sa.Column("jitter_s", sa.Float(), nullable=False),
        _time("start_at", nullable=True),
        _time("end_at", nullable=True),
        sa.Column("paused", sa.Boolean(), nullable=False),
        _time("next_fire_at", nullable=True),
        _time("next_due_at", nullable=True),
        _time("created_at"),
        _time("updated_at"),
        sa.ForeignKeyConstraint(
            ["workflow_id"],
            ["workflows.id"],
            name=op.f("fk_schedules_workflow_id_workflows"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_schedules")),
        sa.UniqueConstraint("workflow_id", name=op.f("uq_schedules_workflow_id")),
    )
    op.create_index("ix_schedules_next_due_at", "schedules", ["next_due_at"])
    op.create_table(
        "schedule_fires",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("schedule_id", sa.Integer(), nullable=False),
        _time("fire_time"),
        _time("due_at"),
        sa.Column("outcome", sa.String(length=20), nullable=False),
        sa.Column("run_id", sa.String(length=36), nullable=True),
        sa.Column("claimed_by", sa.String(length=200), nullable=False),
        _time("claimed_at"),
        sa.Column("acquired_by", sa.String(length=200), nullable=True),
        _time("acquired_until", nullable=True),
        _time("finished_at", nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["schedule_id"],
            ["schedules.id"],
            name=op.f("fk_schedule_fires_schedule_id_schedules"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_schedule_fires")),
        sa.UniqueConstraint("schedule_id", "fire_time", name=op.f("uq_schedule_fires_schedule_id_fire_time")),
    )
    op.create_index("ix_schedule_fires_outcome", "schedule_fires", ["outcome"])


def downgrade() -> None:
    """Drop both tables, children first."""
    op.drop_index("ix_schedule_fires_outcome", table_name="schedule_fires")
    op.drop_table("schedule_fires")
    op.drop_index("ix_schedules_next_due_at", table_name="schedules")
    op.drop_table("schedules")

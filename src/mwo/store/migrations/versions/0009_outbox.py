"""The outbox: one row per attempt of a step with an outside effect (API_CALL, NOTIFICATION), its
intent written with the attempt's step-run row, then delivered (with the receiver's receipt), failed
or unknown, so a step run again after a crash knows whether it was already sent.

Revision ID: 0009_outbox
Revises: 0007_authoring_sessions
Create Date: 2026-12-05
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009_outbox"
down_revision: str | Sequence[str] | None = "0008_run_lease_token"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create `outbox` and its (run, step) index."""
    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.String(length=36), nullable=False),
        sa.Column("step_id", sa.String(length=200), nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("step_run_id", sa.Integer(), nullable=False),
        sa.Column("idempotency_key", sa.String(length=300), nullable=False),
        sa.Column("policy", sa.String(length=20), nullable=False),
        sa.Column("channel", sa.String(length=40), nullable=False),
        sa.Column("target", sa.Text(), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("receipt", sa.JSON(), nullable=True),
        sa.Column("error", sa.JSON(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["run_id"], ["runs.id"], name=op.f("fk_outbox_run_id_runs"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["step_run_id"],
            ["step_runs.id"],
            name=op.f("fk_outbox_step_run_id_step_runs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox")),
        sa.UniqueConstraint("step_run_id", name=op.f("uq_outbox_step_run_id")),
    )
    op.create_index("ix_outbox_run_id_step_id", "outbox", ["run_id", "step_id"], unique=False)


def downgrade() -> None:
    """Drop the table."""
    op.drop_index("ix_outbox_run_id_step_id", table_name="outbox")
    op.drop_table("outbox")

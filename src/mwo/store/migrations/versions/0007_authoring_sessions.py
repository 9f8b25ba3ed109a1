"""Authoring sessions: a request turned into a workflow (or an edit of one), the answers given to its
questions, its status and last result, and the progress events the pipeline wrote (numbered per
session, so the CLI, the API and the UI follow a session by polling `after=N`).

Revision ID: 0007_authoring_sessions
Revises: 0006_repair_proposals
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007_authoring_sessions"
down_revision: str | Sequence[str] | None = "0006_repair_proposals"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _time(name: str, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    """Create `authoring_sessions` and `authoring_events`."""
    op.create_table(
        "authoring_sessions",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("request", sa.Text(), nullable=False),
        sa.Column("workflow_name", sa.String(length=80), nullable=True),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("result", sa.JSON(), nullable=True),
        _time("created_at"),
        _time("updated_at"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_authoring_sessions")),
    )
    op.create_index(
        op.f("ix_authoring_sessions_created_at"), "authoring_sessions", ["created_at"], unique=False
    )
    op.create_table(
        "authoring_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.String(length=36), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("stage", sa.String(length=40), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        _time("created_at"),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["authoring_sessions.id"],
            name=op.f("fk_authoring_events_session_id_authoring_sessions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_authoring_events")),
        sa.UniqueConstraint("session_id", "seq", name=op.f("uq_authoring_events_session_id_seq")),
    )


def downgrade() -> None:
    """Drop both tables."""
    op.drop_table("authoring_events")
    op.drop_index(op.f("ix_authoring_sessions_created_at"), table_name="authoring_sessions")
    op.drop_table("authoring_sessions")

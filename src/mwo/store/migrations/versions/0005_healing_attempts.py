"""Healing attempts: every candidate the repair loop tried (a deterministic fixer's or the model's),
with its findings, its diff against the code it started from, the model, tokens, seconds and whether
it was kept, so the CLI, the API and the UI can show a repair as it happens and afterwards.

Revision ID: 0005_healing_attempts
Revises: 0004
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005_healing_attempts"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create `healing_attempts`, indexed by subject (a repair is read back by what it repaired)."""
    op.create_table(
        "healing_attempts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("repair_id", sa.String(length=36), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("candidate", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("findings", sa.JSON(), nullable=False),
        sa.Column("diff", sa.Text(), nullable=False),
        sa.Column("model", sa.String(length=200), nullable=True),
        sa.Column("tokens", sa.Integer(), nullable=False),
        sa.Column("seconds", sa.Float(), nullable=False),
        sa.Column("accepted", sa.Boolean(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_healing_attempts")),
    )
    op.create_index(op.f("ix_healing_attempts_subject"), "healing_attempts", ["subject"])
    op.create_index(op.f("ix_healing_attempts_repair_id"), "healing_attempts", ["repair_id"])


def downgrade() -> None:
    """Drop the table."""
    op.drop_table("healing_attempts")

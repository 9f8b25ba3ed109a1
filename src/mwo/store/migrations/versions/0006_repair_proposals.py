"""Run-time repair: `repair_proposals` (a fix found for a step that failed in a run, waiting for a
person or applied by `repair: auto`), and `step_runs.version_id`, the workflow version each attempt
ran with (a repaired run continues on a newer version than its first steps ran with).

Revision ID: 0006_repair_proposals
Revises: 0005_healing_attempts
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006_repair_proposals"
down_revision: str | Sequence[str] | None = "0005_healing_attempts"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _time(name: str, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    """Create `repair_proposals`; add `step_runs.version_id` (NULL for the rows written before)."""
    op.create_table(
        "repair_proposals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.String(length=36), nullable=False),
        sa.Column("step_id", sa.String(length=200), nullable=False),
        sa.Column("step_type", sa.String(length=50), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("base_version_id", sa.Integer(), nullable=False),
        sa.Column("new_version_id", sa.Integer(), nullable=True),
        sa.Column("error", sa.JSON(), nullable=False),
        sa.Column("input", sa.JSON(none_as_null=True), nullable=True),
        sa.Column("original", sa.Text(), nullable=False),
        sa.Column("proposed", sa.Text(), nullable=True),
        sa.Column("proposed_spec", sa.Text(), nullable=True),
        sa.Column("diff", sa.Text(), nullable=False),
        sa.Column("findings", sa.JSON(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("seconds", sa.Float(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("repair_id", sa.String(length=36), nullable=True),
        _time("created_at"),
        sa.Column("decided_by", sa.String(length=200), nullable=True),
        _time("decided_at", nullable=True),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["run_id"], ["runs.id"], name=op.f("fk_repair_proposals_run_id_runs"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["base_version_id"],
            ["workflow_versions.id"],
            name=op.f("fk_repair_proposals_base_version_id_workflow_versions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["new_version_id"],
            ["workflow_versions.id"],
            name=op.f("fk_repair_proposals_new_version_id_workflow_versions"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_repair_proposals")),
    )
    op.create_index("ix_repair_proposals_run_id_id", "repair_proposals", ["run_id", "id"])
    op.create_index(op.f("ix_repair_proposals_status"), "repair_proposals", ["status"])
    with op.batch_alter_table("step_runs") as batch:
        batch.add_column(sa.Column("version_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            op.f("fk_step_runs_version_id_workflow_versions"),
            "workflow_versions",
            ["version_id"],
            ["id"],
            ondelete="CASCADE",
        )


def downgrade() -> None:
    """Drop the column and the table."""
    with op.batch_alter_table("step_runs") as batch:
        batch.drop_constraint(op.f("fk_step_runs_version_id_workflow_versions"), type_="foreignkey")
        batch.drop_column("version_id")
    op.drop_table("repair_proposals")

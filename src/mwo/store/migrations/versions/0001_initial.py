"""Initial schema: workflows, versions, folders, tags, runs, step runs, logs, approvals, secrets,
inbox messages and LLM call traces.

Revision ID: 0001
Revises:
Create Date: 2026-11-25

Written against `mwo.store.tables` but frozen here with plain SQLAlchemy types: a migration must
keep creating the same schema after the models move on. Times are `TIMESTAMP WITH TIME ZONE`
(SQLite stores UTC text), statuses are VARCHAR(20).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _time(name: str, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _fk(column: str, table: str, target: str, ondelete: str) -> sa.ForeignKeyConstraint:
    target_table = target.split(".")[0]
    return sa.ForeignKeyConstraint(
        [column], [target], name=op.f(f"fk_{table}_{column}_{target_table}"), ondelete=ondelete
    )


def upgrade() -> None:
    """Create every table, parents before children."""
    _workflow_tables()
    _run_tables()
    _other_tables()


def _workflow_tables() -> None:
    op.create_table(
        "folders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("path", sa.String(length=500), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_folders")),
        sa.UniqueConstraint("path", name=op.f("uq_folders_path")),
    )
    op.create_table(
        "tags",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tags")),
        sa.UniqueConstraint("name", name=op.f("uq_tags_name")),
    )
    op.create_table(
        "workflows",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("folder_id", sa.Integer(), nullable=True),
        _time("created_at"),
        _time("updated_at"),
        _fk("folder_id", "workflows", "folders.id", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workflows")),
        sa.UniqueConstraint("name", name=op.f("uq_workflows_name")),
    )
    op.create_table(
        "workflow_tags",
        sa.Column("workflow_id", sa.Integer(), nullable=False),
        sa.Column("tag_id", sa.Integer(), nullable=False),
        _fk("tag_id", "workflow_tags", "tags.id", "CASCADE"),
        _fk("workflow_id", "workflow_tags", "workflows.id", "CASCADE"),
        sa.PrimaryKeyConstraint("workflow_id", "tag_id", name=op.f("pk_workflow_tags")),
    )
    op.create_table(
        "workflow_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workflow_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("spec_yaml", sa.Text(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        _time("created_at"),
        _fk("workflow_id", "workflow_versions", "workflows.id", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workflow_versions")),
        sa.UniqueConstraint("workflow_id", "number", name=op.f("uq_workflow_versions_workflow_id_number")),
    )


def _run_tables() -> None:
    op.create_table(
        "runs",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("workflow_id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("trigger", sa.String(length=50), nullable=False),
        sa.Column("inputs", sa.JSON(), nullable=False),
        sa.Column("output", sa.JSON(), nullable=True),
        sa.Column("error", sa.JSON(), nullable=True),
        _time("created_at"),
        _time("started_at", nullable=True),
        _time("finished_at", nullable=True),
        sa.Column("cancel_requested", sa.Boolean(), nullable=False),
        sa.Column("acquired_by", sa.String(length=200), nullable=True),
        _time("acquired_until", nullable=True),
        sa.Column("retry_of", sa.String(length=36), nullable=True),
        _fk("retry_of", "runs", "runs.id", "SET NULL"),
        _fk("version_id", "runs", "workflow_versions.id", "CASCADE"),
        _fk("workflow_id", "runs", "workflows.id", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_runs")),
    )
    op.create_index("ix_runs_status", "runs", ["status"])
    op.create_index("ix_runs_workflow_id_created_at", "runs", ["workflow_id", "created_at"])
    op.create_table(
        "step_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.String(length=36), nullable=False),
        sa.Column("step_id", sa.String(length=200), nullable=False),
        sa.Column("step_type", sa.String(length=50), nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("input", sa.JSON(), nullable=True),
        sa.Column("output", sa.JSON(), nullable=True),
        sa.Column("error", sa.JSON(), nullable=True),
        _time("started_at"),
        _time("finished_at", nullable=True),
        _fk("run_id", "step_runs", "runs.id", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_step_runs")),
        sa.UniqueConstraint("run_id", "step_id", "attempt", name=op.f("uq_step_runs_run_id_step_id_attempt")),
    )
    op.create_table(
        "step_logs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.String(length=36), nullable=False),
        sa.Column("step_id", sa.String(length=200), nullable=True),
        sa.Column("level", sa.String(length=20), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        _time("created_at"),
        _fk("run_id", "step_logs", "runs.id", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_step_logs")),
    )
    op.create_index(op.f("ix_step_logs_run_id"), "step_logs", ["run_id"])
    op.create_table(
        "approvals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.String(length=36), nullable=False),
        sa.Column("step_id", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        _time("requested_at"),
        _time("expires_at", nullable=True),
        sa.Column("decided_by", sa.String(length=200), nullable=True),
        _time("decided_at", nullable=True),
        sa.Column("comment", sa.Text(), nullable=True),
        _fk("run_id", "approvals", "runs.id", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_approvals")),
        sa.UniqueConstraint("run_id", "step_id", name=op.f("uq_approvals_run_id_step_id")),
    )
    op.create_index(op.f("ix_approvals_status"), "approvals", ["status"])


def _other_tables() -> None:
    op.create_table(
        "secrets",
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("ciphertext", sa.Text(), nullable=False),
        _time("created_at"),
        _time("updated_at"),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_secrets")),
    )
    op.create_table(
        "inbox_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.String(length=36), nullable=True),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        _time("created_at"),
        _time("read_at", nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inbox_messages")),
    )
    op.create_index(op.f("ix_inbox_messages_run_id"), "inbox_messages", ["run_id"])
    op.create_table(
        "llm_calls",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.String(length=36), nullable=True),
        sa.Column("step_id", sa.String(length=200), nullable=True),
        sa.Column("caller", sa.String(length=100), nullable=False),
        sa.Column("model", sa.String(length=200), nullable=False),
        sa.Column("prompt_tokens", sa.Integer(), nullable=False),
        sa.Column("completion_tokens", sa.Integer(), nullable=False),
        sa.Column("latency_ms", sa.Float(), nullable=False),
        sa.Column("prompt", sa.Text(), nullable=False),
        sa.Column("response", sa.Text(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("extra", sa.JSON(), nullable=False),
        _time("created_at"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_llm_calls")),
    )
    op.create_index(op.f("ix_llm_calls_run_id"), "llm_calls", ["run_id"])


def downgrade() -> None:
    """Drop every table, children before parents."""
    for table in (
        "llm_calls",
        "inbox_messages",
        "secrets",
        "approvals",
        "step_logs",
        "step_runs",
        "runs",
        "workflow_versions",
        "workflow_tags",
        "workflows",
        "tags",
        "folders",
    ):
        op.drop_table(table)

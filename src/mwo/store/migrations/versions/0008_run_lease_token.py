"""The run lease's fencing token: `runs.lease_token`, +1 for each new tenure of the lease, so a
process that lost a run (paused past its lease, partitioned) cannot commit its late writes.

Revision ID: 0008_run_lease_token
Revises: 0007_authoring_sessions
Create Date: 2026-12-05
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008_run_lease_token"
down_revision: str | Sequence[str] | None = "0007_authoring_sessions"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add `runs.lease_token` (0 for existing runs: their next holder takes token 1)."""
    with op.batch_alter_table("runs") as batch:
        batch.add_column(sa.Column("lease_token", sa.Integer(), server_default="0", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("runs") as batch:
        batch.drop_column("lease_token")

"""The reads behind run statistics: two narrow queries, filtered and grouped in the database."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from mwo.store.abc import StatsStore
from mwo.store.records import RunOutcome, StepFailureCount, StepStatus
from mwo.store.sql_common import SqlBase, workflow_row
from mwo.store.tables import RunRow, StepRunRow, WorkflowRow


class SqlStatsStore(SqlBase, StatsStore):
    def list_run_outcomes(
        self, workflow_name: str | None = None, since: datetime | None = None
    ) -> list[RunOutcome]:
        query = (
            select(
                RunRow.id,
                WorkflowRow.name,
                RunRow.status,
                RunRow.created_at,
                RunRow.started_at,
                RunRow.finished_at,
                RunRow.error["type"].as_string(),
                RunRow.error["step"].as_string(),
            )
            .join(WorkflowRow, RunRow.workflow_id == WorkflowRow.id)
            .order_by(RunRow.created_at, RunRow.id)
        )
        with self._db.session_scope(read_only=True) as session:
            query = _filtered(session, query, workflow_name, since)
            return [RunOutcome(*row) for row in session.execute(query)]

    def count_step_failures(
        self, workflow_name: str | None = None, since: datetime | None = None
    ) -> list[StepFailureCount]:
        error_type = func.coalesce(StepRunRow.error["type"].as_string(), "unknown")
        attempts = func.count(StepRunRow.id)
        query = (
            select(
                WorkflowRow.name,
                StepRunRow.step_id,
                StepRunRow.step_type,
                error_type,
                attempts,
                func.max(func.coalesce(StepRunRow.finished_at, StepRunRow.started_at)),
            )
            .join(RunRow, StepRunRow.run_id == RunRow.id)
            .join(WorkflowRow, RunRow.workflow_id == WorkflowRow.id)
            .where(StepRunRow.status == StepStatus.FAILED)
            .group_by(WorkflowRow.name, StepRunRow.step_id, StepRunRow.step_type, error_type)
            .order_by(attempts.desc(), WorkflowRow.name, StepRunRow.step_id, error_type)
        )
        with self._db.session_scope(read_only=True) as session:
            query = _filtered(session, query, workflow_name, since)
            return [StepFailureCount(*row) for row in session.execute(query)]


def _filtered(
    session: Session, query: Select[Any], workflow_name: str | None, since: datetime | None
) -> Select[Any]:
    if workflow_name is not None:
        query = query.where(RunRow.workflow_id == workflow_row(session, workflow_name).id)
    if since is not None:
        query = query.where(RunRow.created_at >= since)
    return query

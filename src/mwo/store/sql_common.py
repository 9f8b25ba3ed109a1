"""What the SQL store's parts share: the state they are built with, row -> record conversion, and
the few query helpers every part needs.

Rows never leave the store; every public method returns records built here, inside the transaction
that read the rows.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import Select, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from mwo.clock import utc_now
from mwo.store.database import Database
from mwo.store.errors import NotFound
from mwo.store.records import (
    ApprovalRecord,
    InboxMessage,
    LlmCallRecord,
    RunRecord,
    StepLogRecord,
    StepRunRecord,
    VersionRecord,
    WorkflowRecord,
)
from mwo.store.rules_runs import LIST_RUNS_FIX
from mwo.store.rules_workflows import LIST_WORKFLOWS_FIX
from mwo.store.secret_key import SecretKeySource
from mwo.store.tables import (
    ApprovalRow,
    Base,
    InboxMessageRow,
    LlmCallRow,
    RunRow,
    StepLogRow,
    StepRunRow,
    VersionRow,
    WorkflowRow,
)

R = TypeVar("R", bound=Base)


class SqlBase:
    """The state every part of SqlStore works with, set once by SqlStore's constructor."""

    def __init__(
        self,
        database: Database,
        secret_key: SecretKeySource,
        *,
        run_lease_s: float,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self._db = database
        self._secret_key = secret_key
        self._run_lease = timedelta(seconds=run_lease_s)
        # Only for verbs whose signature has no `now` (saving versions, tagging); the rest take `now`.
        self._clock = clock


def insert_or_get(session: Session, row: R, lookup: Select[R]) -> tuple[R, bool]:
    """Insert `row`, or return the row `lookup` finds when a concurrent writer inserted it first.

    Callers look the row up first; this closes the race between that look-up and the insert
    (a unique constraint fires inside a savepoint, so the outer transaction survives).
    """
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:
        return session.scalars(lookup).one(), False
    return row, True


def workflow_row(session: Session, name: str, *, for_update: bool = False) -> WorkflowRow:
    """The workflow row called `name` (locked when `for_update`); raises NotFound."""
    statement = select(WorkflowRow).where(WorkflowRow.name == name)
    if for_update:
        statement = statement.with_for_update(of=WorkflowRow)
    row = session.scalars(statement).one_or_none()
    if row is None:
        raise NotFound(f"no workflow named {name!r}", fix=LIST_WORKFLOWS_FIX)
    return row


def run_row(session: Session, run_id: str, *, for_update: bool = False) -> RunRow:
    """The run row with exactly this id (locked when `for_update`); raises NotFound."""
    row = session.get(RunRow, run_id, with_for_update=for_update)
    if row is None:
        raise NotFound(f"no run with id {run_id!r}", fix=LIST_RUNS_FIX)
    return row


def latest_version_number(session: Session, workflow_id: int) -> int:
    """The newest version number of a workflow, 0 while it has none."""
    number = session.scalar(
        select(VersionRow.number)
        .where(VersionRow.workflow_id == workflow_id)
        .order_by(VersionRow.number.desc())
        .limit(1)
    )
    return number or 0


def to_workflow(row: WorkflowRow, latest_version: int) -> WorkflowRecord:
    """A WorkflowRecord; the folder and tags come from the row's eagerly loaded relationships."""
    return WorkflowRecord(
        id=row.id,
        name=row.name,
        description=row.description,
        enabled=row.enabled,
        folder=row.folder.path if row.folder is not None else None,
        tags=tuple(tag.name for tag in row.tags),
        latest_version=latest_version,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def to_version(row: VersionRow) -> VersionRecord:
    """A VersionRecord; the workflow name comes from the eagerly joined workflow row."""
    return VersionRecord(
        id=row.id,
        workflow_id=row.workflow_id,
        workflow_name=row.workflow.name,
        number=row.number,
        spec_yaml=row.spec_yaml,
        content_hash=row.content_hash,
        message=row.message,
        created_at=row.created_at,
    )


def run_query() -> Select[RunRow, str, int]:
    """Runs with the two names a RunRecord shows, without loading the version's spec text."""
    return (
        select(RunRow, WorkflowRow.name, VersionRow.number)
        .join(WorkflowRow, RunRow.workflow_id == WorkflowRow.id)
        .join(VersionRow, RunRow.version_id == VersionRow.id)
    )


def run_record(session: Session, run_id: str) -> RunRecord:
    """The record of the run with exactly this id, as it is in this transaction; raises NotFound."""
    found = session.execute(run_query().where(RunRow.id == run_id)).one_or_none()
    if found is None:
        raise NotFound(f"no run with id {run_id!r}", fix=LIST_RUNS_FIX)
    return to_run(*found)


def to_run(row: RunRow, workflow_name: str, version_number: int) -> RunRecord:
    """A RunRecord from one row of `run_query()`."""
    return RunRecord(
        id=row.id,
        workflow_id=row.workflow_id,
        workflow_name=workflow_name,
        version_id=row.version_id,
        version_number=version_number,
        status=row.status,
        trigger=row.trigger,
        inputs=row.inputs,
        output=row.output,
        error=row.error,
        created_at=row.created_at,
        started_at=row.started_at,
        finished_at=row.finished_at,
        cancel_requested=row.cancel_requested,
        acquired_by=row.acquired_by,
        acquired_until=row.acquired_until,
        retry_of=row.retry_of,
    )


# The remaining converters copy columns one to one.


def to_step_run(row: StepRunRow) -> StepRunRecord:
    return StepRunRecord(
        id=row.id,
        run_id=row.run_id,
        step_id=row.step_id,
        step_type=row.step_type,
        attempt=row.attempt,
        status=row.status,
        input=row.input,
        output=row.output,
        error=row.error,
        started_at=row.started_at,
        finished_at=row.finished_at,
        version_id=row.version_id,
    )


def to_log(row: StepLogRow) -> StepLogRecord:
    return StepLogRecord(
        id=row.id,
        run_id=row.run_id,
        step_id=row.step_id,
        level=row.level,
        message=row.message,
        created_at=row.created_at,
    )


def to_approval(row: ApprovalRow) -> ApprovalRecord:
    return ApprovalRecord(
        id=row.id,
        run_id=row.run_id,
        step_id=row.step_id,
        status=row.status,
        message=row.message,
        requested_at=row.requested_at,
        expires_at=row.expires_at,
        decided_by=row.decided_by,
        decided_at=row.decided_at,
        comment=row.comment,
    )


def to_message(row: InboxMessageRow) -> InboxMessage:
    return InboxMessage(
        id=row.id,
        run_id=row.run_id,
        title=row.title,
        body=row.body,
        created_at=row.created_at,
        read_at=row.read_at,
    )


def to_llm_call(row: LlmCallRow) -> LlmCallRecord:
    """An LlmCallRecord with the id and created_at the store assigned."""
    extra: dict[str, Any] = dict(row.extra or {})
    return LlmCallRecord(
        id=row.id,
        caller=row.caller,
        model=row.model,
        prompt=row.prompt,
        response=row.response,
        prompt_tokens=row.prompt_tokens,
        completion_tokens=row.completion_tokens,
        latency_ms=row.latency_ms,
        run_id=row.run_id,
        step_id=row.step_id,
        error=row.error,
        created_at=row.created_at,
        extra=extra,
    )

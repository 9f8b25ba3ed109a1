"""Run rows on the Core hot paths: every run is inserted and read through these prepared statements,
whoever creates it (a person, the scheduler, a webhook), so the record is built once, the same way.

Statement objects are built at import and executed with parameters: rebuilding them per call costs
more than the SQL (cache keys, coercions), and a run passes here several times.
"""

from __future__ import annotations

import uuid
from dataclasses import fields, replace
from datetime import datetime, timezone
from typing import Any, NoReturn, cast

from sqlalchemy import Connection, Table, bindparam, exists, insert, select
from sqlalchemy.engine import Dialect

from mwo.store.errors import LeaseLost, NotFound
from mwo.store.records import RunLease, RunRecord, RunStatus
from mwo.store.rules_runs import LIST_RUNS_FIX, lease_of_run
from mwo.store.rules_workflows import LIST_WORKFLOWS_FIX
from mwo.store.sql_driver import DriverStatement
from mwo.store.tables import RunRow, StepRunRow, VersionRow, WorkflowRow

RUNS = cast(Table, RunRow.__table__)
_RUN_ROW_FIELDS = tuple(f.name for f in fields(RunRecord) if f.name in RUNS.c)
_INSERT_RUN = insert(RUNS)
# A run in RunRecord's field order.
_RUN_RECORD_COLUMNS = (
    RunRow.id,
    RunRow.workflow_id,
    WorkflowRow.name,
    RunRow.version_id,
    VersionRow.number,
    RunRow.status,
    RunRow.trigger,
    RunRow.inputs,
    RunRow.output,
    RunRow.error,
    RunRow.created_at,
    RunRow.started_at,
    RunRow.finished_at,
    RunRow.cancel_requested,
    RunRow.acquired_by,
    RunRow.acquired_until,
    RunRow.retry_of,
)
RUN_BY_ID = (
    select(*_RUN_RECORD_COLUMNS)
    .join(WorkflowRow, RunRow.workflow_id == WorkflowRow.id)
    .join(VersionRow, RunRow.version_id == VersionRow.id)
    .where(RunRow.id == bindparam("run_id"))
)
RUN_BY_ID_LOCKED = RUN_BY_ID.with_for_update(of=RunRow)
# The same row and its lease token, locked: a fenced status change checks its lease on what it read.
_RUN_AND_TOKEN_LOCKED = (
    select(*_RUN_RECORD_COLUMNS, RunRow.lease_token)
    .join(WorkflowRow, RunRow.workflow_id == WorkflowRow.id)
    .join(VersionRow, RunRow.version_id == VersionRow.id)
    .where(RunRow.id == bindparam("run_id"))
    .with_for_update(of=RunRow)
)
RUN_EXISTS = select(RunRow.id).where(RunRow.id == bindparam("run_id"))
STEPS = cast(Table, StepRunRow.__table__)
STEP_COLUMNS = tuple(STEPS.columns)
_STEP_VALUES = [column for column in STEP_COLUMNS if column.name != "id"]
_INSERT_STEP = insert(cast(Table, StepRunRow.__table__)).returning(*STEP_COLUMNS)
_STEP_BINDS = {column.name: bindparam(column.name, type_=column.type) for column in _STEP_VALUES}
# The executor's step row, written only while its lease holds: the check is the INSERT's own
# condition (the run row share-locked on PostgreSQL until commit, as `hold_lease`), so a fenced step
# costs one statement, not a read and a write: this runs for every step of every run.
_INSERT_STEP_FENCED_BASE = insert(cast(Table, StepRunRow.__table__)).from_select(
    [column.name for column in _STEP_VALUES],
    select(*[bind.label(name) for name, bind in _STEP_BINDS.items()]).where(
        exists(
            select(RunRow.id)
            .where(
                RunRow.id == bindparam("run_id"),
                RunRow.acquired_by == bindparam("lease_owner"),
                RunRow.lease_token == bindparam("lease_token"),
            )
            .with_for_update(read=True)
        )
    ),
)
_INSERT_STEP_FENCED = _INSERT_STEP_FENCED_BASE.returning(*STEP_COLUMNS)
_INSERT_STEP_FENCED_QUIETLY = _INSERT_STEP_FENCED_BASE.returning(StepRunRow.id)
"""The fenced insert returning only the id, for rows nobody reads back (a step's row written with its
checkpoint): reading the whole row back parses its input and output JSON again, a third of the
insert. (The id, not the row count: psycopg reports none for this statement.)"""
_LEASE_OF = select(RunRow.acquired_by, RunRow.lease_token).where(RunRow.id == bindparam("run_id"))
_LEASE_OF_SHARED = _LEASE_OF.with_for_update(read=True)
_VERSION_NAMES = (
    select(VersionRow.workflow_id, WorkflowRow.name, VersionRow.number)
    .join(WorkflowRow, VersionRow.workflow_id == WorkflowRow.id)
    .where(VersionRow.id == bindparam("version_id"))
)


def read_run(connection: Connection, run_id: str, *, for_update: bool = False) -> RunRecord:
    """The run with exactly this id, as it is in this transaction; raises NotFound."""
    found = connection.execute(
        RUN_BY_ID_LOCKED if for_update else RUN_BY_ID, {"run_id": run_id}
    ).one_or_none()
    if found is None:
        raise NotFound(f"no run with id {run_id!r}", fix=LIST_RUNS_FIX)
    return RunRecord(*found)


def read_held_run(connection: Connection, lease: RunLease) -> RunRecord:
    """`read_run(for_update=True)` of the lease's run that also checks the lease, in one statement
    (`hold_lease(locked=True)` after the read was a second): LeaseLost unless the run still has the
    lease's owner and token."""
    found = connection.execute(_RUN_AND_TOKEN_LOCKED, {"run_id": lease.run_id}).one_or_none()
    _check_held(lease, None if found is None else (found.acquired_by, found.lease_token))
    assert found is not None  # _check_held raised NotFound otherwise
    return RunRecord(*found[:-1])


def _check_held(lease: RunLease, holder: tuple[Any, Any] | None) -> None:
    """NotFound when the run is missing (`holder` None); LeaseLost unless `holder`, the run's
    (owner, token) as read, is the lease's. Every lease check of this module ends here."""
    if holder is None:
        raise NotFound(f"no run with id {lease.run_id!r}", fix=LIST_RUNS_FIX)
    if tuple(holder) != (lease.owner, lease.token):
        raise LeaseLost(lease.run_id, lease.owner, lease.token)


def hold_lease(connection: Connection, lease: RunLease, *, locked: bool = False) -> None:
    """Raise LeaseLost unless the run still has the lease's owner and token; NotFound for no run.

    Writes the executor makes call this first in their own transaction. Unless the caller already
    locked the run row (`locked`), it is share-locked here on PostgreSQL (FOR SHARE) until the write
    commits, so a takeover (an UPDATE of that row) waits for it: a fenced write either commits
    before the new tenure begins or is refused. SQLite writers are serialised (BEGIN IMMEDIATE).
    """
    statement = _LEASE_OF if locked else _LEASE_OF_SHARED
    _check_held(lease, connection.execute(statement, {"run_id": lease.run_id}).one_or_none())


def insert_step_row(connection: Connection, values: dict[str, Any], lease: RunLease | None) -> Any:
    """Insert a step-run row (`values`: every column but the id) and return it; with the executor's
    `lease`, only while it holds (LeaseLost, or NotFound for no run, otherwise). The one step-row
    insert of both the run store and the outbox (which adds its intent in the same transaction)."""
    if lease is None:
        return connection.execute(_INSERT_STEP, values).one()
    lease = lease_of_run(lease, values["run_id"])
    fenced = {**values, "lease_owner": lease.owner, "lease_token": lease.token}
    row = connection.execute(_INSERT_STEP_FENCED, fenced).one_or_none()
    if row is None:
        _refuse_fenced(connection, lease)
    return row


class DriverStepRows:
    """Finished attempts' rows on a driver connection (`Database.driver_transaction`), in the
    checkpoint write of every step: the step-row inserts above (the fenced one returning only the
    id: reading the row back would parse its JSON again) compiled once for the store's dialect
    (`sql_driver`)."""

    def __init__(self, dialect: Dialect) -> None:
        self._insert = DriverStatement(insert(STEPS).values(_STEP_BINDS), dialect)
        self._insert_fenced = DriverStatement(_INSERT_STEP_FENCED_QUIETLY, dialect)
        self._lease_of = DriverStatement(_LEASE_OF_SHARED, dialect)

    def add(self, driver_connection: Any, values: dict[str, Any], lease: RunLease | None) -> None:
        """Insert a finished attempt's row (every column but the id); with `lease`, only while it
        holds: LeaseLost (NotFound for no run) and nothing written otherwise."""
        if lease is None:
            self._insert.execute(driver_connection, values)
            return
        lease = lease_of_run(lease, values["run_id"])
        fenced = {**values, "lease_owner": lease.owner, "lease_token": lease.token}
        if self._insert_fenced.execute(driver_connection, fenced) is None:
            self.hold(driver_connection, lease)
            raise LeaseLost(lease.run_id, lease.owner, lease.token)

    def hold(self, driver_connection: Any, lease: RunLease) -> None:
        """`hold_lease` on a driver connection."""
        _check_held(lease, self._lease_of.execute(driver_connection, {"run_id": lease.run_id}))


def _refuse_fenced(connection: Connection, lease: RunLease) -> NoReturn:
    """A fenced insert wrote nothing: say why (the lease's owner or token changed, or no such run)."""
    hold_lease(connection, lease)  # raises NotFound or LeaseLost
    raise LeaseLost(lease.run_id, lease.owner, lease.token)


def insert_run(
    connection: Connection,
    version_id: int,
    inputs: dict[str, Any],
    trigger: str,
    now: datetime,
    *,
    retry_of: str | None = None,
    workflow_id: int | None = None,
) -> RunRecord:
    """Insert a QUEUED run of `version_id` and return its record (as a read would: times in UTC).

    NotFound for an unknown version, a version that is not of `workflow_id` (when given), or an
    unknown `retry_of` run. A naive `now` is refused by the column type (ValueError).
    """
    names = connection.execute(_VERSION_NAMES, {"version_id": version_id}).one_or_none()
    if names is None or (workflow_id is not None and names.workflow_id != workflow_id):
        raise NotFound(f"no workflow version with id {version_id}", fix=LIST_WORKFLOWS_FIX)
    if retry_of is not None and connection.execute(RUN_EXISTS, {"run_id": retry_of}).first() is None:
        raise NotFound(f"no run with id {retry_of!r}", fix=LIST_RUNS_FIX)
    record = RunRecord(
        id=str(uuid.uuid4()),
        workflow_id=names.workflow_id,
        workflow_name=names.name,
        version_id=version_id,
        version_number=names.number,
        status=RunStatus.QUEUED,
        trigger=trigger,
        inputs=inputs,
        output=None,
        error=None,
        created_at=now,
        started_at=None,
        finished_at=None,
        cancel_requested=False,
        acquired_by=None,
        acquired_until=None,
        retry_of=retry_of,
    )
    connection.execute(_INSERT_RUN, {name: getattr(record, name) for name in _RUN_ROW_FIELDS})
    return replace(record, created_at=now.astimezone(timezone.utc))

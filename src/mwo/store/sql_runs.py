"""Runs, step runs and logs in SQL, with the lease that lets another process recover a crashed run."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import fields, replace
from datetime import datetime, timezone
from functools import cached_property
from typing import Any, cast

from sqlalchemy import CursorResult, and_, bindparam, case, or_, select, true, update
from sqlalchemy.exc import IntegrityError

from mwo.store.abc import CheckpointStore, RunStore
from mwo.store.errors import Conflict, NotFound
from mwo.store.records import (
    FinishedAttempt,
    LogLevel,
    RunFilter,
    RunLease,
    RunRecord,
    RunStatus,
    StepLogRecord,
    StepRunRecord,
    StepStatus,
)
from mwo.store.rules_runs import (
    FINAL_STEP_STATUSES,
    LIST_RUNS_FIX,
    MIN_RUN_ID_PREFIX,
    lease_of_run,
    refuse_final,
)
from mwo.store.sql_common import SqlBase, run_query, run_record, run_row, to_log, to_run, to_step_run
from mwo.store.sql_run_rows import (
    RUNS,
    STEP_COLUMNS,
    DriverStepRows,
    hold_lease,
    insert_run,
    insert_step_row,
    read_held_run,
    read_run,
)
from mwo.store.tables import RunRow, StepLogRow, StepRunRow, WorkflowRow

_ATTEMPT_FIELDS = tuple(f.name for f in fields(FinishedAttempt))
# Hot statements, built once and executed with parameters: every step of every run uses them, and a
# statement object rebuilt per call costs more than the SQL itself (cache keys, coercions).
_CANCEL_FLAG = select(RunRow.cancel_requested).where(RunRow.id == bindparam("run_id"))
_UPDATE_RUN_STATE = (
    update(RUNS)
    .where(RUNS.c.id == bindparam("b_id"))
    .values(
        status=bindparam("b_status"),
        started_at=bindparam("b_started_at"),
        finished_at=bindparam("b_finished_at"),
        output=bindparam("b_output"),
        error=bindparam("b_error"),
    )
)
# Taking a run's lease (see acquire_run_lease): free, expired, or already this owner's; a new tenure
# (anything but a live renewal) gets the next fencing token. Built once: every run passes here.
_ACQUIRE_LEASE = (
    update(RUNS)
    .where(
        RUNS.c.id == bindparam("b_id"),
        or_(
            RUNS.c.acquired_by.is_(None),
            RUNS.c.acquired_until < bindparam("b_now"),
            RUNS.c.acquired_by == bindparam("b_owner"),
        ),
    )
    .values(
        acquired_by=bindparam("b_owner"),
        acquired_until=bindparam("b_until"),
        lease_token=case(
            (
                and_(RUNS.c.acquired_by == bindparam("b_owner"), RUNS.c.acquired_until >= bindparam("b_now")),
                RUNS.c.lease_token,
            ),
            else_=RUNS.c.lease_token + 1,
        ),
    )
    .returning(RUNS.c.lease_token)
)
# A final state also lets go of the lease in the same write: nobody executes a finished run, and a
# reader never sees it finished yet still held (the executor's own release after it is a no-op).
_UPDATE_RUN_FINAL_STATE = _UPDATE_RUN_STATE.values(acquired_by=None, acquired_until=None)


class SqlRunStore(SqlBase, RunStore, CheckpointStore):
    """Runs, step runs and logs. A state change reads the row locked (FOR UPDATE on PostgreSQL, the
    write lock taken at BEGIN on SQLite), so the final-state rule holds between processes."""

    def create_run(
        self,
        version_id: int,
        inputs: dict[str, Any],
        trigger: str,
        now: datetime,
        retry_of: str | None = None,
    ) -> RunRecord:
        """Core statements built once: every run starts here (one read, one insert)."""
        with self._db.connection_scope() as connection:
            return insert_run(connection, version_id, inputs, trigger, now, retry_of=retry_of)

    def get_run(self, run_id: str) -> RunRecord:
        """Exact id first; otherwise a prefix of at least 6 characters that matches exactly one run."""
        with self._db.session_scope(read_only=True) as session:
            found = session.execute(run_query().where(RunRow.id == run_id)).one_or_none()
            if found is not None:
                return to_run(*found)
            if len(run_id) < MIN_RUN_ID_PREFIX:
                raise NotFound(
                    f"no run with id {run_id!r}",
                    fix=f"give the full run id or at least {MIN_RUN_ID_PREFIX} of its first characters",
                )
            matches = session.execute(
                run_query().where(RunRow.id.startswith(run_id, autoescape=True)).limit(2)
            ).all()
            if not matches:
                raise NotFound(f"no run id starts with {run_id!r}", fix=LIST_RUNS_FIX)
            if len(matches) > 1:
                raise NotFound(
                    f"run id prefix {run_id!r} is ambiguous: it matches several runs",
                    fix="give more characters of the run id",
                )
            return to_run(*matches[0])

    def list_runs(self, run_filter: RunFilter) -> list[RunRecord]:
        statement = run_query().order_by(RunRow.created_at.desc(), RunRow.id).limit(run_filter.limit)
        if run_filter.workflow_name is not None:
            statement = statement.where(WorkflowRow.name == run_filter.workflow_name)
        if run_filter.statuses:
            statement = statement.where(RunRow.status.in_(run_filter.statuses))
        with self._db.session_scope(read_only=True) as session:
            return [to_run(*found) for found in session.execute(statement)]

    def set_run_status(
        self,
        run_id: str,
        status: RunStatus,
        now: datetime,
        *,
        output: Any = None,
        error: dict[str, Any] | None = None,
        lease: RunLease | None = None,
    ) -> RunRecord:
        """`output` and `error` are written only when given, so a status change never erases them.
        Two Core statements (the row read locked, with its lease token when `lease` is given, then
        written): every run passes here twice; the lease is checked on the locked row, so a takeover
        cannot slip in before the write."""
        with self._db.connection_scope() as connection:
            if lease is None:
                run = read_run(connection, run_id, for_update=True)
            else:
                run = read_held_run(connection, lease_of_run(lease, run_id))
            refuse_final(run, f"move it to {status.value}")
            updated = replace(
                run,
                status=status,
                started_at=now if status is RunStatus.RUNNING and run.started_at is None else run.started_at,
                finished_at=now if status.is_final else run.finished_at,
                output=run.output if output is None else output,
                error=run.error if error is None else error,
            )
            connection.execute(
                _UPDATE_RUN_FINAL_STATE if status.is_final else _UPDATE_RUN_STATE,
                {
                    "b_id": run_id,
                    "b_status": updated.status,
                    "b_started_at": updated.started_at,
                    "b_finished_at": updated.finished_at,
                    "b_output": updated.output,
                    "b_error": updated.error,
                },
            )
        if status.is_final:
            updated = replace(updated, acquired_by=None, acquired_until=None)
        # The update refused a naive `now`; times come back in UTC as they would from a read.
        return replace(
            updated,
            started_at=updated.started_at and updated.started_at.astimezone(timezone.utc),
            finished_at=updated.finished_at and updated.finished_at.astimezone(timezone.utc),
        )

    def reopen_run(self, run_id: str, now: datetime) -> RunRecord:
        """FAILED -> QUEUED with error and finished_at cleared; started_at and the step runs stay, so
        the history shows the failed attempts before the retried ones."""
        with self._db.session_scope() as session:
            row = run_row(session, run_id, for_update=True)
            if row.status is not RunStatus.FAILED:
                raise Conflict(
                    f"run {row.id} is {row.status.value}; only a failed run can be reopened",
                    fix="start a new run with `mwo retry RUN` instead",
                )
            row.status = RunStatus.QUEUED
            row.error = None
            row.finished_at = None
            session.flush()
            return run_record(session, run_id)

    def request_cancel(self, run_id: str) -> RunRecord:
        with self._db.session_scope() as session:
            row = run_row(session, run_id, for_update=True)
            refuse_final(row, "cancel it")
            row.cancel_requested = True
            session.flush()
            return run_record(session, run_id)

    def acquire_run_lease(self, run_id: str, owner: str, until: datetime, now: datetime) -> RunLease | None:
        """One conditional UPDATE ... RETURNING, so two processes can never both believe they hold the
        lease, and the token a taker gets is the one it wrote (SET sees the row as it was)."""
        values = {"b_id": run_id, "b_owner": owner, "b_until": until, "b_now": now}
        with self._db.connection_scope() as connection:
            token = connection.execute(_ACQUIRE_LEASE, values).scalar_one_or_none()
            if token is not None:
                return RunLease(run_id, owner, token)
            read_run(connection, run_id)  # NotFound for an unknown run rather than a silent None
            return None

    def extend_run_lease(self, lease: RunLease, until: datetime) -> bool:
        statement = (
            update(RunRow)
            .where(
                RunRow.id == lease.run_id,
                RunRow.acquired_by == lease.owner,
                RunRow.lease_token == lease.token,
            )
            .values(acquired_until=until)
            .execution_options(synchronize_session=False)
        )
        with self._db.connection_scope() as connection:
            result = cast("CursorResult[Any]", connection.execute(statement))
            return result.rowcount == 1

    def check_run_lease(self, lease: RunLease) -> None:
        with self._db.connection_scope(read_only=True) as connection:
            hold_lease(connection, lease, locked=True)

    def release_run(self, run_id: str, owner: str, *, token: int | None = None) -> None:
        tenure = RunRow.lease_token == token if token is not None else true()
        statement = (
            update(RunRow)
            .where(RunRow.id == run_id, RunRow.acquired_by == owner, tenure)
            .values(acquired_by=None, acquired_until=None)
            .execution_options(synchronize_session=False)
        )
        with self._db.connection_scope() as connection:
            connection.execute(statement)

    def reap_abandoned_runs(self, now: datetime) -> list[RunRecord]:
        """Oldest first. A run nobody holds counts only once it is older than the run lease, so a
        run just queued is not stolen from the process about to start it. Nothing is changed: the
        caller takes each run with `acquire_run`, which settles races between reapers."""
        expired = RunRow.acquired_until < now
        stale_unowned = and_(RunRow.acquired_by.is_(None), RunRow.created_at < now - self._run_lease)
        statement = (
            run_query()
            .where(RunRow.status.in_((RunStatus.RUNNING, RunStatus.QUEUED)), or_(expired, stale_unowned))
            .order_by(RunRow.created_at, RunRow.id)
        )
        with self._db.session_scope(read_only=True) as session:
            return [to_run(*found) for found in session.execute(statement)]

    def start_step(
        self,
        run_id: str,
        step_id: str,
        step_type: str,
        attempt: int,
        input: Any,
        now: datetime,
        *,
        version_id: int | None = None,
        lease: RunLease | None = None,
    ) -> StepRunRecord:
        return self._insert_step(
            lease,
            run_id=run_id,
            step_id=step_id,
            step_type=step_type,
            attempt=attempt,
            status=StepStatus.RUNNING,
            input=input,
            started_at=now,
            version_id=version_id,
        )

    def record_step(
        self,
        run_id: str,
        step_id: str,
        step_type: str,
        attempt: int,
        status: StepStatus,
        started_at: datetime,
        finished_at: datetime,
        *,
        input: Any = None,
        output: Any = None,
        error: dict[str, Any] | None = None,
        version_id: int | None = None,
        lease: RunLease | None = None,
    ) -> StepRunRecord:
        if status not in FINAL_STEP_STATUSES:
            raise ValueError(f"record_step records finished attempts only, not {status.value}")
        return self._insert_step(
            lease,
            run_id=run_id,
            step_id=step_id,
            step_type=step_type,
            attempt=attempt,
            status=status,
            input=input,
            output=output,
            error=error,
            started_at=started_at,
            finished_at=finished_at,
            version_id=version_id,
        )

    def _insert_step(self, lease: RunLease | None, **values: Any) -> StepRunRecord:
        """One INSERT ... RETURNING (a cached statement: this runs for every step of every run),
        after the lease check in the same transaction when the executor's lease is given."""
        row_values = {
            "input": None,
            "output": None,
            "error": None,
            "finished_at": None,
            "version_id": None,
            **values,
        }
        try:
            with self._db.connection_scope() as connection:
                row = insert_step_row(connection, row_values, lease)
        except IntegrityError as exc:
            raise self._step_conflict(values) from exc
        return to_step_run(cast(StepRunRow, row))

    @contextmanager
    def checkpoint_transaction(
        self, lease: RunLease | None, attempts: Sequence[FinishedAttempt] = ()
    ) -> Iterator[Any]:
        for attempt in attempts:
            if attempt.status not in FINAL_STEP_STATUSES:
                raise ValueError(f"only finished attempts are written here, not {attempt.status.value}")
        rows = self._driver_step_rows
        with self._db.driver_transaction() as connection:
            for attempt in attempts:
                values = {name: getattr(attempt, name) for name in _ATTEMPT_FIELDS}  # asdict deep-copies
                try:
                    rows.add(connection, values, lease)
                except IntegrityError as exc:
                    raise self._step_conflict(values) from exc
            if lease is not None and not attempts:
                rows.hold(connection, lease)
            yield connection

    @cached_property
    def _driver_step_rows(self) -> DriverStepRows:
        """The step-row statements compiled for this store's database, once."""
        return DriverStepRows(self._db.engine.dialect)

    def _step_conflict(self, values: dict[str, Any]) -> Conflict:
        """Why a step row was refused: NotFound (raised) when its run is missing, else this Conflict."""
        with self._db.session_scope(read_only=True) as session:
            run_row(session, values["run_id"])  # NotFound when the run is missing
        return Conflict(
            f"attempt {values['attempt']} of step {values['step_id']!r} in run {values['run_id']} "
            "was already started",
            fix="start the next attempt number",
        )

    def finish_step(
        self,
        step_run_id: int,
        status: StepStatus,
        now: datetime,
        *,
        output: Any = None,
        error: dict[str, Any] | None = None,
        input: Any = None,
        lease: RunLease | None = None,
    ) -> StepRunRecord:
        """finished_at is set for a final status only (not WAITING_APPROVAL); a final attempt is
        never changed again (Conflict): a new try is a new attempt. The lease is checked first, in
        the same transaction, and only an attempt of the lease's run is changed."""
        changes: dict[str, Any] = {"status": status}
        if status in FINAL_STEP_STATUSES:
            changes["finished_at"] = now
        for name, value in (("output", output), ("error", error), ("input", input)):
            if value is not None:
                changes[name] = value
        statement = (
            update(StepRunRow)
            .where(StepRunRow.id == step_run_id, StepRunRow.status.not_in(FINAL_STEP_STATUSES))
            .values(**changes)
            .returning(*STEP_COLUMNS)
            .execution_options(synchronize_session=False)
        )
        if lease is not None:
            statement = statement.where(StepRunRow.run_id == lease.run_id)
        with self._db.session_scope() as session:
            if lease is not None:
                hold_lease(session.connection(), lease)
            row = session.execute(statement).one_or_none()
            if row is None:
                self._refuse_finish(session, step_run_id)
        return to_step_run(cast(StepRunRow, row))

    def _refuse_finish(self, session: Any, step_run_id: int) -> None:
        existing = session.get(StepRunRow, step_run_id)
        if existing is None:
            raise NotFound(f"no step run with id {step_run_id}", fix="start the step with start_step first")
        raise Conflict(
            f"attempt {existing.attempt} of step {existing.step_id!r} in run {existing.run_id} already "
            f"{existing.status.value}",
            fix="record a new try as the next attempt",
        )

    def is_cancel_requested(self, run_id: str) -> bool:
        with self._db.connection_scope(read_only=True) as connection:
            flag = connection.execute(_CANCEL_FLAG, {"run_id": run_id}).scalar_one_or_none()
        if flag is None:
            raise NotFound(f"no run with id {run_id!r}", fix=LIST_RUNS_FIX)
        return bool(flag)

    def list_step_runs(self, run_id: str) -> list[StepRunRecord]:
        statement = (
            select(StepRunRow)
            .where(StepRunRow.run_id == run_id)
            .order_by(StepRunRow.started_at, StepRunRow.id)
        )
        with self._db.session_scope(read_only=True) as session:
            return [to_step_run(row) for row in session.scalars(statement)]

    def add_log(
        self,
        run_id: str,
        step_id: str | None,
        level: LogLevel,
        message: str,
        now: datetime,
        *,
        lease: RunLease | None = None,
    ) -> None:
        with self._db.session_scope() as session:
            if lease is not None:
                hold_lease(session.connection(), lease_of_run(lease, run_id))
            row = StepLogRow(run_id=run_id, step_id=step_id, level=level, message=message, created_at=now)
            try:
                with session.begin_nested():
                    session.add(row)
            except IntegrityError as exc:  # the only constraint a log line can break is its run's key
                raise NotFound(f"no run with id {run_id!r} to log to", fix="create the run first") from exc

    def list_logs(self, run_id: str) -> list[StepLogRecord]:
        statement = select(StepLogRow).where(StepLogRow.run_id == run_id).order_by(StepLogRow.id)
        with self._db.session_scope(read_only=True) as session:
            return [to_log(row) for row in session.scalars(statement)]

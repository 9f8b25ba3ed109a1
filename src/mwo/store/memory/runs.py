"""Runs, step runs and logs in memory, with the same lease and final-state rules as SQL."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import datetime
from typing import Any

from mwo.store.abc import RunStore
from mwo.store.errors import Conflict, LeaseLost, NotFound
from mwo.store.memory.state import MemoryBase, MemoryState, as_stored, utc
from mwo.store.records import (
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
from mwo.store.rules_workflows import LIST_WORKFLOWS_FIX


class MemoryRunStore(MemoryBase, RunStore):
    """Runs, step runs and logs; every verb holds the state's lock, so a lease is taken atomically."""

    def create_run(
        self,
        version_id: int,
        inputs: dict[str, Any],
        trigger: str,
        now: datetime,
        retry_of: str | None = None,
    ) -> RunRecord:
        return insert_run(self._state, version_id, inputs, trigger, now, retry_of)

    def get_run(self, run_id: str) -> RunRecord:
        """Exact id first; otherwise a prefix of at least 6 characters that matches exactly one run."""
        with self._state.lock:
            if run_id in self._state.runs:
                return self._state.runs[run_id]
            if len(run_id) < MIN_RUN_ID_PREFIX:
                raise NotFound(
                    f"no run with id {run_id!r}",
                    fix=f"give the full run id or at least {MIN_RUN_ID_PREFIX} of its first characters",
                )
            matches = [run for key, run in self._state.runs.items() if key.startswith(run_id)]
        if not matches:
            raise NotFound(f"no run id starts with {run_id!r}", fix=LIST_RUNS_FIX)
        if len(matches) > 1:
            raise NotFound(
                f"run id prefix {run_id!r} is ambiguous: it matches several runs",
                fix="give more characters of the run id",
            )
        return matches[0]

    def list_runs(self, run_filter: RunFilter) -> list[RunRecord]:
        with self._state.lock:
            runs = [
                run
                for run in self._state.runs.values()
                if (run_filter.workflow_name is None or run.workflow_name == run_filter.workflow_name)
                and (not run_filter.statuses or run.status in run_filter.statuses)
            ]
        runs.sort(key=lambda run: run.id)
        runs.sort(key=lambda run: run.created_at, reverse=True)
        return runs[: run_filter.limit]

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
        """`output` and `error` are written only when given, so a status change never erases them."""
        now = utc(now)
        with self._state.lock:
            run = self._run(run_id)
            self._hold(lease, run_id)
            refuse_final(run, f"move it to {status.value}")
            updated = replace(
                run,
                status=status,
                started_at=now if status is RunStatus.RUNNING and run.started_at is None else run.started_at,
                finished_at=now if status.is_final else run.finished_at,
                output=run.output if output is None else as_stored(output),
                error=run.error if error is None else as_stored(error),
            )
            if status.is_final:  # a final state lets go of the lease in the same write
                updated = replace(updated, acquired_by=None, acquired_until=None)
            self._state.runs[run_id] = updated
            return updated

    def reopen_run(self, run_id: str, now: datetime) -> RunRecord:
        with self._state.lock:
            run = self._run(run_id)
            if run.status is not RunStatus.FAILED:
                raise Conflict(
                    f"run {run.id} is {run.status.value}; only a failed run can be reopened",
                    fix="start a new run with `mwo retry RUN` instead",
                )
            reopened = replace(run, status=RunStatus.QUEUED, error=None, finished_at=None)
            self._state.runs[run_id] = reopened
            return reopened

    def request_cancel(self, run_id: str) -> RunRecord:
        with self._state.lock:
            run = self._run(run_id)
            refuse_final(run, "cancel it")
            flagged = replace(run, cancel_requested=True)
            self._state.runs[run_id] = flagged
            return flagged

    def is_cancel_requested(self, run_id: str) -> bool:
        with self._state.lock:
            return self._run(run_id).cancel_requested

    def acquire_run_lease(self, run_id: str, owner: str, until: datetime, now: datetime) -> RunLease | None:
        until, now = utc(until), utc(now)
        with self._state.lock:
            run = self._run(run_id)
            expired = run.acquired_until is not None and run.acquired_until < now
            if not (run.acquired_by in (None, owner) or expired):
                return None
            token = self._state.lease_tokens.get(run_id, 0)
            if run.acquired_by != owner or expired:  # a new tenure, not the holder's renewal
                token += 1
                self._state.lease_tokens[run_id] = token
            self._state.runs[run_id] = replace(run, acquired_by=owner, acquired_until=until)
            return RunLease(run_id, owner, token)

    def extend_run_lease(self, lease: RunLease, until: datetime) -> bool:
        with self._state.lock:
            run = self._state.runs.get(lease.run_id)
            if run is None or not self._holds(run, lease):
                return False
            self._state.runs[lease.run_id] = replace(run, acquired_until=utc(until))
            return True

    def check_run_lease(self, lease: RunLease) -> None:
        with self._state.lock:
            self._run(lease.run_id)
            self._hold(lease, lease.run_id)

    def release_run(self, run_id: str, owner: str, *, token: int | None = None) -> None:
        with self._state.lock:
            run = self._state.runs.get(run_id)
            same_tenure = token is None or self._state.lease_tokens.get(run_id, 0) == token
            if run is not None and run.acquired_by == owner and same_tenure:
                self._state.runs[run_id] = replace(run, acquired_by=None, acquired_until=None)

    def reap_abandoned_runs(self, now: datetime) -> list[RunRecord]:
        """Oldest first; nothing is changed (the caller takes each run with `acquire_run`)."""
        now = utc(now)
        with self._state.lock:
            found = [
                run
                for run in self._state.runs.values()
                if run.status in (RunStatus.RUNNING, RunStatus.QUEUED)
                and (
                    (run.acquired_until is not None and run.acquired_until < now)
                    or (run.acquired_by is None and run.created_at < now - self._run_lease)
                )
            ]
        return sorted(found, key=lambda run: (run.created_at, run.id))

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
            run_id,
            step_id,
            step_type,
            attempt,
            StepStatus.RUNNING,
            now,
            None,
            input,
            None,
            None,
            version_id,
            lease,
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
            run_id,
            step_id,
            step_type,
            attempt,
            status,
            started_at,
            finished_at,
            input,
            output,
            error,
            version_id,
            lease,
        )

    def _insert_step(
        self,
        run_id: str,
        step_id: str,
        step_type: str,
        attempt: int,
        status: StepStatus,
        started_at: datetime,
        finished_at: datetime | None,
        input: Any,
        output: Any,
        error: dict[str, Any] | None,
        version_id: int | None,
        lease: RunLease | None,
    ) -> StepRunRecord:
        with self._state.lock:
            self._run(run_id)
            self._hold(lease, run_id)
            if any(
                (s.run_id, s.step_id, s.attempt) == (run_id, step_id, attempt)
                for s in self._state.step_runs.values()
            ):
                raise Conflict(
                    f"attempt {attempt} of step {step_id!r} in run {run_id} was already started",
                    fix="start the next attempt number",
                )
            row = StepRunRecord(
                id=self._state.next_id("step_run"),
                run_id=run_id,
                step_id=step_id,
                step_type=step_type,
                attempt=attempt,
                status=status,
                input=as_stored(input),
                output=as_stored(output),
                error=as_stored(error),
                started_at=utc(started_at),
                finished_at=None if finished_at is None else utc(finished_at),
                version_id=version_id,
            )
            self._state.step_runs[row.id] = row
            return row

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
        """finished_at is set for a final status only; a final attempt is never changed again."""
        now = utc(now)
        with self._state.lock:
            existing = self._state.step_runs.get(step_run_id)
            if lease is not None:
                self._hold(lease, lease.run_id)
            if existing is None or (lease is not None and existing.run_id != lease.run_id):
                raise NotFound(
                    f"no step run with id {step_run_id}", fix="start the step with start_step first"
                )
            if existing.status in FINAL_STEP_STATUSES:
                raise Conflict(
                    f"attempt {existing.attempt} of step {existing.step_id!r} in run {existing.run_id} "
                    f"already {existing.status.value}",
                    fix="record a new try as the next attempt",
                )
            finished = replace(
                existing,
                status=status,
                finished_at=now if status in FINAL_STEP_STATUSES else existing.finished_at,
                output=existing.output if output is None else as_stored(output),
                error=existing.error if error is None else as_stored(error),
                input=existing.input if input is None else as_stored(input),
            )
            self._state.step_runs[step_run_id] = finished
            return finished

    def list_step_runs(self, run_id: str) -> list[StepRunRecord]:
        with self._state.lock:
            rows = [s for s in self._state.step_runs.values() if s.run_id == run_id]
        return sorted(rows, key=lambda s: (s.started_at, s.id))

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
        with self._state.lock:
            if run_id not in self._state.runs:
                raise NotFound(f"no run with id {run_id!r} to log to", fix="create the run first")
            self._hold(lease, run_id)
            self._state.logs.append(
                StepLogRecord(self._state.next_id("log"), run_id, step_id, level, message, utc(now))
            )

    def list_logs(self, run_id: str) -> list[StepLogRecord]:
        with self._state.lock:
            return [log for log in self._state.logs if log.run_id == run_id]

    def _hold(self, lease: RunLease | None, run_id: str) -> None:
        """LeaseLost unless `lease` (when given) is `run_id`'s current tenure; called under the lock,
        so the check and the write it guards are one step, as in SQL's locked read."""
        if lease is None:
            return
        if not self._holds(self._run(run_id), lease_of_run(lease, run_id)):
            raise LeaseLost(lease.run_id, lease.owner, lease.token)

    def _holds(self, run: RunRecord, lease: RunLease) -> bool:
        return run.acquired_by == lease.owner and self._state.lease_tokens.get(run.id, 0) == lease.token

    def _run(self, run_id: str) -> RunRecord:
        run = self._state.runs.get(run_id)
        if run is None:
            raise NotFound(f"no run with id {run_id!r}", fix=LIST_RUNS_FIX)
        return run


def insert_run(
    state: MemoryState,
    version_id: int,
    inputs: dict[str, Any],
    trigger: str,
    now: datetime,
    retry_of: str | None = None,
) -> RunRecord:
    """A new QUEUED run of `version_id` (NotFound for an unknown version or `retry_of` run): every run
    is made here, whoever creates it (a person, a schedule fire)."""
    with state.lock:
        version = state.versions.get(version_id)
        if version is None:
            raise NotFound(f"no workflow version with id {version_id}", fix=LIST_WORKFLOWS_FIX)
        if retry_of is not None and retry_of not in state.runs:
            raise NotFound(f"no run with id {retry_of!r}", fix=LIST_RUNS_FIX)
        run = RunRecord(
            id=str(uuid.uuid4()),
            workflow_id=version.workflow_id,
            workflow_name=version.workflow_name,
            version_id=version_id,
            version_number=version.number,
            status=RunStatus.QUEUED,
            trigger=trigger,
            inputs=as_stored(inputs),
            output=None,
            error=None,
            created_at=utc(now),
            started_at=None,
            finished_at=None,
            cancel_requested=False,
            acquired_by=None,
            acquired_until=None,
            retry_of=retry_of,
        )
        state.runs[run.id] = run
        return run

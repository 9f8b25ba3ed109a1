"""What every store (SQL and memory) refuses or requires of runs the same way: a final run never
changes, a lease fences writes to its own run only, a run id prefix is long enough to mean one run,
and the fix its errors point to."""

from __future__ import annotations

from typing import Protocol

from mwo.store.errors import Conflict
from mwo.store.records import RunLease, RunStatus, StepStatus

MIN_RUN_ID_PREFIX = 6
"""The fewest characters of a run id that `get_run` looks a run up by."""
FINAL_STEP_STATUSES = (StepStatus.SUCCEEDED, StepStatus.FAILED, StepStatus.CANCELLED)
LIST_RUNS_FIX = "list runs with `mwo runs`"


class _Run(Protocol):
    """A run as either store holds it (a record, a row)."""

    @property
    def id(self) -> str: ...

    @property
    def status(self) -> RunStatus: ...


def refuse_final(run: _Run, action: str) -> None:
    """Conflict when `run` is finished: `action` (what the caller meant to do) is refused."""
    if run.status.is_final:
        raise Conflict(
            f"run {run.id} is already {run.status.value}; cannot {action}",
            fix="a finished run never changes: start a new run (retry) instead",
        )


def lease_of_run(lease: RunLease, run_id: str) -> RunLease:
    """The lease, checked to be `run_id`'s (a lease of one run never fences another's writes)."""
    if lease.run_id != run_id:
        raise ValueError(f"a lease of run {lease.run_id} was given for a write to run {run_id}")
    return lease

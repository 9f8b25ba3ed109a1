"""How the scheduler starts, finds and cancels runs: a narrow protocol, and its implementation over
the engine's RunService (tests and benchmarks may pass another `submit`, never another engine)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol

from mwo.engine.dispatch import RunDispatcher, SubmitDispatcher
from mwo.engine.inputs import resolve_inputs
from mwo.store.abc import RunStore, WorkflowStore
from mwo.store.records import RunFilter, RunStatus

if TYPE_CHECKING:
    from mwo.engine.runs import RunService

_ACTIVE = (RunStatus.QUEUED, RunStatus.RUNNING, RunStatus.WAITING_APPROVAL, RunStatus.WAITING_REPAIR)


class RunLauncher(Protocol):
    """What the scheduler needs from the engine. The run row itself is written by the store together
    with the fire (`ScheduleStore.start_fire_run`), so a fire never gets two runs."""

    def prepare(self, workflow_name: str) -> tuple[int, dict[str, Any]]:
        """The latest version's id and the inputs a scheduled run starts with (the defaults)."""

    def submit(self, run_id: str) -> None:
        """Hand a queued run to an executor."""

    def active_runs(self, workflow_name: str) -> list[str]:
        """Ids of the workflow's runs that are queued, running or waiting for an approval."""

    def cancel(self, run_id: str) -> None:
        """Request the run's cancellation (it stops between steps)."""


class WorkflowsAndRuns(WorkflowStore, RunStore, Protocol):
    """What the launcher reads: a workflow's latest version, and its active runs."""


class EngineLauncher:
    """RunLauncher over RunService: a fire's run is executed inline by default; a server passes its
    worker pool's `submit`, or a `dispatcher` (its pool or Celery workers)."""

    def __init__(
        self,
        runs: RunService,
        store: WorkflowsAndRuns,
        submit: Callable[[Callable[[], Any]], object] | None = None,
        *,
        dispatcher: RunDispatcher | None = None,
    ) -> None:
        self._runs = runs
        self._store = store
        self._dispatcher = dispatcher or SubmitDispatcher(lambda: runs, submit or (lambda work: work()))

    def prepare(self, workflow_name: str) -> tuple[int, dict[str, Any]]:
        """A scheduled run gets the declared defaults; a required input without one fails here."""
        version = self._store.get_version(workflow_name)
        return version.id, resolve_inputs(self._runs.workflow_of(version), {})

    def submit(self, run_id: str) -> None:
        self._dispatcher.execute(run_id)

    def active_runs(self, workflow_name: str) -> list[str]:
        runs = self._store.list_runs(RunFilter(workflow_name=workflow_name, statuses=_ACTIVE, limit=1000))
        return [run.id for run in runs]

    def cancel(self, run_id: str) -> None:
        self._runs.cancel(run_id)

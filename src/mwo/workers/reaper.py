"""The server's stuck-run reaper: one pass hands to the worker pool (1) the queued runs no worker has
taken (the pool was full or draining, or the process that queued them stopped) and (2) a recovery
pass of the engine (`RunService.recover`: runs whose owner's lease ran out, approvals decided or
expired while nobody acted on them).

Both go through the pool, so recovery counts against the same bound as every other run. Picking a
run another process is also about to execute is harmless: the run's lease (`Store.acquire_run`)
lets exactly one of them drive it, and the other gives up with RunBusy or a final-state error.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from mwo.engine.dispatch import RunDispatcher, SubmitDispatcher
from mwo.engine.errors import RunError
from mwo.store.abc import RunStore
from mwo.store.errors import Conflict
from mwo.store.records import RunFilter, RunStatus

if TYPE_CHECKING:
    from mwo.engine.runs import RunService

log = logging.getLogger(__name__)

Submit = Callable[[Callable[[], Any]], bool]


@dataclass(frozen=True)
class ReapReport:
    adopted: list[str]
    recovery_started: bool


class Reaper:
    """One `tick(now)` per settings.reaper_interval_s under `mwo serve`."""

    def __init__(
        self,
        runs: RunService,
        store: RunStore,
        submit: Submit,
        free_slots: Callable[[], int],
        *,
        queued_age: timedelta,
        scan_limit: int = 1000,
        dispatcher: RunDispatcher | None = None,
    ) -> None:
        self._runs = runs
        self._store = store
        self._submit = submit
        # Adopted runs go where new runs go (the pool, or Celery workers); recovery passes run here.
        self._dispatcher = dispatcher or SubmitDispatcher(lambda: runs, submit)
        self._free_slots = free_slots
        self._queued_age = queued_age
        self._scan_limit = scan_limit
        self._recovering = threading.Event()

    def tick(self, now: datetime) -> ReapReport:
        return ReapReport(self._adopt_queued(now), self._start_recovery())

    def _adopt_queued(self, now: datetime) -> list[str]:
        """Queued runs older than `queued_age` that nobody holds, oldest first, as many as fit."""
        room = self._free_slots()
        if room <= 0:
            return []
        queued = self._store.list_runs(RunFilter(statuses=(RunStatus.QUEUED,), limit=self._scan_limit))
        stale = sorted(
            (r for r in queued if r.acquired_by is None and r.created_at <= now - self._queued_age),
            key=lambda r: (r.created_at, r.id),
        )
        adopted = []
        for run in stale[:room]:
            if not self._dispatcher.execute(run.id):
                break
            adopted.append(run.id)
        if adopted:
            log.info("reaper: handed %d queued runs to the workers", len(adopted))
        return adopted

    def _start_recovery(self) -> bool:
        """One recovery pass at a time, on a worker (it executes the runs it resumes)."""
        if self._recovering.is_set():
            return False
        self._recovering.set()
        if not self._submit(self._recover):
            self._recovering.clear()
            return False
        return True

    def _recover(self) -> None:
        try:
            resumed = self._runs.recover()
            if resumed:
                log.info("reaper: recovered %d runs", len(resumed))
        except (RunError, Conflict) as exc:  # a run taken by another process meanwhile; next pass
            log.info("recovery pass stopped early: %s", exc)
        finally:
            self._recovering.clear()

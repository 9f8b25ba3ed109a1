"""The server's stuck-run reaper: one pass hands to the worker pool (1) the queued runs no worker has
taken (the pool was full or draining, or the process that queued them stopped), (2) each abandoned
run (its owner's lease ran out: the process died) as a task of its own (`RunService.take_over`), and
(3) a pass over runs waiting on a decision nobody acted on (`RunService.recover_waiting`: approvals
decided or expired, repairs decided).

All go through the pool, so recovery counts against the same bound as every other run. Abandoned
runs are taken over side by side, not one after another in one pass: a run resumed there executes
to its end, so in a single pass the last orphan of a crash would wait for all the others. Picking a
run another process is also about to execute is harmless: the run's lease (`Store.acquire_run`)
lets exactly one of them drive it, and the other gives up (`take_over` returns None).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from typing import TYPE_CHECKING, Any

from mwo.engine.dispatch import RunDispatcher, SubmitDispatcher
from mwo.engine.errors import RunError
from mwo.store.abc import RunStore
from mwo.store.errors import Conflict
from mwo.store.records import RunFilter, RunRecord, RunStatus

if TYPE_CHECKING:
    from mwo.engine.runs import RunService

log = logging.getLogger(__name__)

Submit = Callable[[Callable[[], Any]], bool]


@dataclass(frozen=True)
class ReapReport:
    adopted: list[str]
    recovery_started: bool
    taken_over: list[str] = field(default_factory=list)
    """Abandoned runs handed to the pool this tick (each taken over by its own task)."""


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
        self._lock = threading.Lock()
        self._taking: set[str] = set()
        """Abandoned runs handed to the pool and not done yet: not handed over again meanwhile."""

    def tick(self, now: datetime) -> ReapReport:
        adopted = self._adopt_queued(now)
        taken = self._take_over_abandoned(now)
        return ReapReport(adopted, self._start_recovery(), taken)

    def _take_over_abandoned(self, now: datetime) -> list[str]:
        """One pool task per abandoned run not already being taken over; stops when the pool is full
        (the rest come back on the next tick)."""
        handed = []
        for run in self._store.reap_abandoned_runs(now)[: self._scan_limit]:
            with self._lock:
                if run.id in self._taking:
                    continue
                self._taking.add(run.id)
            if not self._submit(partial(self._take_over, run)):
                with self._lock:
                    self._taking.discard(run.id)
                break
            handed.append(run.id)
        if handed:
            log.info("reaper: taking over %d abandoned runs", len(handed))
        return handed

    def _take_over(self, run: RunRecord) -> None:
        try:
            self._runs.take_over(run)
        except (RunError, Conflict) as exc:  # e.g. its workflow version cannot run here any more
            log.warning("reaper: run %s not taken over: %s", run.id, exc)
        finally:
            with self._lock:
                self._taking.discard(run.id)

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
            resumed = self._runs.recover_waiting()
            if resumed:
                log.info("reaper: resumed %d runs waiting on a decision", len(resumed))
        except (RunError, Conflict) as exc:  # a run taken by another process meanwhile; next pass
            log.info("recovery pass stopped early: %s", exc)
        finally:
            self._recovering.clear()

"""Keeps the leases of the runs this process drives alive while it works on them, steps included.

A run's lease (settings.run_lease_s) is how other processes tell a dead owner from a live one: a
reaper takes over a run whose lease ran out. The step runner extends it between steps, but one step
can outlast it (an LLM_CALL on the local model, a PYTHON_SCRIPT with a long time-out, a slow API, a
repair loop asking the model), and a reaper would then take the run from a process that is alive and
working. So, as rq's worker heartbeat and Celery's visibility extension do, a thread of the process
extends the leases of the runs it is driving, every third of the lease.

Why one thread per run service, not one per step or per run: a light step (DATA_TRANSFORM,
CONDITION) takes microseconds, and a thread started and joined around it would cost more than the
step. Keeping a run is a set insert and removal under a lock, once per drive of the run; no step pays
anything. A beat writes only for a lease at least half a beat old (`extend_run_lease`, one UPDATE),
so runs that finish within a beat, and runs whose step runner just extended them, cost no statement.

A process that dies (SIGKILL, a crash) or is stopped (SIGSTOP, a VM pause) stops beating with it: its
leases run out and a reaper takes the runs over, as before. A beat that finds a lease lost (another
process took the run over: this one was paused or cut off past it) marks it `lost`; the step runner
then stops before the next step without writing anything, and whatever the step in progress still
writes is refused by fencing (`LeaseLost`), so the run stays the new holder's.

The thread starts with the first kept run and ends at a beat that finds nothing to keep, so a run
service nobody closes (a test, a one-shot command) leaves no thread behind for longer than a beat;
`close` ends it at once. Its time between beats is real time (it is a thread); what it writes reads
the service's clock, and `beat` is one pass a test can make at a moment it chooses.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from mwo.store.abc import RunStore
from mwo.store.records import RunLease

log = logging.getLogger(__name__)


@dataclass(eq=False)
class KeptLease:
    """One drive's hold on its run, as both the step runner and the heartbeat extend it."""

    lease: RunLease
    until: datetime
    """The lease's end as this process last set it."""
    lost: bool = False
    """Set when an extension found another tenure: the lease's writes are all refused from then on."""
    stop_at: datetime | None = None
    """The heartbeat extends the lease until then, not after: the run's time limit. A step that hangs
    past it (an executor that ignores its own time-out) lets the lease run out, and a reaper takes
    the run over, instead of it being held for as long as this process lives."""
    past_stop: bool = False
    """Set at the first beat past `stop_at` (its warning is given once)."""

    def extend(self, store: RunStore, until: datetime) -> bool:
        """Move the lease's end to `until`; False (and `lost` set) once another process took the run.
        The step runner and the heartbeat may both extend at once: each write is a whole new end,
        so whichever lands last holds, and either is a live lease."""
        if self.lost:
            return False
        if store.extend_run_lease(self.lease, until):
            self.until = until
            return True
        self.lost = True
        return False


class LeaseHeartbeat:
    """The run service's heartbeat: `keep` a run while driving it, `drop` it after, `close` at the end."""

    def __init__(
        self,
        store: RunStore,
        lease_s: float,
        clock: Callable[[], datetime],
        *,
        name: str = "mwo-lease-heartbeat",
    ) -> None:
        self._store = store
        self._lease = timedelta(seconds=lease_s)
        self._period_s = lease_s / 3
        self._clock = clock
        self._name = name
        self._lock = threading.Lock()
        self._kept: set[KeptLease] = set()
        self._thread: threading.Thread | None = None
        self._closed = threading.Event()

    def keep(self, lease: RunLease, until: datetime) -> KeptLease:
        """Keep `lease` (taken until `until`) alive until `drop`; starts the thread if none runs."""
        kept = KeptLease(lease, until)
        with self._lock:
            self._kept.add(kept)
            if self._thread is None and not self._closed.is_set():
                self._thread = threading.Thread(target=self._beat_while_kept, name=self._name, daemon=True)
                self._thread.start()
        return kept

    def drop(self, kept: KeptLease) -> None:
        """Stop keeping the lease (the drive ended; the caller releases the run)."""
        with self._lock:
            self._kept.discard(kept)

    def beat(self) -> None:
        """One pass: extend every kept lease at least half a beat old to a whole lease from now. A
        store error (the database unreachable for a moment) is logged and tried again next beat;
        the lease still has at least half its length left then."""
        with self._lock:
            kept = list(self._kept)
        now = self._clock()
        due = self._lease - timedelta(seconds=self._period_s / 2)
        for one in kept:
            if one.lost or one.until - now > due:
                continue
            if one.stop_at is not None and now >= one.stop_at:
                if not one.past_stop:
                    one.past_stop = True
                    log.warning(
                        "run %s is past its time limit in a step that has not returned; its lease is "
                        "no longer extended, so another process can take the run over",
                        one.lease.run_id,
                    )
                continue
            try:
                if not one.extend(self._store, now + self._lease):
                    log.warning(
                        "the lease of run %s was taken over by another process; this one stops it",
                        one.lease.run_id,
                    )
            except Exception:  # the heartbeat thread's boundary: it must outlive a store hiccup
                log.warning("could not extend the lease of run %s", one.lease.run_id, exc_info=True)

    def close(self) -> None:
        """End the thread now; runs still going keep their leases only until they run out. Idempotent."""
        self._closed.set()
        with self._lock:
            thread, self._thread = self._thread, None
        if thread is not None and thread is not threading.current_thread():
            thread.join()

    def _beat_while_kept(self) -> None:
        while not self._closed.wait(self._period_s):
            with self._lock:
                if not self._kept:
                    if self._thread is threading.current_thread():
                        self._thread = None
                    return
            self.beat()


__all__ = ["KeptLease", "LeaseHeartbeat"]

"""Keeps a run's lease while this process does one long thing for it outside the graph's steps.

The step runner extends the lease between steps; the repair loop asks the model for minutes in one
call, so a helper thread extends the lease meanwhile. Without it a reaper would take the run over
from a process that is alive; with it a process that dies still loses the lease in time.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime, timedelta
from types import TracebackType

from mwo.store.abc import RunStore
from mwo.store.records import RunLease


class LeaseKeeper:
    """`with LeaseKeeper(...):` extends the run's lease every third of its length until the block ends."""

    def __init__(
        self, store: RunStore, lease: RunLease, lease_s: float, clock: Callable[[], datetime]
    ) -> None:
        self._store = store
        self._run_lease = lease
        self._lease = timedelta(seconds=lease_s)
        self._clock = clock
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._keep, name=f"lease-{lease.run_id[:8]}", daemon=True)
        self.lost = False
        """Set when another process took the run over (the lease had expired after all); the
        lease's token is then stale and every fenced write with it is refused."""

    def __enter__(self) -> LeaseKeeper:
        self._extend()
        self._thread.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._stop.set()
        self._thread.join()

    def _keep(self) -> None:
        while not self._stop.wait(self._lease.total_seconds() / 3):
            self._extend()

    def _extend(self) -> None:
        if self.lost:
            return
        if not self._store.extend_run_lease(self._run_lease, self._clock() + self._lease):
            self.lost = True

"""A bounded pool of worker threads: the local executor of `mwo serve`.

Why threads and a bounded queue: a run spends its time waiting (HTTP, the LLM, a sandboxed script in
another process), so a few threads keep a small machine busy, and a fixed count caps how many runs
hit SQLite, the sandbox pool and the local model at once.

Why `submit` defers instead of refusing when the queue is full: every piece of work handed to the
pool belongs to a run that is already a row in the store (queued before it is submitted), so the
database is the durable queue and this one is only the fast path. A full queue, or a pool that is
draining, returns False and leaves the run queued; the server's reaper hands it over later
(`mwo.workers.reaper`). Refusing would be worse for webhooks: the delivery is already recorded, so a
sender retrying after a 503 would get "duplicate" while its run waited anyway.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

log = logging.getLogger(__name__)

Work = Callable[[], Any]


@dataclass(frozen=True)
class PoolStats:
    """What the health endpoint reports about the pool."""

    workers: int
    busy: int
    queued: int
    queue_size: int
    deferred: int
    """Submissions left to the store because the queue was full or the pool was draining."""
    completed: int
    failed: int
    accepting: bool

    @property
    def idle(self) -> int:
        return self.workers - self.busy

    def as_dict(self) -> dict[str, Any]:
        return {
            "workers": self.workers,
            "busy": self.busy,
            "idle": self.idle,
            "queued": self.queued,
            "queue_size": self.queue_size,
            "deferred": self.deferred,
            "completed": self.completed,
            "failed": self.failed,
            "accepting": self.accepting,
        }


class WorkerPool:
    """`workers` threads taking zero-argument callables from a queue of at most `queue_size`."""

    def __init__(self, workers: int, queue_size: int, *, name: str = "mwo-worker") -> None:
        if workers < 1 or queue_size < 1:
            raise ValueError("a worker pool needs at least one worker and a queue of at least one")
        self._workers = workers
        self._queue_size = queue_size
        # The bound is checked in `submit`, so the stop markers of `drain` always fit.
        self._queue: queue.Queue[Work | None] = queue.Queue()
        self._changed = threading.Condition()
        self._busy = 0
        self._deferred = 0
        self._completed = 0
        self._failed = 0
        self._accepting = True
        # Daemon threads: a step still going when the drain grace is over must not keep the
        # process alive; its run's lease is released and another process resumes it.
        self._threads = [
            threading.Thread(target=self._serve, name=f"{name}-{i}", daemon=True) for i in range(workers)
        ]
        for thread in self._threads:
            thread.start()

    def submit(self, work: Work) -> bool:
        """Queue `work` without blocking: True when queued, False when left to the store (full or
        draining; the run stays queued in the database for the reaper)."""
        with self._changed:
            if not self._accepting:
                self._deferred += 1
                return False
            if self._queue.qsize() >= self._queue_size:
                self._deferred += 1
                log.warning("worker queue full (%d): the run stays queued for the reaper", self._queue_size)
                return False
            self._queue.put_nowait(work)
            return True

    def free_slots(self) -> int:
        """How many more pieces of work would be queued right now (0 while draining)."""
        with self._changed:
            return self._queue_size - self._queue.qsize() if self._accepting else 0

    def stats(self) -> PoolStats:
        with self._changed:
            return PoolStats(
                workers=self._workers,
                busy=self._busy,
                queued=self._queue.qsize(),
                queue_size=self._queue_size,
                deferred=self._deferred,
                completed=self._completed,
                failed=self._failed,
                accepting=self._accepting,
            )

    def drain(self, grace_s: float) -> bool:
        """Stop taking work, drop what no worker has started (its runs stay queued in the store) and
        wait up to `grace_s` for the work in progress. True when nothing is in progress any more."""
        with self._changed:
            self._accepting = False
            dropped = 0
            while True:
                try:
                    self._queue.get_nowait()
                except queue.Empty:
                    break
                dropped += 1
            self._deferred += dropped
            finished = self._changed.wait_for(lambda: self._busy == 0, timeout=grace_s)
        for _ in self._threads:  # wake idle workers so they exit; busy ones exit after their work
            self._queue.put(None)
        if dropped:
            log.info("drain: %d queued runs left to the store for the next process", dropped)
        return finished

    def _serve(self) -> None:
        while True:
            work = self._queue.get()
            if work is None:
                return
            with self._changed:
                if not self._accepting:  # taken just as the drain began: left to the store too
                    self._deferred += 1
                    continue
                self._busy += 1
            ok = False
            try:
                work()
                ok = True
            except Exception:  # one failing piece of work must not kill the worker; it is logged
                log.exception("work in the worker pool failed")
            finally:
                with self._changed:
                    self._busy -= 1
                    self._completed += ok
                    self._failed += not ok
                    self._changed.notify_all()

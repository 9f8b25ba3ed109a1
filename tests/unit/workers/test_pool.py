"""The bounded worker pool: never more than `workers` at once, a full queue defers instead of
blocking, a drain waits for work in progress within its grace, and a failing job keeps its worker."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator

import pytest

from mwo.workers.pool import WorkerPool

WAIT_S = 10.0  # generous upper bound for a thread to react; never a timing assertion


class Gate:
    """Work that blocks until the test opens the gate, counting how many are inside at once."""

    def __init__(self) -> None:
        self.open = threading.Event()
        self.entered = threading.Semaphore(0)
        self.inside = 0
        self.most_inside = 0
        self.done: list[int] = []
        self._lock = threading.Lock()

    def job(self, n: int) -> Callable[[], None]:
        def work() -> None:
            with self._lock:
                self.inside += 1
                self.most_inside = max(self.most_inside, self.inside)
            self.entered.release()
            assert self.open.wait(WAIT_S)
            with self._lock:
                self.inside -= 1
                self.done.append(n)

        return work

    def wait_entered(self, count: int) -> None:
        for _ in range(count):
            assert self.entered.acquire(timeout=WAIT_S)


def wait_until(condition: Callable[[], bool]) -> None:
    deadline = threading.Event()
    timer = threading.Timer(WAIT_S, deadline.set)
    timer.start()
    try:
        while not condition():
            assert not deadline.wait(0.005), "condition not reached"
    finally:
        timer.cancel()


@pytest.fixture
def gate() -> Iterator[Gate]:
    g = Gate()
    yield g
    g.open.set()


def test_at_most_workers_run_and_a_full_queue_defers_without_blocking(gate: Gate) -> None:
    pool = WorkerPool(workers=2, queue_size=3)
    accepted = [pool.submit(gate.job(i)) for i in range(2)]
    gate.wait_entered(2)  # both workers busy
    accepted += [pool.submit(gate.job(i)) for i in range(2, 7)]
    assert accepted == [True] * 5 + [False] * 2  # 2 running + 3 queued; the rest stay in the store
    stats = pool.stats()
    assert (stats.busy, stats.idle, stats.queued, stats.deferred) == (2, 0, 3, 2)
    assert pool.free_slots() == 0
    gate.open.set()
    wait_until(lambda: pool.stats().completed == 5)
    assert pool.drain(WAIT_S) is True
    assert sorted(gate.done) == [0, 1, 2, 3, 4] and gate.most_inside == 2


def test_drain_waits_for_work_in_progress_and_drops_what_has_not_started(gate: Gate) -> None:
    pool = WorkerPool(workers=1, queue_size=5)
    pool.submit(gate.job(0))
    gate.wait_entered(1)
    pool.submit(gate.job(1))  # queued behind the busy worker
    result: list[bool] = []
    drainer = threading.Thread(target=lambda: result.append(pool.drain(WAIT_S)))
    drainer.start()
    wait_until(lambda: not pool.stats().accepting)  # the drain has begun
    assert pool.submit(gate.job(2)) is False  # no new work while draining
    gate.open.set()
    drainer.join(WAIT_S)
    assert result == [True]
    assert gate.done == [0]  # the queued job was left for the store (its run stays queued)
    assert pool.stats().deferred == 2


def test_drain_gives_up_after_the_grace_and_says_so(gate: Gate) -> None:
    pool = WorkerPool(workers=1, queue_size=1)
    pool.submit(gate.job(0))
    gate.wait_entered(1)
    assert pool.drain(0.0) is False
    assert pool.stats().busy == 1


def test_a_failing_job_is_counted_and_the_worker_goes_on() -> None:
    pool = WorkerPool(workers=1, queue_size=5)
    ran = threading.Event()

    def boom() -> None:
        raise RuntimeError("broken step")

    pool.submit(boom)
    pool.submit(ran.set)
    assert ran.wait(WAIT_S)
    assert pool.drain(WAIT_S) is True
    stats = pool.stats()
    assert (stats.failed, stats.completed) == (1, 1)


def test_a_pool_needs_a_worker_and_a_queue() -> None:
    with pytest.raises(ValueError, match="at least one"):
        WorkerPool(workers=0, queue_size=1)

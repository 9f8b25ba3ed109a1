"""What GET /health says about the server's parts: a scheduler that stopped ticking is 'degraded',
a server shutting down is 'draining' (both answer 503), and a loop's age comes from its clock."""

from __future__ import annotations

import threading

import pytest

from mwo.workers.loops import PeriodicLoop
from mwo.workers.pool import PoolStats
from mwo.workers.server import health_status


def stats(accepting: bool = True) -> PoolStats:
    return PoolStats(
        workers=2, busy=1, queued=0, queue_size=10, deferred=0, completed=3, failed=0, accepting=accepting
    )


@pytest.mark.parametrize(
    ("accepting", "age", "status"),
    [
        (True, 0.5, "ok"),
        (True, None, "ok"),
        (True, 30.0, "ok"),
        (True, 30.1, "degraded"),
        (False, 0.5, "draining"),
        (False, 99.0, "draining"),
    ],
)
def test_health_status(accepting: bool, age: float | None, status: str) -> None:
    assert health_status(stats(accepting), age, stale_after_s=30.0) == status


def test_a_loop_survives_a_failing_step_and_reports_its_age_by_its_clock() -> None:
    now = [100.0]
    calls: list[int] = []
    second = threading.Event()

    def step() -> None:
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("database is locked")
        second.set()

    loop = PeriodicLoop("test", 0.001, step, monotonic=lambda: now[0])
    assert loop.last_ok_age_s() is None  # not started
    loop.start()
    assert second.wait(10)
    loop.stop(10)
    facts = loop.facts()
    assert facts["failures"] == 1 and facts["last_error"] == "RuntimeError: database is locked"
    now[0] = 107.5
    assert loop.last_ok_age_s() == 7.5  # since the good step (at clock 100)

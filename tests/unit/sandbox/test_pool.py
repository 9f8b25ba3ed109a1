"""The warm pool: hands out live processes once each, refills in the background, kills the rest on close."""

from __future__ import annotations

import subprocess
import time

from mwo.sandbox.pool import WarmPool


def _sleeper() -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        ["sleep", "30"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )


def _wait_for(condition: object, seconds: float = 5.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:  # type: ignore[operator]
        time.sleep(0.01)


def test_each_process_is_handed_out_once_and_the_pool_refills() -> None:
    started: list[subprocess.Popen[bytes]] = []

    def start() -> subprocess.Popen[bytes]:
        started.append(_sleeper())
        return started[-1]

    pool = WarmPool(start, size=2, fillers=2)
    try:
        first = pool.take()  # the first take starts the fillers and, with nothing ready, starts its own
        _wait_for(lambda: len(started) >= 3)
        second, third = pool.take(), pool.take()
        assert len({first.pid, second.pid, third.pid}) == 3
        assert all(p.poll() is None for p in (first, second, third))
        _wait_for(lambda: len(started) >= 5)
        assert len(started) == 5  # refilled to two waiting, not more
    finally:
        pool.close()
        for process in (first, second, third):
            process.kill()
            process.wait()
    assert all(p.poll() is not None for p in started)  # the waiting ones were killed by close


def test_a_dead_waiting_process_is_skipped() -> None:
    pool = WarmPool(_sleeper, size=1)
    try:
        used = pool.take()
        used.kill()
        used.wait()
        _wait_for(lambda: len(pool._idle) == 1)
        pool._idle[0].kill()
        pool._idle[0].wait()
        fresh = pool.take()
        assert fresh.poll() is None
        fresh.kill()
        fresh.wait()
    finally:
        pool.close()

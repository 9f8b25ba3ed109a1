"""PeriodicLoop's one-shot step and `run_until`, the two ways `mwo schedule run` drives the loops
`mwo serve` runs: `--once` fails with the step's error, the foreground loop ends when told to."""

from __future__ import annotations

import threading

import pytest

from mwo.workers.loops import PeriodicLoop, run_until


def test_run_once_counts_the_step_and_raises_its_error() -> None:
    now = [10.0]
    outcomes: list[Exception | None] = [RuntimeError("database is locked"), None]

    def step() -> None:
        error = outcomes.pop(0)
        if error is not None:
            raise error

    loop = PeriodicLoop("once", 1.0, step, monotonic=lambda: now[0])
    with pytest.raises(RuntimeError, match="database is locked"):
        loop.run_once()
    assert (loop.ticks, loop.failures, loop.last_error) == (1, 1, "RuntimeError: database is locked")
    loop.run_once()
    now[0] = 12.0
    assert loop.ticks == 2 and loop.last_ok_age_s() == 2.0


def test_run_until_runs_every_loop_and_ends_them_when_stop_is_set() -> None:
    stop = threading.Event()
    seen: dict[str, int] = {"a": 0, "b": 0}

    def step(name: str) -> None:
        seen[name] += 1
        if all(count >= 2 for count in seen.values()):
            stop.set()

    loops = [PeriodicLoop(name, 0.001, lambda name=name: step(name)) for name in seen]
    run_until(stop, loops, poll_s=0.01)
    assert all(count >= 2 for count in seen.values())
    assert not {"mwo-a", "mwo-b"} & {thread.name for thread in threading.enumerate()}  # both ended
    assert all(loop.failures == 0 for loop in loops)

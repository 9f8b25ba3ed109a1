"""A background loop that calls one function every interval until stopped, and remembers when it last
succeeded (the health endpoint reports that age: a scheduler that stopped ticking is 'degraded').

`scheduler_loop` is the scheduler as such a loop: `mwo serve` and `mwo schedule run` both run it, so
the scheduler ticks the same way in the server and in the foreground command."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mwo.engine.dispatch import RunDispatcher
    from mwo.services import Services
    from mwo.triggers.scheduler import TickReport

log = logging.getLogger(__name__)


class PeriodicLoop:
    """Runs `step()` now and then every `interval_s` on its own thread; `stop()` ends it after the
    step in progress. An exception is logged and counted, and the loop goes on (one bad tick must
    not end the scheduler)."""

    def __init__(
        self,
        name: str,
        interval_s: float,
        step: Callable[[], Any],
        *,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.name = name
        self.interval_s = interval_s
        self._step = step
        self._monotonic = monotonic
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"mwo-{name}", daemon=True)
        self._started_at: float | None = None
        self._last_ok: float | None = None
        self.ticks = 0
        self.failures = 0
        self.last_error: str | None = None

    def start(self) -> None:
        self._started_at = self._monotonic()
        self._thread.start()

    def stop(self, timeout_s: float | None = None) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout_s)

    def last_ok_age_s(self) -> float | None:
        """Seconds since the last successful step (since the start when there was none yet)."""
        since = self._last_ok if self._last_ok is not None else self._started_at
        return None if since is None else self._monotonic() - since

    def facts(self) -> dict[str, Any]:
        age = self.last_ok_age_s()
        return {
            "interval_s": self.interval_s,
            "ticks": self.ticks,
            "last_ok_age_s": None if age is None else round(age, 3),
            "failures": self.failures,
            "last_error": self.last_error,
        }

    def run_once(self) -> None:
        """One step in the calling thread, counted like the loop's own (`mwo schedule run --once`); its
        error is recorded and raised, so a one-shot caller fails with it."""
        try:
            self._step()
        except Exception as exc:
            self.failures += 1
            self.last_error = f"{type(exc).__name__}: {exc}"
            raise
        else:
            self._last_ok = self._monotonic()
        finally:
            self.ticks += 1

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.run_once()
            except Exception:  # logged with its traceback and reported by the health endpoint
                log.exception("%s loop: step failed", self.name)
            self._stop.wait(self.interval_s)


def run_until(stop: threading.Event, loops: Sequence[PeriodicLoop], *, poll_s: float = 0.2) -> None:
    """Run `loops` on their threads until `stop` is set (a signal), then end each after its step in
    progress. The wait is polled so the signal handler always gets to run on the calling thread."""
    for loop in loops:
        loop.start()
    try:
        while not stop.wait(poll_s):
            continue
    finally:
        for loop in loops:
            loop.stop()


def scheduler_loop(
    services: Services,
    interval_s: float,
    *,
    dispatcher: RunDispatcher | None = None,
    on_tick: Callable[[datetime, TickReport], None] | None = None,
) -> PeriodicLoop:
    """The scheduler ticking every `interval_s` at the services' clock. A fire's run goes to
    `dispatcher` (the server's pool or Celery workers), or runs inline in the tick when there is none
    (`mwo schedule run`); `on_tick` hears each tick's instant and what it did."""
    from mwo.triggers.launcher import EngineLauncher
    from mwo.triggers.scheduler import Scheduler

    runs = services.runs
    launcher = EngineLauncher(runs, services.store, dispatcher=dispatcher)
    scheduler = Scheduler(services.store, launcher, runs.owner)

    def tick() -> None:
        now = services.clock()
        report = scheduler.tick(now)
        if on_tick is not None:
            on_tick(now, report)

    return PeriodicLoop("scheduler", interval_s, tick)

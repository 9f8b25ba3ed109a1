"""A background loop that calls one function every interval until stopped, and remembers when it last
succeeded (the health endpoint reports that age: a scheduler that stopped ticking is 'degraded')."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

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

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self._step()
                self._last_ok = self._monotonic()
            except Exception as exc:  # logged with its traceback and reported by the health endpoint
                self.failures += 1
                self.last_error = f"{type(exc).__name__}: {exc}"
                log.exception("%s loop: step failed", self.name)
            self.ticks += 1
            self._stop.wait(self.interval_s)

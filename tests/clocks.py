"""The one hand-moved clock of the tests.

Code under test takes its wall clock as a parameter (`clock: Callable[[], datetime]`, `mwo.clock.utc_now`
in production); a test passes a `ManualClock` (the `clock` fixture of tests/conftest.py) and moves time
itself instead of waiting or patching the real clock.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

START = datetime(2026, 11, 25, 0, 0, tzinfo=timezone.utc)
READING_TICK = timedelta(milliseconds=1)
"""What a ticking clock adds at every reading, so that stamps taken one after another differ (the
engine orders a run's attempts and logs by them)."""


class ManualClock:
    """Wall time that a test moves by hand: `advance`, or `sleep` (recorded in `slept`, and passed as
    the engine's `sleep` so retries and back-offs take no real time)."""

    def __init__(self, start: datetime = START, tick: timedelta = timedelta(0)) -> None:
        self.now = start
        self.tick = tick
        self.slept: list[float] = []

    @classmethod
    def ticking(cls) -> ManualClock:
        """A clock that moves on by READING_TICK at every reading."""
        return cls(tick=READING_TICK)

    def __call__(self) -> datetime:
        self.now += self.tick
        return self.now

    def advance(self, delta: timedelta) -> None:
        self.now += delta

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.advance(timedelta(seconds=seconds))

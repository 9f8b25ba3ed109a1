"""Showing a run live: each step as it starts and as it ends (state, time, a one-line output), and
the run's log lines, read from the store as the engine writes them.

`mwo run` executes the run on the main thread (so Ctrl-C works as before) while `printing_steps`
polls the store from a helper thread; `mwo logs RUN --follow` polls on the main thread until the
run ends or waits for a person. Both print the same lines, to stderr, so stdout keeps the result.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from rich.console import Console
from rich.markup import escape

from mwo.cli.output import err_console, status_style
from mwo.store.abc import RunStore
from mwo.store.records import RunRecord, RunStatus, StepRunRecord, StepStatus
from mwo.text import as_text

POLL_S = 0.3
"""How often the store is read while following (a cheap indexed read)."""
_STOPS_FOLLOWING = (RunStatus.WAITING_APPROVAL, RunStatus.WAITING_REPAIR)


@dataclass
class StepPrinter:
    """Prints what changed since the last `poll`: step starts, step ends and new log lines."""

    store: RunStore
    run_id: str
    console: Console = field(default_factory=lambda: err_console)
    with_logs: bool = False
    _seen: dict[tuple[str, int], StepStatus] = field(default_factory=dict)
    _logs_shown: int = 0

    def poll(self) -> RunRecord:
        for row in self.store.list_step_runs(self.run_id):
            key = (row.step_id, row.attempt)
            previous = self._seen.get(key)
            if previous is None and row.status is StepStatus.RUNNING:
                self._line(row, "started")
            elif row.status is not StepStatus.RUNNING and previous != row.status:
                self._line(row, _ended(row))
            self._seen[key] = row.status
        if self.with_logs:
            rows = self.store.list_logs(self.run_id)
            for line in rows[self._logs_shown :]:
                stamp = f"{line.created_at.astimezone():%H:%M:%S}"
                where = escape(line.step_id or "-")
                self.console.print(
                    f"[dim]{stamp}[/] {line.level.value:7} {where}: {escape(line.message)}", soft_wrap=True
                )
            self._logs_shown = len(rows)
        return self.store.get_run(self.run_id)

    def _line(self, row: StepRunRecord, what: str) -> None:
        ended = row.finished_at is not None and row.status is not StepStatus.RUNNING
        moment = row.finished_at if ended and row.finished_at else row.started_at
        attempt = f" (try {row.attempt})" if row.attempt > 1 else ""
        self.console.print(
            f"[dim]{moment.astimezone():%H:%M:%S}[/] [bold]{escape(row.step_id)}[/]{attempt} "
            f"{row.step_type}: {what}",
            soft_wrap=True,
        )


def _ended(row: StepRunRecord) -> str:
    status = row.status.value
    took = f" in {row.duration_ms / 1000:.1f} s" if row.duration_ms is not None else ""
    value = row.error.get("message") if row.error else row.output
    text = as_text(value)
    text = " ".join(text.split())
    text = text if len(text) <= 80 else text[:77] + "..."
    return f"[{status_style(status)}]{status}[/]{took}" + (f": {escape(text)}" if value is not None else "")


@contextmanager
def printing_steps(store: RunStore, run_id: str, *, poll_s: float = POLL_S) -> Iterator[StepPrinter]:
    """Print step starts and ends from a helper thread while the block executes the run."""
    printer = StepPrinter(store, run_id)
    stop = threading.Event()

    def loop() -> None:
        while not stop.wait(poll_s):
            try:
                printer.poll()
            except Exception:  # a failed read (a busy database) only skips one progress line
                continue

    thread = threading.Thread(target=loop, name="mwo-run-progress", daemon=True)
    thread.start()
    try:
        yield printer
    finally:
        stop.set()
        thread.join(timeout=5)
    printer.poll()  # what ended after the last poll


def follow(
    store: RunStore,
    run_id: str,
    *,
    poll_s: float = POLL_S,
    sleep: Callable[[float], object] | None = None,
    quiet: bool = False,
) -> RunRecord:
    """Print the run's steps and log lines as they happen until it ends or waits for a person
    (`quiet`: print nothing, only wait)."""
    console = Console(file=io.StringIO()) if quiet else err_console
    printer = StepPrinter(store, run_id, console, with_logs=True)
    pause = sleep or threading.Event().wait
    while True:
        run = printer.poll()
        if run.status.is_final or run.status in _STOPS_FOLLOWING:
            return run
        pause(poll_s)

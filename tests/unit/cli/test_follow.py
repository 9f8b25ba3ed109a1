"""Following a run: a step is printed when it starts and when it ends (state, time, one line of
output), log lines once each, and following stops when the run ends or waits for a person."""

from __future__ import annotations

import io
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any, cast

from rich.console import Console

from mwo.cli.follow import StepPrinter, follow
from mwo.store.abc import Store
from mwo.store.records import LogLevel, RunStatus, StepLogRecord, StepRunRecord, StepStatus

T0 = datetime(2026, 1, 1, 9, 0, tzinfo=UTC)


def step(status: StepStatus, output: Any = None, *, seconds: float | None = None) -> StepRunRecord:
    return StepRunRecord(
        id=1,
        run_id="run-1",
        step_id="summarise",
        step_type="LLM_CALL",
        attempt=1,
        status=status,
        input=None,
        output=output,
        error=None,
        started_at=T0,
        finished_at=T0 + timedelta(seconds=seconds) if seconds is not None else None,
    )


@dataclass
class ScriptedStore:
    """Each poll sees the next state of the run (the last one repeats)."""

    states: list[tuple[RunStatus, list[StepRunRecord], list[StepLogRecord]]]
    polls: int = 0

    def _state(self) -> tuple[RunStatus, list[StepRunRecord], list[StepLogRecord]]:
        return self.states[min(self.polls, len(self.states) - 1)]

    def list_step_runs(self, run_id: str) -> list[StepRunRecord]:
        return self._state()[1]

    def list_logs(self, run_id: str) -> list[StepLogRecord]:
        return self._state()[2]

    def get_run(self, run_id: str) -> Any:
        status = self._state()[0]
        self.polls += 1
        return _Run(status)


@dataclass
class _Run:
    status: RunStatus
    id: str = "run-1"


def log(message: str) -> StepLogRecord:
    return StepLogRecord(
        id=1, run_id="run-1", step_id="summarise", level=LogLevel.INFO, message=message, created_at=T0
    )


def test_a_step_is_printed_as_it_starts_and_as_it_ends() -> None:
    running = step(StepStatus.RUNNING)
    finished = T0 + timedelta(seconds=42)
    done = replace(running, status=StepStatus.SUCCEEDED, output="a short\nsummary", finished_at=finished)
    store = ScriptedStore([(RunStatus.RUNNING, [running], []), (RunStatus.SUCCEEDED, [done], [])])
    out = io.StringIO()
    printer = StepPrinter(cast(Store, store), "run-1", Console(file=out, width=200))
    printer.poll()
    assert "summarise LLM_CALL: started" in out.getvalue()
    printer.poll()
    printer.poll()  # nothing new: nothing printed twice
    text = out.getvalue()
    assert "summarise LLM_CALL: succeeded in 42.0 s: a short summary" in text
    assert text.count("succeeded") == 1 and text.count("started") == 1


def test_follow_prints_log_lines_once_and_stops_when_the_run_waits_for_a_person() -> None:
    running = step(StepStatus.RUNNING)
    states = [
        (RunStatus.RUNNING, [running], [log("asking the model")]),
        (RunStatus.RUNNING, [running], [log("asking the model")]),
        (RunStatus.WAITING_APPROVAL, [replace(running, status=StepStatus.SUCCEEDED, finished_at=T0)], [
            log("asking the model"), log("done")
        ]),
    ]
    store = ScriptedStore(states)
    pauses: list[float] = []
    run = follow(cast(Store, store), "run-1", sleep=pauses.append, poll_s=0.1)
    assert run.status is RunStatus.WAITING_APPROVAL and pauses == [0.1, 0.1]


def test_follow_of_a_finished_run_returns_at_once() -> None:
    store = ScriptedStore([(RunStatus.FAILED, [step(StepStatus.FAILED, seconds=1)], [])])
    pauses: list[float] = []
    assert follow(cast(Store, store), "run-1", sleep=pauses.append).status is RunStatus.FAILED
    assert pauses == []

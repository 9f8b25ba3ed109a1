"""The server's loops read the services' clock (`Services.clock`), never the wall clock: a test moves
a ManualClock and the scheduler fires, and the reaper adopts a queued run, exactly when it says so.

The clock starts days before the real date, so a loop that read the wall clock would fire the
schedule and adopt the run at its first tick."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest

from mwo.services import Services
from mwo.settings import Settings
from mwo.spec import workflow_from_data
from mwo.store.records import RunFilter, RunRecord, RunStatus
from mwo.workers.server import ServeConfig, Server
from tests.clocks import ManualClock

WAIT_S = 30.0
NOTE_STEP: dict[str, Any] = {
    "id": "tell",
    "type": "NOTIFICATION",
    "channel": "inbox",
    "subject": "s",
    "body": "b",
}


@pytest.fixture
def server(settings: Settings) -> Iterator[tuple[Server, Services, ManualClock]]:
    clock = ManualClock.ticking()
    services = Services.open(settings, clock)
    served = Server(services, ServeConfig.from_settings(settings, port=0), lambda dispatcher, health: None)
    yield served, services, clock
    served.pool.drain(WAIT_S)
    services.close()


def wait_for(check: Any, what: str) -> Any:
    """Poll `check` until it returns something truthy (a bound on waiting, not a timing assertion)."""
    deadline = time.monotonic() + WAIT_S
    while not (found := check()):
        assert time.monotonic() < deadline, f"gave up waiting for {what}"
        threading.Event().wait(0.02)
    return found


def final(services: Services, run_id: str) -> RunRecord:
    return wait_for(lambda: (run := services.store.get_run(run_id)).status.is_final and run, "the run to end")


def test_the_scheduler_fires_when_the_services_clock_reaches_the_fire(
    server: tuple[Server, Services, ManualClock],
) -> None:
    served, services, clock = server
    services.applier.apply_workflow(
        workflow_from_data(
            {"name": "nine", "trigger": {"type": "cron", "cron": "0 9 * * *"}, "steps": [NOTE_STEP]}
        )
    )
    served.scheduler.run_once()
    assert services.store.list_runs(RunFilter(workflow_name="nine")) == []  # 00:00: not due yet
    clock.advance(timedelta(hours=9))
    served.scheduler.run_once()
    (run,) = services.store.list_runs(RunFilter(workflow_name="nine"))
    assert run.trigger.startswith("schedule")
    assert final(services, run.id).status is RunStatus.SUCCEEDED  # handed to the server's pool


def test_the_reaper_adopts_a_queued_run_once_it_is_old_by_the_services_clock(
    server: tuple[Server, Services, ManualClock], settings: Settings
) -> None:
    served, services, clock = server
    services.applier.apply_workflow(workflow_from_data({"name": "note", "steps": [NOTE_STEP]}))
    run = services.runs.create_run("note")  # queued, e.g. while the pool was full
    served.reaper.run_once()
    wait_for(lambda: (stats := served.pool.stats()).busy == 0 and stats.queued == 0, "the recovery pass")
    assert services.store.get_run(run.id).status is RunStatus.QUEUED  # just queued: left alone
    clock.advance(timedelta(seconds=settings.reaper_interval_s + 1))
    served.reaper.run_once()
    assert final(services, run.id).status is RunStatus.SUCCEEDED

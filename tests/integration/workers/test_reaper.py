"""The server's reaper on a real store and a real worker pool: a run whose owner vanished (its lease
ran out) is resumed, and a queued run no worker took is handed to the pool; both only once."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest

from mwo.clock import utc_now
from mwo.services import Services
from mwo.settings import Settings
from mwo.spec import workflow_from_data
from mwo.store.records import RunFilter, RunRecord, RunStatus
from mwo.workers.pool import WorkerPool
from mwo.workers.reaper import Reaper

WAIT_S = 30.0
NOTE: dict[str, Any] = {
    "name": "note",
    "steps": [{"id": "tell", "type": "NOTIFICATION", "channel": "inbox", "subject": "s", "body": "b"}],
}


@pytest.fixture
def services(settings: Settings) -> Iterator[Services]:
    opened = Services.open(settings)
    opened.applier.apply_workflow(workflow_from_data(NOTE))
    yield opened
    opened.close()


def reaper_over(services: Services, pool: WorkerPool) -> Reaper:
    return Reaper(
        services.runs, services.store, pool.submit, pool.free_slots, queued_age=timedelta(seconds=5)
    )


def wait_final(services: Services, run_id: str) -> RunRecord:
    done = threading.Event()
    while True:
        run = services.store.get_run(run_id)
        if run.status.is_final:
            return run
        assert not done.wait(0.02) and (utc_now() - run.created_at).total_seconds() < WAIT_S


def test_a_run_whose_owner_vanished_is_resumed_by_the_recovery_pass(services: Services) -> None:
    run = services.runs.create_run("note")
    now = utc_now()
    assert services.store.acquire_run(
        run.id, "dead-host:1:x", now - timedelta(seconds=1), now - timedelta(minutes=1)
    )
    services.store.set_run_status(run.id, RunStatus.RUNNING, now)  # it crashed mid-run
    pool = WorkerPool(workers=1, queue_size=4)
    report = reaper_over(services, pool).tick(utc_now())
    assert report.recovery_started and report.adopted == []  # a running run is recovery's, not adoption's
    finished = wait_final(services, run.id)
    assert finished.status is RunStatus.SUCCEEDED and finished.acquired_by is None
    assert pool.drain(WAIT_S)


def test_a_queued_run_nobody_took_is_adopted_once_it_is_old_enough(services: Services) -> None:
    run = services.runs.create_run("note")  # queued, e.g. while the pool was full
    pool = WorkerPool(workers=1, queue_size=4)
    reaper = reaper_over(services, pool)
    assert reaper.tick(utc_now()).adopted == []  # just queued: its own process may be about to start it
    assert reaper.tick(utc_now() + timedelta(seconds=6)).adopted == [run.id]
    assert wait_final(services, run.id).status is RunStatus.SUCCEEDED
    assert pool.drain(WAIT_S)
    assert reaper.tick(utc_now() + timedelta(seconds=6)).adopted == []  # final runs are left alone


def test_nothing_is_adopted_while_the_pool_has_no_room(services: Services) -> None:
    services.runs.create_run("note")
    pool = WorkerPool(workers=1, queue_size=1)
    pool.drain(0)  # a draining pool takes nothing
    reaper = reaper_over(services, pool)
    assert reaper.tick(utc_now() + timedelta(minutes=1)).adopted == []
    assert services.store.list_runs(RunFilter())[0].status is RunStatus.QUEUED


def abandoned(services: Services) -> RunRecord:
    """A run left RUNNING by a process that died: its lease ran out a second ago."""
    run = services.runs.create_run("note")
    now = utc_now()
    assert services.store.acquire_run(
        run.id, "dead-host:1:x", now - timedelta(seconds=1), now - timedelta(minutes=1)
    )
    services.store.set_run_status(run.id, RunStatus.RUNNING, now)
    return run


def test_each_abandoned_run_is_taken_over_by_a_task_of_its_own(services: Services) -> None:
    runs = [abandoned(services) for _ in range(3)]
    pool = WorkerPool(workers=3, queue_size=4)
    report = reaper_over(services, pool).tick(utc_now())
    assert sorted(report.taken_over) == sorted(r.id for r in runs)
    assert {wait_final(services, r.id).status for r in runs} == {RunStatus.SUCCEEDED}
    assert [m.run_id for m in services.store.list_messages()].count(runs[0].id) == 1
    assert pool.drain(WAIT_S)


def test_a_run_another_process_took_meanwhile_is_left_to_it(services: Services) -> None:
    run = abandoned(services)
    snapshot = services.store.reap_abandoned_runs(utc_now())
    now = utc_now()
    assert services.store.acquire_run(run.id, "alive-host:2:y", now + timedelta(minutes=5), now)

    assert [services.runs.take_over(r) for r in snapshot] == [None]  # no RunBusy out of a pass
    assert services.store.get_run(run.id).acquired_by == "alive-host:2:y"

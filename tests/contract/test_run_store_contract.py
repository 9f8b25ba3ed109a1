"""The RunStore contract on every backend: the run lifecycle (a final run never changes), leases
tested by moving the clock, step attempts written before and after, and logs in order.

Time is always passed in (`now`), so leases and expiry are tested by moving the clock, not sleeping."""

from __future__ import annotations

import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone

import pytest

from mwo.store import (
    Conflict,
    LogLevel,
    NotFound,
    RunFilter,
    RunStatus,
    StepStatus,
    Store,
)
from mwo.store.abc import RunStore
from tests.contract.support import LEASE_S, T0, at, make_workflow, new_run

CONTRACT = RunStore


# --- runs ------------------------------------------------------------------------------------------


def test_a_new_run_is_queued_and_pinned_to_its_version(store: Store) -> None:
    version, _ = store.save_version(make_workflow(), "x\n")
    inputs = {"query": "경제", "limits": {"n": 3}, "tags": ["a", None]}

    run = store.create_run(version.id, inputs, "cron", T0)

    assert uuid.UUID(run.id).version == 4
    assert run.status is RunStatus.QUEUED
    assert (run.workflow_name, run.version_id, run.version_number) == ("daily-news", version.id, 1)
    assert (run.inputs, run.trigger, run.created_at) == (inputs, "cron", T0)
    assert (run.started_at, run.finished_at, run.output, run.error) == (None, None, None, None)
    assert (run.cancel_requested, run.acquired_by, run.retry_of) == (False, None, None)
    store.save_version(make_workflow(step_id="changed"), "y\n")
    assert store.get_run(run.id).version_number == 1
    retry = store.create_run(version.id, inputs, "retry", T0, retry_of=run.id)
    assert retry.retry_of == run.id
    with pytest.raises(NotFound):
        store.create_run(999_999, {}, "manual", T0)
    with pytest.raises(NotFound):
        store.create_run(version.id, {}, "manual", T0, retry_of="no-such-run")


def test_run_lifecycle_sets_timestamps_and_a_final_run_never_changes(store: Store) -> None:
    run_id = new_run(store)
    started = store.set_run_status(run_id, RunStatus.RUNNING, at(1))
    store.set_run_status(run_id, RunStatus.WAITING_APPROVAL, at(2))
    resumed = store.set_run_status(run_id, RunStatus.RUNNING, at(3))
    done = store.set_run_status(run_id, RunStatus.SUCCEEDED, at(4), output={"text": "요약"})

    assert started.started_at == resumed.started_at == at(1)
    assert resumed.finished_at is None
    assert (done.status, done.finished_at, done.output) == (
        RunStatus.SUCCEEDED,
        at(4),
        {"text": "요약"},
    )
    with pytest.raises(Conflict, match="already succeeded") as refused:
        store.set_run_status(run_id, RunStatus.RUNNING, at(5))
    assert "new run" in refused.value.fix
    with pytest.raises(Conflict):
        store.request_cancel(run_id)
    with pytest.raises(Conflict, match="only a failed run"):
        store.reopen_run(run_id, T0)
    assert store.get_run(run_id) == done


def test_a_failed_run_keeps_its_error_and_can_be_reopened(store: Store) -> None:
    run_id = new_run(store)
    store.set_run_status(run_id, RunStatus.RUNNING, T0)
    failed = store.set_run_status(run_id, RunStatus.FAILED, at(2), error={"type": "http"})
    assert (failed.error, failed.finished_at) == ({"type": "http"}, at(2))

    reopened = store.reopen_run(run_id, at(3))

    assert (reopened.status, reopened.error, reopened.finished_at) == (RunStatus.QUEUED, None, None)
    assert reopened.started_at == T0


def test_cancel_is_a_flag_on_an_unfinished_run(store: Store) -> None:
    run_id = new_run(store)
    assert store.get_run(run_id).cancel_requested is False

    flagged = store.request_cancel(run_id)

    assert flagged.cancel_requested is True
    assert flagged.status is RunStatus.QUEUED
    assert store.set_run_status(run_id, RunStatus.CANCELLED, T0).status is RunStatus.CANCELLED


def test_get_run_accepts_a_unique_prefix_of_six_characters(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = iter(
        uuid.UUID(text)
        for text in (
            "abcdef01-0000-4000-8000-000000000001",
            "abcdef02-0000-4000-8000-000000000002",
            "12345678-0000-4000-8000-000000000003",
        )
    )
    monkeypatch.setattr(uuid, "uuid4", lambda: next(ids))
    first, second, third = (new_run(store) for _ in range(3))

    assert store.get_run(first).id == first
    assert store.get_run("abcdef01").id == first
    assert store.get_run("123456").id == third
    with pytest.raises(NotFound, match="ambiguous") as ambiguous:
        store.get_run("abcdef")
    assert "more characters" in ambiguous.value.fix
    with pytest.raises(NotFound) as too_short:
        store.get_run("12345")
    assert "at least 6" in too_short.value.fix
    with pytest.raises(NotFound):
        store.get_run("ffffff")
    assert store.get_run(second).id == second


def test_list_runs_is_newest_first_and_filters(store: Store) -> None:
    old = new_run(store, now=T0)
    middle = new_run(store, name="other", now=at(60))
    newest = new_run(store, now=at(120))
    store.set_run_status(old, RunStatus.FAILED, T0)

    assert [r.id for r in store.list_runs(RunFilter())] == [newest, middle, old]
    assert [r.id for r in store.list_runs(RunFilter(workflow_name="daily-news"))] == [newest, old]
    assert [r.id for r in store.list_runs(RunFilter(statuses=(RunStatus.FAILED,)))] == [old]
    assert [r.id for r in store.list_runs(RunFilter(limit=1))] == [newest]
    assert store.list_runs(RunFilter(workflow_name="unknown")) == []


def test_times_come_back_in_utc_and_naive_times_are_refused(store: Store) -> None:
    seoul = timezone(timedelta(hours=9))
    run_id = new_run(store, now=datetime(2026, 3, 1, 21, 0, tzinfo=seoul))

    created = store.get_run(run_id).created_at

    assert created == T0 and created.tzinfo == timezone.utc
    with pytest.raises(ValueError, match="naive"):
        store.set_run_status(run_id, RunStatus.RUNNING, datetime(2026, 3, 1, 12, 0))


# --- leases ----------------------------------------------------------------------------------------


def test_only_one_owner_holds_a_lease_until_it_expires(store: Store) -> None:
    run_id = new_run(store)
    until = at(30)

    assert store.acquire_run(run_id, "worker-a", until, T0) is True
    assert store.acquire_run(run_id, "worker-b", at(40), at(10)) is False
    assert store.acquire_run(run_id, "worker-a", at(60), at(20)) is True
    assert store.get_run(run_id).acquired_until == at(60)
    # not expired exactly at `until`, only after it
    assert store.acquire_run(run_id, "worker-b", at(90), at(60)) is False
    assert store.acquire_run(run_id, "worker-b", at(90), at(61)) is True
    run = store.get_run(run_id)
    assert (run.acquired_by, run.acquired_until) == ("worker-b", at(90))
    with pytest.raises(NotFound):
        store.acquire_run("no-such-run", "worker-a", until, T0)


def test_concurrent_owners_cannot_both_acquire(store: Store) -> None:
    run_id = new_run(store)
    owners = [f"worker-{index}" for index in range(8)]
    start = threading.Barrier(len(owners))

    def attempt(owner: str) -> bool:
        start.wait()
        return store.acquire_run(run_id, owner, at(30), T0)

    with ThreadPoolExecutor(max_workers=len(owners)) as pool:
        results = list(pool.map(attempt, owners))

    assert results.count(True) == 1
    assert store.get_run(run_id).acquired_by == owners[results.index(True)]


def test_release_drops_only_the_owners_lease(store: Store) -> None:
    run_id = new_run(store)
    store.acquire_run(run_id, "worker-a", at(30), T0)

    store.release_run(run_id, "worker-b")
    assert store.get_run(run_id).acquired_by == "worker-a"
    store.release_run(run_id, "worker-a")

    run = store.get_run(run_id)
    assert (run.acquired_by, run.acquired_until) == (None, None)
    assert store.acquire_run(run_id, "worker-b", at(30), at(1)) is True


def test_a_final_state_lets_go_of_the_lease_in_the_same_write(store: Store) -> None:
    running = new_run(store)
    assert store.acquire_run(running, "worker-a", at(300), T0)
    assert store.set_run_status(running, RunStatus.RUNNING, at(1)).acquired_by == "worker-a"
    finished = store.set_run_status(running, RunStatus.SUCCEEDED, at(2))
    assert (finished.acquired_by, finished.acquired_until) == (None, None)
    stored = store.get_run(running)
    assert (stored.status, stored.acquired_by, stored.acquired_until) == (RunStatus.SUCCEEDED, None, None)


def test_reap_finds_expired_leases_and_stale_unowned_runs(store: Store) -> None:
    lease = timedelta(seconds=LEASE_S)
    queued = new_run(store)  # never acquired
    running = new_run(store)
    store.set_run_status(running, RunStatus.RUNNING, T0)
    store.acquire_run(running, "worker-a", at(30), T0)
    waiting = new_run(store)
    store.set_run_status(waiting, RunStatus.WAITING_APPROVAL, T0)
    finished = new_run(store)
    store.acquire_run(finished, "worker-a", at(30), T0)
    store.set_run_status(finished, RunStatus.SUCCEEDED, T0)

    assert store.reap_abandoned_runs(at(10)) == []
    assert [r.id for r in store.reap_abandoned_runs(at(31))] == [running]
    reaped = store.reap_abandoned_runs(T0 + lease + timedelta(seconds=1))
    assert sorted(r.id for r in reaped) == sorted([queued, running])
    # reaping changes nothing: the recovering process still has to take the lease
    assert store.get_run(running).acquired_by == "worker-a"
    assert store.acquire_run(running, "worker-b", T0 + lease * 3, T0 + lease + timedelta(seconds=1))
    assert [r.id for r in store.reap_abandoned_runs(T0 + lease + timedelta(seconds=2))] == [queued]


# --- step runs and logs ----------------------------------------------------------------------------


def test_step_attempts_are_recorded_before_and_after(store: Store) -> None:
    run_id = new_run(store)
    first = store.start_step(run_id, "fetch", "API_CALL", 1, {"url": "{{ x }}"}, T0)
    assert (first.status, first.finished_at, first.duration_ms) == (StepStatus.RUNNING, None, None)

    failed = store.finish_step(
        first.id,
        StepStatus.FAILED,
        T0 + timedelta(milliseconds=250),
        error={"type": "timeout"},
        input={"url": "u"},
    )
    second = store.start_step(run_id, "fetch", "API_CALL", 2, {"url": "u"}, at(1))
    done = store.finish_step(second.id, StepStatus.SUCCEEDED, at(2), output={"json": [1, 2]})
    clean = store.start_step(run_id, "clean", "PYTHON_SCRIPT", 1, None, at(3))

    assert (failed.error, failed.input, failed.duration_ms) == ({"type": "timeout"}, {"url": "u"}, 250.0)
    assert (done.output, done.input, done.attempt) == ({"json": [1, 2]}, {"url": "u"}, 2)
    assert [(s.step_id, s.attempt) for s in store.list_step_runs(run_id)] == [
        ("fetch", 1),
        ("fetch", 2),
        ("clean", 1),
    ]
    assert store.list_step_runs(run_id)[-1] == clean


def test_a_finished_attempt_can_be_recorded_in_one_write(store: Store) -> None:
    run_id = new_run(store)
    row = store.record_step(
        run_id,
        "pick",
        "DATA_TRANSFORM",
        1,
        StepStatus.SUCCEEDED,
        T0,
        at(0.5),
        input={"source": "x"},
        output={"result": [1]},
    )
    assert (row.status, row.duration_ms, row.input, row.output, row.error) == (
        StepStatus.SUCCEEDED,
        500.0,
        {"source": "x"},
        {"result": [1]},
        None,
    )
    assert store.list_step_runs(run_id) == [row]
    with pytest.raises(Conflict, match="already started"):
        store.record_step(run_id, "pick", "DATA_TRANSFORM", 1, StepStatus.FAILED, T0, at(1))
    with pytest.raises(ValueError, match="finished attempts only"):
        store.record_step(run_id, "pick", "DATA_TRANSFORM", 2, StepStatus.RUNNING, T0, at(1))
    with pytest.raises(NotFound):
        store.record_step("no-such-run", "pick", "DATA_TRANSFORM", 1, StepStatus.SUCCEEDED, T0, at(1))


def test_the_cancel_flag_is_cheap_to_read(store: Store) -> None:
    run_id = new_run(store)
    assert store.is_cancel_requested(run_id) is False
    store.request_cancel(run_id)
    assert store.is_cancel_requested(run_id) is True
    with pytest.raises(NotFound):
        store.is_cancel_requested("no-such-run")


def test_step_attempt_rules(store: Store) -> None:
    run_id = new_run(store)
    row = store.start_step(run_id, "ask", "APPROVAL", 1, {}, T0)

    with pytest.raises(Conflict, match="already started"):
        store.start_step(run_id, "ask", "APPROVAL", 1, {}, T0)
    waiting = store.finish_step(row.id, StepStatus.WAITING_APPROVAL, T0)
    assert (waiting.status, waiting.finished_at) == (StepStatus.WAITING_APPROVAL, None)
    store.finish_step(row.id, StepStatus.SUCCEEDED, at(1))
    with pytest.raises(Conflict, match="already succeeded"):
        store.finish_step(row.id, StepStatus.FAILED, at(2))
    with pytest.raises(NotFound):
        store.finish_step(999_999, StepStatus.SUCCEEDED, T0)
    with pytest.raises(NotFound):
        store.start_step("no-such-run", "ask", "APPROVAL", 1, {}, T0)


def test_logs_come_back_in_the_order_written(store: Store) -> None:
    run_id = new_run(store)
    for index, level in enumerate((LogLevel.INFO, LogLevel.WARNING, LogLevel.ERROR, LogLevel.DEBUG)):
        store.add_log(run_id, None if index == 0 else "fetch", level, f"line {index} 로그", T0)

    logs = store.list_logs(run_id)

    assert [(log.step_id, log.level, log.message) for log in logs] == [
        (None, LogLevel.INFO, "line 0 로그"),
        ("fetch", LogLevel.WARNING, "line 1 로그"),
        ("fetch", LogLevel.ERROR, "line 2 로그"),
        ("fetch", LogLevel.DEBUG, "line 3 로그"),
    ]
    assert all(log.run_id == run_id and log.created_at == T0 for log in logs)
    with pytest.raises(NotFound):
        store.add_log("no-such-run", None, LogLevel.INFO, "x", T0)

"""The StatsStore contract on every backend: run outcomes filtered by workflow and time, and failed
step attempts grouped by (workflow, step, type, error type) in the database."""

from __future__ import annotations

import pytest

from mwo.store import NotFound, RunStatus, StepStatus, Store
from mwo.store.abc import StatsStore
from tests.contract.support import at, make_workflow

CONTRACT = StatsStore


def saved(store: Store, name: str) -> int:
    version, _ = store.save_version(make_workflow(name), f"name: {name}\n")
    return version.id


def finished_run(
    store: Store, version_id: int, created: float, status: RunStatus, error: dict[str, str] | None = None
) -> str:
    run = store.create_run(version_id, {}, "manual", at(created))
    store.set_run_status(run.id, RunStatus.RUNNING, at(created + 1))
    store.set_run_status(run.id, status, at(created + 3), error=error)
    return run.id


def failed_attempt(store: Store, run_id: str, step: str, attempt: int, error_type: str, when: float) -> None:
    store.record_step(
        run_id,
        step,
        "API_CALL",
        attempt,
        StepStatus.FAILED,
        at(when),
        at(when + 1),
        error={"type": error_type, "message": "boom"},
    )


def test_run_outcomes_carry_status_times_and_the_failing_step(store: Store) -> None:
    news = saved(store, "news")
    ok = finished_run(store, news, 0, RunStatus.SUCCEEDED)
    bad = finished_run(store, news, 10, RunStatus.FAILED, {"type": "http", "step": "fetch", "message": "x"})

    outcomes = store.list_run_outcomes()

    assert [o.run_id for o in outcomes] == [ok, bad]  # oldest first
    first, second = outcomes
    assert (first.workflow_name, first.status, first.error_type, first.error_step) == (
        "news",
        RunStatus.SUCCEEDED,
        None,
        None,
    )
    assert (first.started_at, first.finished_at) == (at(1), at(3))
    assert (second.status, second.error_type, second.error_step) == (RunStatus.FAILED, "http", "fetch")


def test_run_outcomes_filter_by_workflow_and_since(store: Store) -> None:
    news, mail = saved(store, "news"), saved(store, "mail")
    finished_run(store, news, 0, RunStatus.SUCCEEDED)
    late_news = finished_run(store, news, 100, RunStatus.SUCCEEDED)
    finished_run(store, mail, 100, RunStatus.SUCCEEDED)

    assert [o.run_id for o in store.list_run_outcomes("news", since=at(50))] == [late_news]
    assert len(store.list_run_outcomes(since=at(50))) == 2
    assert store.list_run_outcomes("mail", since=at(500)) == []
    with pytest.raises(NotFound):
        store.list_run_outcomes("nope")


def test_step_failures_are_counted_per_step_and_error_type_most_frequent_first(store: Store) -> None:
    news, mail = saved(store, "news"), saved(store, "mail")
    first = finished_run(store, news, 0, RunStatus.SUCCEEDED)
    failed_attempt(store, first, "fetch", 1, "timeout", 0)
    failed_attempt(store, first, "fetch", 2, "timeout", 5)
    second = finished_run(store, news, 10, RunStatus.FAILED)
    failed_attempt(store, second, "fetch", 1, "timeout", 12)
    failed_attempt(store, second, "fetch", 2, "http", 14)
    store.record_step(second, "fetch", "API_CALL", 3, StepStatus.SUCCEEDED, at(15), at(16))
    other = finished_run(store, mail, 20, RunStatus.FAILED)
    failed_attempt(store, other, "send", 1, "auth", 21)

    counts = store.count_step_failures()

    assert [(c.workflow_name, c.step_id, c.error_type, c.attempts) for c in counts] == [
        ("news", "fetch", "timeout", 3),
        ("mail", "send", "auth", 1),
        ("news", "fetch", "http", 1),
    ]
    assert counts[0].step_type == "API_CALL" and counts[0].last_failed_at == at(13)
    only_news_late = store.count_step_failures("news", since=at(10))
    assert [(c.error_type, c.attempts) for c in only_news_late] == [("http", 1), ("timeout", 1)]

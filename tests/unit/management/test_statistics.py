"""Run statistics over a real store: success rate over finished runs, nearest-rank p95, causes."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from mwo.management import run_statistics
from mwo.spec import workflow_from_data
from mwo.store import NotFound, RunStatus, StepStatus

T0 = datetime(2026, 11, 1, 9, 0, tzinfo=timezone.utc)


def version_of(store: Any, name: str) -> int:
    workflow = workflow_from_data({"name": name, "steps": [{"id": "ask", "type": "APPROVAL"}]})
    return int(store.save_version(workflow, f"name: {name}\n")[0].id)


def run(store: Any, version: int, day: int, status: RunStatus, seconds: float, error: Any = None) -> str:
    created = T0 + timedelta(days=day)
    record = store.create_run(version, {}, "manual", created)
    if status is RunStatus.QUEUED:
        return str(record.id)
    store.set_run_status(record.id, RunStatus.RUNNING, created)
    store.set_run_status(record.id, status, created + timedelta(seconds=seconds), error=error)
    return str(record.id)


def test_rates_durations_and_causes_per_workflow_and_overall(store: Any) -> None:
    news, mail = version_of(store, "news"), version_of(store, "mail")
    for seconds in range(1, 20):  # 19 successes of 1..19 s
        run(store, news, 0, RunStatus.SUCCEEDED, seconds)
    failed = run(store, news, 1, RunStatus.FAILED, 100, {"type": "http", "step": "fetch", "message": "503"})
    run(store, news, 1, RunStatus.QUEUED, 0)  # not finished: counted, but not in rate or duration
    run(store, mail, 2, RunStatus.CANCELLED, 4)
    store.record_step(
        failed, "fetch", "API_CALL", 1, StepStatus.FAILED, T0, T0, error={"type": "http", "message": "503"}
    )

    stats = run_statistics(store)

    by_name = {w.workflow: w for w in stats.workflows}
    assert by_name["news"].total == 21
    assert by_name["news"].by_status == {"failed": 1, "queued": 1, "succeeded": 19}
    assert by_name["news"].success_rate == pytest.approx(19 / 20)
    assert by_name["news"].duration.count == 20
    assert by_name["news"].duration.p95_s == 19.0  # nearest rank: the 19th of 20 sorted durations
    assert by_name["news"].duration.max_s == 100.0
    assert by_name["news"].duration.mean_s == pytest.approx((sum(range(1, 20)) + 100) / 20)
    assert by_name["mail"].success_rate == 0.0
    assert stats.overall.workflow is None and stats.overall.total == 22
    assert stats.overall.success_rate == pytest.approx(19 / 21)
    assert [(c.workflow, c.step, c.error_type, c.runs) for c in stats.failure_causes] == [
        ("news", "fetch", "http", 1)
    ]
    assert [(f.step, f.attempts) for f in stats.failed_attempts] == [("fetch", 1)]


def test_since_and_one_workflow_narrow_the_figures(store: Any) -> None:
    news, mail = version_of(store, "news"), version_of(store, "mail")
    run(store, news, 0, RunStatus.FAILED, 1, {"type": "timeout", "step": "fetch"})
    run(store, news, 5, RunStatus.SUCCEEDED, 2)
    run(store, mail, 5, RunStatus.SUCCEEDED, 3)

    stats = run_statistics(store, "news", since=T0 + timedelta(days=1))

    assert [w.workflow for w in stats.workflows] == ["news"]
    assert stats.overall.workflow == "news" and stats.overall.success_rate == 1.0
    assert stats.failure_causes == []
    assert stats.overall.last_run_at == T0 + timedelta(days=5)


def test_no_runs_means_no_rate_rather_than_zero(store: Any) -> None:
    version_of(store, "news")
    stats = run_statistics(store, "news")
    assert stats.overall.total == 0 and stats.overall.success_rate is None
    assert stats.overall.duration.p95_s is None


def test_an_unknown_workflow_is_not_found(store: Any) -> None:
    with pytest.raises(NotFound):
        run_statistics(store, "nope")

"""A fire of a workflow whose secrets are not set is not lost and raises nothing: a scheduled fire,
a webhook delivery and an event each get their run, failed at once with the MissingSecrets message
and the `mwo secrets set` fix, no step run; set the secret and `mwo retry` runs it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from mwo.services import Services
from mwo.settings import Settings
from mwo.spec import workflow_from_data
from mwo.store import FireOutcome, RunStatus
from mwo.store.records import RunFilter, RunRecord
from tests.integration.triggers.conftest import SchedulerEnv

T0 = datetime(2026, 6, 1, 0, 0, tzinfo=UTC)
TELL = {"id": "tell", "type": "NOTIFICATION", "channel": "inbox", "body": "key {{ secrets.API_KEY }}"}


def _uses_key(name: str, trigger: dict[str, Any]) -> dict[str, Any]:
    return {"name": name, "trigger": trigger, "steps": [TELL]}


def _assert_refused(services: Services, run: RunRecord) -> None:
    assert run.status is RunStatus.FAILED
    assert run.error == {
        "type": "missing_secrets",
        "message": f"workflow '{run.workflow_name}' needs secrets that are not set: API_KEY",
        "fix": "mwo secrets set API_KEY",
    }
    assert services.store.list_step_runs(run.id) == []
    logs = [line.message for line in services.store.list_logs(run.id)]
    assert logs == [f"{run.error['message']}; fix: mwo secrets set API_KEY"]


def test_a_scheduled_fire_records_a_failed_run_and_a_retry_after_the_secret_is_set_succeeds(
    sched: SchedulerEnv,
) -> None:
    sched.apply(_uses_key("hourly", {"type": "cron", "cron": "0 * * * *"}), T0 - timedelta(minutes=5))
    scheduler = sched.scheduler()

    report = scheduler.tick(T0 + timedelta(seconds=2))
    sched.deferred.run_all()

    assert (report.claimed, len(report.started), report.failed) == (1, 1, 0)
    (run,) = sched.runs("hourly")
    _assert_refused(sched.services, run)
    (fire,) = sched.services.store.list_fires("hourly")
    assert (fire.outcome, fire.run_id) == (FireOutcome.STARTED, run.id)

    sched.services.store.set_secret("API_KEY", "k-123456", T0)
    again = sched.services.runs.retry(run.id)

    assert again.status is RunStatus.SUCCEEDED, again.error
    assert [m.body for m in sched.services.store.list_messages()] == ["key k-123456"]


@pytest.fixture
def services(settings: Settings) -> Iterator[Services]:
    opened = Services.open(settings)
    yield opened
    opened.close()


def test_a_webhook_delivery_records_a_failed_run(services: Services) -> None:
    services.applier.apply_workflow(workflow_from_data(_uses_key("hooked", {"type": "webhook"})))
    version = services.store.get_version("hooked")

    queued, created = services.store.start_webhook_run("hooked", "msg_1", version.id, {}, T0)
    run = services.runs.execute(queued.id)  # what the dispatcher's worker does with it

    assert created and run.trigger == "webhook:msg_1"
    _assert_refused(services, run)


def test_an_event_fails_the_listener_missing_a_secret_and_starts_the_others(services: Services) -> None:
    services.applier.apply_workflow(
        workflow_from_data(_uses_key("needs-key", {"type": "event", "event": "ping"}))
    )
    plain = {"id": "tell", "type": "NOTIFICATION", "channel": "inbox", "body": "pong"}
    services.applier.apply_workflow(
        workflow_from_data({"name": "plain", "trigger": {"type": "event", "event": "ping"}, "steps": [plain]})
    )

    outcome = services.events.emit("ping", {})

    by_name = {run.workflow_name: run for run in outcome.runs}
    assert set(by_name) == {"needs-key", "plain"}
    _assert_refused(services, by_name["needs-key"])
    assert by_name["plain"].status is RunStatus.SUCCEEDED
    failed_events = services.store.list_runs(RunFilter(workflow_name="needs-key"))
    assert [r.trigger for r in failed_events] == ["event:ping"]

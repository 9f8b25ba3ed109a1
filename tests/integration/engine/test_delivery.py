"""The outbox in the engine: a step with an outside effect records its intent before it sends and
its receipt as soon as the receiver accepts; after a crash the step, run again, replays a recorded
receipt, sends again under the same key (at_least_once) or fails as delivery_unknown (at_most_once),
and a person's deliberate retry sends under a new key. The crash is a BaseException thrown at the
chosen moment (nothing catches it, as nothing runs after a SIGKILL); the next process recovers."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest

from mwo.engine import step_runner
from mwo.engine.executor import StepContext
from mwo.engine.executors.notification import NotificationExecutor
from mwo.spec import NotificationStep, StepType
from mwo.store.records import DeliveryState, RunStatus, StepStatus

from .conftest import Env, Recorder, loopback_settings


class ProcessDied(BaseException):
    """Stands for SIGKILL: the engine catches Exception only, so no row after it is written."""


class DiesAfterSending:
    """The NOTIFICATION executor, but the process dies once right after the receiver accepted."""

    step_type = StepType.NOTIFICATION
    step_class = NotificationStep
    side_effects = True

    def __init__(self) -> None:
        self._real = NotificationExecutor()
        self.died = False

    def execute(self, step: NotificationStep, ctx: StepContext) -> dict[str, Any]:
        output = self._real.execute(step, ctx)
        if not self.died:
            self.died = True
            raise ProcessDied
        return output


def webhook_flow(base: str, **step: Any) -> dict[str, Any]:
    """A webhook step `tell` (with `step`'s fields) and an inbox step after it."""
    tell = {
        "id": "tell",
        "type": "NOTIFICATION",
        "channel": "webhook",
        "webhook_url": f"{base}/hook",
        "body": "hi",
    }
    return {
        "name": "hooked",
        "settings": loopback_settings(),
        "steps": [tell | step, {"id": "after", "type": "NOTIFICATION", "channel": "inbox", "body": "after"}],
    }


def crash_then_recover(env: Env, name: str) -> tuple[str, Any]:
    """Start `name` in this process, which dies mid-step; recover it in a new one after the lease."""
    dying = DiesAfterSending()
    env.services.registry.register(dying)
    run = env.runs.create_run(name)
    with pytest.raises(ProcessDied):
        env.runs.execute(run.id)
    assert env.services.store.get_run(run.id).status is RunStatus.RUNNING, "a dead owner leaves it running"
    env.clock.advance(timedelta(seconds=env.services.settings.run_lease_s + 1))
    second = env.new_process()
    [recovered] = second.recover()
    return run.id, (recovered, second)


def keys(recorder: Recorder) -> list[str]:
    return [r["headers"]["Idempotency-Key"] for r in recorder.requests if r["path"] == "/hook"]


def deliveries(env: Env, run_id: str, step_id: str = "tell") -> list[DeliveryState]:
    return [d.state for d in env.services.store.list_deliveries(run_id) if d.step_id == step_id]


def test_a_run_records_each_delivery_with_the_receivers_receipt(env: Env, http_server: Recorder) -> None:
    env.apply(webhook_flow(http_server.base))

    run = env.runs.start("hooked")

    assert run.status is RunStatus.SUCCEEDED
    tell, after = env.services.store.list_deliveries(run.id)
    assert (tell.state, tell.channel, tell.policy.value) == (
        DeliveryState.DELIVERED,
        "webhook",
        "at_least_once",
    )
    assert tell.target == f"webhook http://127.0.0.1:{http_server.port}", (
        "a literal URL keeps its origin only"
    )
    assert tell.idempotency_key == f"{run.id}:tell" == keys(http_server)[0]
    step_rows = {r.step_id: r for r in env.services.store.list_step_runs(run.id)}
    assert (
        tell.receipt
        == step_rows["tell"].output
        == {
            "channel": "webhook",
            "delivered": True,
            "detail": {"status": 200, "idempotency_key": f"{run.id}:tell"},
        }
    )
    assert (after.state, after.receipt["detail"]["message_id"]) == (
        DeliveryState.DELIVERED,
        env.services.store.list_messages()[0].id,
    )


def test_at_least_once_sends_again_under_the_same_key_after_a_crash(env: Env, http_server: Recorder) -> None:
    env.apply(webhook_flow(http_server.base))

    run_id, (recovered, _) = crash_then_recover(env, "hooked")

    assert recovered.status is RunStatus.SUCCEEDED
    assert keys(http_server) == [f"{run_id}:tell", f"{run_id}:tell"], (
        "twice, the receiver can drop the repeat"
    )
    assert deliveries(env, run_id) == [DeliveryState.FAILED, DeliveryState.DELIVERED]
    logs = [line.message for line in env.services.store.list_logs(run_id) if line.step_id == "tell"]
    assert any("sending again under the same idempotency key" in message for message in logs)


def test_at_most_once_does_not_send_again_and_says_so(env: Env, http_server: Recorder) -> None:
    env.apply(webhook_flow(http_server.base, delivery="at_most_once"))

    run_id, (recovered, second) = crash_then_recover(env, "hooked")

    assert recovered.status is RunStatus.FAILED
    assert recovered.error is not None
    assert (recovered.error["type"], recovered.error["step"]) == ("delivery_unknown", "tell")
    assert "may or may not have been delivered" in recovered.error["message"]
    assert f"mwo retry {run_id} --from-failed" in recovered.error["fix"]
    assert len(keys(http_server)) == 1, "not sent again"
    rows = [(r.step_id, r.attempt, r.status) for r in env.services.store.list_step_runs(run_id)]
    assert rows == [("tell", 1, StepStatus.FAILED), ("tell", 2, StepStatus.FAILED)]
    assert deliveries(env, run_id) == [DeliveryState.UNKNOWN]
    assert env.services.store.list_messages() == [], "the run stopped there"

    resent = second.retry(run_id, from_failed=True)  # a person checked, and sends it again on purpose

    assert resent.status is RunStatus.SUCCEEDED
    first_key, second_key = keys(http_server)
    assert first_key == f"{run_id}:tell" and second_key != first_key, "a new key, or a receiver would drop it"
    assert deliveries(env, run_id) == [DeliveryState.UNKNOWN, DeliveryState.DELIVERED]


def test_a_recorded_receipt_is_replayed_instead_of_sending_again(
    env: Env, http_server: Recorder, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The crash comes after the receipt was recorded, before the step's row was finished."""
    env.apply(webhook_flow(http_server.base, delivery="at_most_once"))
    real_check = step_runner._check_output_shape
    crashes = iter([True])

    def dies_once(step: Any, output: Any) -> None:
        if next(crashes, False):
            raise ProcessDied
        real_check(step, output)

    monkeypatch.setattr(step_runner, "_check_output_shape", dies_once)
    run = env.runs.create_run("hooked")
    with pytest.raises(ProcessDied):
        env.runs.execute(run.id)
    env.clock.advance(timedelta(seconds=env.services.settings.run_lease_s + 1))

    [recovered] = env.new_process().recover()

    assert recovered.status is RunStatus.SUCCEEDED
    assert len(keys(http_server)) == 1, "delivered once, so sent once, even at_most_once"
    rows = [(r.step_id, r.status) for r in env.services.store.list_step_runs(run.id)]
    assert rows == [
        ("tell", StepStatus.FAILED),
        ("tell", StepStatus.SUCCEEDED),
        ("after", StepStatus.SUCCEEDED),
    ]
    replayed = env.services.store.list_step_runs(run.id)[1].output
    assert replayed == {
        "channel": "webhook",
        "delivered": True,
        "detail": {"status": 200, "idempotency_key": f"{run.id}:tell"},
    }


def test_the_inbox_is_exactly_once_across_a_crash(env: Env) -> None:
    env.apply(
        {
            "name": "boxed",
            "steps": [
                {"id": "tell", "type": "NOTIFICATION", "channel": "inbox", "body": "once"},
                {"id": "after", "type": "NOTIFICATION", "channel": "inbox", "body": "after"},
            ],
        }
    )

    run_id, (recovered, _) = crash_then_recover(env, "boxed")

    assert recovered.status is RunStatus.SUCCEEDED
    assert sorted(m.body for m in env.services.store.list_messages()) == ["after", "once"]
    assert deliveries(env, run_id) == [DeliveryState.DELIVERED]


def test_an_in_process_retry_keeps_the_key(env: Env, http_server: Recorder) -> None:
    http_server.script["/hook"] = [(503, {"busy": True}), (200, {"ok": True})]
    env.apply(webhook_flow(http_server.base, retry={"max_attempts": 2, "initial_delay_s": 0}))

    run = env.runs.start("hooked")

    assert run.status is RunStatus.SUCCEEDED
    assert keys(http_server) == [f"{run.id}:tell"] * 2
    assert deliveries(env, run.id) == [DeliveryState.FAILED, DeliveryState.DELIVERED]
    failed = env.services.store.list_deliveries(run.id)[0]
    assert failed.error is not None and failed.error["status"] == 503


@pytest.fixture
def no_secret_in_the_outbox(env: Env) -> Iterator[str]:
    env.services.store.set_secret("HOOK_TOKEN", "s3cr3t-value-123", env.clock())
    yield "s3cr3t-value-123"


def test_secrets_never_reach_the_outbox(
    env: Env, http_server: Recorder, no_secret_in_the_outbox: str
) -> None:
    env.apply(
        webhook_flow(
            http_server.base,
            webhook_url=http_server.base + "/hook?token={{ secrets.HOOK_TOKEN }}",
            body="token {{ secrets.HOOK_TOKEN }}",
        )
    )

    run = env.runs.start("hooked")

    assert run.status is RunStatus.SUCCEEDED
    assert no_secret_in_the_outbox in http_server.requests[0]["path"]
    assert no_secret_in_the_outbox not in repr(env.services.store.list_deliveries(run.id))


def test_a_retry_after_a_failed_output_check_does_not_send_again(env: Env, http_server: Recorder) -> None:
    """Delivered, then the declared output check failed: the retry replays the receipt (and fails the
    same check) instead of sending a second message."""
    env.apply(
        webhook_flow(
            http_server.base,
            output={"type": "object", "required": ["nothing_like_this"]},
            retry={"max_attempts": 2, "initial_delay_s": 0, "retry_on": ["any_error"]},
        )
    )

    run = env.runs.start("hooked")

    assert run.status is RunStatus.FAILED and run.error is not None
    assert run.error["type"] == "output_shape"
    assert len(keys(http_server)) == 1
    assert deliveries(env, run.id) == [DeliveryState.DELIVERED]
    rows = [(r.attempt, r.status) for r in env.services.store.list_step_runs(run.id)]
    assert rows == [(1, StepStatus.FAILED), (2, StepStatus.FAILED)]

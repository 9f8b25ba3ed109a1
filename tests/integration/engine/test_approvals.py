"""APPROVAL: the run waits, survives a restart, resumes on approve, stops on reject, expires by policy."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from mwo.engine.errors import RunStateError
from mwo.store.records import ApprovalStatus, RunStatus, StepStatus

from .conftest import Env


def _gated(**approval: Any) -> dict[str, Any]:
    return {
        "name": "gated",
        "inputs": {"amount": {"type": "integer", "default": 10}},
        "steps": [
            {"id": "ask", "type": "APPROVAL", "message": "pay {{ inputs.amount }}?", **approval},
            {
                "id": "pay",
                "type": "NOTIFICATION",
                "channel": "inbox",
                "body": "paid {{ inputs.amount }} ({{ steps.ask.output.by }})",
            },
        ],
    }


def test_waits_then_resumes_in_another_process_after_approve(env: Env) -> None:
    env.apply(_gated())
    waiting = env.runs.start("gated")
    assert waiting.status is RunStatus.WAITING_APPROVAL
    approval = env.services.store.get_approval(waiting.id, "ask")
    assert approval.status is ApprovalStatus.PENDING and approval.message == "pay 10?"
    assert env.services.store.list_messages() == []

    restarted = env.new_process()
    done = restarted.approve(waiting.id[:8], "kim", "ok")
    assert done.status is RunStatus.SUCCEEDED
    approval = env.services.store.get_approval(waiting.id, "ask")
    assert (approval.status, approval.decided_by, approval.comment) == (ApprovalStatus.APPROVED, "kim", "ok")
    assert approval.decided_at is not None
    assert [m.body for m in env.services.store.list_messages()] == ["paid 10 (kim)"]
    rows = [(r.step_id, r.attempt, r.status) for r in env.services.store.list_step_runs(waiting.id)]
    assert rows == [("ask", 1, StepStatus.SUCCEEDED), ("pay", 1, StepStatus.SUCCEEDED)]


def test_reject_stops_the_run_and_records_who_and_why(env: Env) -> None:
    env.apply(_gated())
    waiting = env.runs.start("gated")
    stopped = env.runs.reject(waiting.id, "lee", "too much")
    assert stopped.status is RunStatus.CANCELLED
    assert stopped.error is not None and stopped.error["type"] == "rejected"
    assert "lee" in stopped.error["message"] and "too much" in stopped.error["message"]
    assert env.services.store.list_messages() == []
    with pytest.raises(RunStateError):
        env.runs.approve(waiting.id, "lee")


def test_approving_a_run_that_does_not_wait_is_refused(env: Env) -> None:
    env.apply(_gated())
    waiting = env.runs.start("gated")
    env.runs.approve(waiting.id, "kim")
    with pytest.raises(RunStateError, match="not waiting"):
        env.runs.approve(waiting.id, "kim")


@pytest.mark.parametrize(
    ("policy", "status", "delivered"),
    [("approve", RunStatus.SUCCEEDED, 1), ("reject", RunStatus.CANCELLED, 0), ("fail", RunStatus.FAILED, 0)],
)
def test_expired_approval_follows_its_timeout_policy(
    env: Env, policy: str, status: RunStatus, delivered: int
) -> None:
    env.apply(_gated(expires_after_s=3600, on_timeout=policy))
    waiting = env.runs.start("gated")
    assert env.runs.recover() == [], "not expired yet"
    env.clock.now += timedelta(hours=2)
    [result] = env.runs.recover()
    assert result.id == waiting.id and result.status is status
    assert len(env.services.store.list_messages()) == delivered


def test_only_named_approvers_may_decide(env: Env) -> None:
    env.apply(_gated(approvers=["kim", "park"]))
    waiting = env.runs.start("gated")
    with pytest.raises(RunStateError, match="lee may not decide step 'ask'") as refused:
        env.runs.approve(waiting.id, "lee")
    assert "kim, park" in refused.value.fix
    assert env.services.store.get_approval(waiting.id, "ask").status is ApprovalStatus.PENDING
    assert env.runs.approve(waiting.id, "park").status is RunStatus.SUCCEEDED


def test_a_decision_whose_process_died_before_resuming_is_picked_up_by_recover(env: Env) -> None:
    env.apply(_gated())
    waiting = env.runs.start("gated")
    env.services.store.decide_approval(waiting.id, ApprovalStatus.APPROVED, "kim", None, env.clock())
    assert env.services.store.get_run(waiting.id).status is RunStatus.WAITING_APPROVAL
    [recovered] = env.runs.recover()
    assert recovered.id == waiting.id and recovered.status is RunStatus.SUCCEEDED
    assert [m.body for m in env.services.store.list_messages()] == ["paid 10 (kim)"]

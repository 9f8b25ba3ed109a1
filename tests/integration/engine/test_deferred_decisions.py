"""The non-blocking halves of approve/reject and retry that the REST API uses: `decide` records a
decision without running anything, `resume_decided` (or, after a crash, `recover`) acts on it;
`prepare_retry` queues the run a retry will execute."""

from __future__ import annotations

import pytest

from mwo.engine.errors import RunStateError
from mwo.store.records import ApprovalStatus, RunStatus, StepStatus

from .conftest import Env

GATED = {
    "name": "gated",
    "steps": [
        {"id": "ask", "type": "APPROVAL", "approvers": ["kim"]},
        {
            "id": "tell",
            "type": "NOTIFICATION",
            "channel": "inbox",
            "body": "done by {{ steps.ask.output.by }}",
        },
    ],
}


def test_decide_records_the_decision_and_runs_nothing(env: Env) -> None:
    env.apply(GATED)
    waiting = env.runs.start("gated")

    returned = env.runs.decide(waiting.id[:8], ApprovalStatus.APPROVED, "kim", "ok")

    assert returned.id == waiting.id and returned.status is RunStatus.WAITING_APPROVAL
    assert env.services.store.get_run(waiting.id).status is RunStatus.WAITING_APPROVAL
    assert env.services.store.get_approval(waiting.id, "ask").status is ApprovalStatus.APPROVED
    assert env.services.store.list_messages() == []

    done = env.runs.resume_decided(waiting.id, ApprovalStatus.APPROVED, "kim")
    assert done.status is RunStatus.SUCCEEDED
    assert [m.body for m in env.services.store.list_messages()] == ["done by kim"]


def test_a_decision_nobody_acted_on_is_resumed_by_recover(env: Env) -> None:
    env.apply(GATED)
    waiting = env.runs.start("gated")
    env.runs.decide(waiting.id, ApprovalStatus.APPROVED, "kim")  # the deciding process dies here

    recovered = env.new_process().recover()

    assert [(r.id, r.status) for r in recovered] == [(waiting.id, RunStatus.SUCCEEDED)]


def test_decide_keeps_the_rules_of_approve(env: Env) -> None:
    env.apply(GATED)
    waiting = env.runs.start("gated")
    with pytest.raises(RunStateError, match="may not decide"):
        env.runs.decide(waiting.id, ApprovalStatus.APPROVED, "lee")
    assert env.services.store.get_approval(waiting.id, "ask").status is ApprovalStatus.PENDING
    env.runs.reject(waiting.id, "kim")
    with pytest.raises(RunStateError, match="not waiting for approval"):
        env.runs.decide(waiting.id, ApprovalStatus.APPROVED, "kim")


def test_prepare_retry_queues_without_executing(env: Env) -> None:
    env.apply(GATED)
    first = env.runs.start("gated")
    env.runs.cancel(first.id)

    queued = env.runs.prepare_retry(first.id)

    assert queued.status is RunStatus.QUEUED and queued.retry_of == first.id
    assert env.services.store.list_step_runs(queued.id) == []
    assert env.runs.execute(queued.id).status is RunStatus.WAITING_APPROVAL
    with pytest.raises(RunStateError, match="not failed"):
        env.runs.prepare_retry(first.id, from_failed=True)
    rows = [(r.step_id, r.status) for r in env.services.store.list_step_runs(queued.id)]
    assert rows == [("ask", StepStatus.WAITING_APPROVAL)]

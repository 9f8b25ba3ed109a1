"""A process paused in the middle of a step past its lease, then resumed after another process took
the run over and finished it: its late step result, its log lines, its checkpoint and its final status
are all refused, it stops quietly (a warning in its own log, no exception), and the run stays exactly
as the new holder left it. In one process with two RunServices and a hand-moved clock."""

from __future__ import annotations

import logging
import threading
from datetime import timedelta
from typing import Any

import pytest

from mwo.engine.executor import StepContext, StepExecutor
from mwo.spec import StepBase, StepType
from mwo.store.records import RunRecord, RunStatus, StepStatus

from .conftest import Env

WORKFLOW = {
    "name": "fenced",
    "steps": [
        {"id": "first", "type": "NOTIFICATION", "channel": "inbox", "body": "first"},
        {"id": "second", "type": "NOTIFICATION", "channel": "inbox", "body": "second"},
    ],
}


class PausedOnce:
    """The NOTIFICATION executor, except that its first call stops until `resume` is set (as a
    process under SIGSTOP would) and then returns without sending."""

    def __init__(self, inner: StepExecutor[Any]) -> None:
        self.step_type = inner.step_type
        self.step_class = inner.step_class
        self.side_effects = inner.side_effects
        self.entered = threading.Event()
        self.resume = threading.Event()

    def execute(self, step: StepBase, ctx: StepContext) -> Any:
        self.entered.set()
        assert self.resume.wait(60), "the test never resumed the paused step"
        return {"channel": "inbox", "late": True}


def checkpoints(env: Env, run_id: str) -> int:
    return len(list(env.services.checkpointer.list({"configurable": {"thread_id": run_id}})))


def test_a_paused_executor_resumed_after_a_takeover_writes_nothing(
    env: Env, caplog: pytest.LogCaptureFixture
) -> None:
    env.apply(WORKFLOW)
    paused = PausedOnce(env.services.registry.get(StepType.NOTIFICATION))
    env.services.registry.register(paused)
    stale: list[RunRecord] = []
    first = threading.Thread(target=lambda: stale.append(env.runs.start("fenced")))
    first.start()
    assert paused.entered.wait(60), "the first process never reached its step"

    env.clock.advance(timedelta(seconds=env.services.settings.run_lease_s + 1))
    [recovered] = env.new_process().recover()  # another process takes the expired run over
    assert recovered.status is RunStatus.SUCCEEDED
    steps_after_takeover = env.services.store.list_step_runs(recovered.id)
    logs_after_takeover = env.services.store.list_logs(recovered.id)
    saved_after_takeover = checkpoints(env, recovered.id)

    with caplog.at_level(logging.WARNING, logger="mwo.engine.runs"):
        paused.resume.set()
        first.join(60)
    assert not first.is_alive()

    run = env.services.store.get_run(recovered.id)
    assert stale == [run], "the paused process returns the run as the new holder left it"
    assert (run.status, run.output) == (recovered.status, recovered.output)
    steps = env.services.store.list_step_runs(run.id)
    assert steps == steps_after_takeover
    assert [(s.step_id, s.attempt, s.status) for s in steps] == [
        ("first", 1, StepStatus.FAILED),  # the paused attempt, closed as interrupted by the new holder
        ("first", 2, StepStatus.SUCCEEDED),
        ("second", 1, StepStatus.SUCCEEDED),
    ]
    assert env.services.store.list_logs(run.id) == logs_after_takeover
    assert checkpoints(env, run.id) == saved_after_takeover, "no checkpoint from the paused process"
    assert sorted(m.body for m in env.services.store.list_messages()) == ["first", "second"]
    [warning] = [r for r in caplog.records if r.name == "mwo.engine.runs"]
    assert f"stopped executing run {run.id} here" in warning.getMessage()
    assert "lease" in warning.getMessage()


def test_the_checkpointer_writes_only_under_a_held_lease(env: Env) -> None:
    from langgraph.checkpoint.base import empty_checkpoint
    from langgraph.checkpoint.memory import InMemorySaver

    from mwo.engine.checkpoints import LEASE_KEY, FencedCheckpointer
    from mwo.store.errors import LeaseLost

    env.apply(WORKFLOW)
    store = env.services.store
    run = env.runs.create_run("fenced")
    now = env.clock()
    stale = store.acquire_run_lease(run.id, "worker-a", now + timedelta(seconds=1), now)
    later = now + timedelta(seconds=2)
    current = store.acquire_run_lease(run.id, "worker-b", later + timedelta(seconds=30), later)
    assert stale is not None and current is not None and current.token == stale.token + 1
    inner = InMemorySaver()
    fenced = FencedCheckpointer(inner, store)

    def config(lease: object) -> Any:
        return {"configurable": {"thread_id": run.id, "checkpoint_ns": "", LEASE_KEY: lease}}

    with pytest.raises(LeaseLost):
        fenced.put(config(stale), empty_checkpoint(), {}, {})
    with pytest.raises(LeaseLost):
        fenced.put_writes(config(stale), [("outputs", {})], "task-1")
    assert list(inner.list(None)) == []

    fenced.put(config(current), empty_checkpoint(), {}, {})
    assert len(list(fenced.list({"configurable": {"thread_id": run.id}}))) == 1
    assert isinstance(fenced.with_allowlist([("mwo", "Anything")]), FencedCheckpointer)


def test_a_fresh_proof_covers_the_checkpoint_writes_of_its_step_only(env: Env) -> None:
    """The step's row was just written under the lease (the proof is fresh): its checkpoint writes
    go through without a check of their own; once the next step starts (the proof cleared), a stale
    lease is refused again. The step runner clears it at each step's start, so a process paused in
    a step never carries a proof past its refused row."""
    from langgraph.checkpoint.base import empty_checkpoint
    from langgraph.checkpoint.memory import InMemorySaver

    from mwo.engine.checkpoints import LEASE_KEY, PROOF_KEY, FencedCheckpointer, LeaseProof
    from mwo.store.errors import LeaseLost

    env.apply(WORKFLOW)
    store = env.services.store
    run = env.runs.create_run("fenced")
    now = env.clock()
    stale = store.acquire_run_lease(run.id, "worker-a", now + timedelta(seconds=1), now)
    later = now + timedelta(seconds=2)
    assert store.acquire_run_lease(run.id, "worker-b", later + timedelta(seconds=30), later) is not None
    inner = InMemorySaver()
    fenced = FencedCheckpointer(inner, store)
    proof = LeaseProof(fresh=True)
    config: Any = {
        "configurable": {
            "thread_id": run.id,
            "checkpoint_ns": "",
            "checkpoint_id": "c1",
            LEASE_KEY: stale,
            PROOF_KEY: proof,
        }
    }

    fenced.put_writes(config, [("outputs", {})], "task-1")
    assert len(list(inner.list(None))) == 0 and inner.writes, "covered by the proof: written"

    proof.fresh = False  # the next step started
    with pytest.raises(LeaseLost):
        fenced.put(config, empty_checkpoint(), {}, {})
    assert list(inner.list(None)) == []

"""A step longer than the run lease, and an approval asked by a process that lost its run.

(1) The owner is alive and working in one step for several lease lengths: its heartbeat keeps the
lease, so another process's recovery pass (`RunService.recover`, what the server's reaper calls per
run) takes nothing over, and the owner finishes the run, once. Deterministically, with a hand-moved
clock and the heartbeat's beats made by the test (`RunService.heartbeat.beat`); and once with a real
short lease (1.5 s) and the heartbeat's own thread, over several lease lengths of real time.
(2) An owner paused (no beats) past its lease: the heartbeat's next beat finds the lease lost; the
owner, resumed, writes nothing and stops quietly; the run is the other process's.
(3) An owner paused inside an APPROVAL step, before it asks: another process takes the run over and
ends it (`on_abandoned: fail`); the resumed owner's request is refused (fenced), so no approval is
left pending for a run that is over.
"""

from __future__ import annotations

import logging
import threading
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from mwo.engine.executor import StepContext, StepExecutor
from mwo.engine.runs import RunService
from mwo.services import Services
from mwo.settings import Settings
from mwo.spec import StepBase, StepType, workflow_from_data
from mwo.store.records import RunFilter, RunRecord, RunStatus, StepStatus

from .conftest import Env

WORKFLOW = {
    "name": "long-step",
    "steps": [
        {"id": "slow", "type": "NOTIFICATION", "channel": "inbox", "body": "slow"},
        {"id": "next", "type": "NOTIFICATION", "channel": "inbox", "body": "next"},
    ],
}
WAIT_S = 60.0
"""Only a bound on waiting for a thread of the test, never asserted."""


class HeldOnce:
    """Wraps an executor: its first call waits for `release` (a step that takes long, or a process
    stopped in it), then does the real work; later calls (another process's) run at once."""

    def __init__(self, inner: StepExecutor[Any]) -> None:
        self.inner = inner
        self.step_type = inner.step_type
        self.step_class = inner.step_class
        self.side_effects = inner.side_effects
        self.entered = threading.Event()
        self.release = threading.Event()
        self._calls = 0

    def execute(self, step: StepBase, ctx: StepContext) -> Any:
        self._calls += 1
        if self._calls == 1:
            self.entered.set()
            assert self.release.wait(WAIT_S), "the test never let the step go on"
        return self.inner.execute(step, ctx)


def held(
    runs: RunService, registry: Any, step_type: StepType, name: str
) -> tuple[HeldOnce, threading.Thread, list[RunRecord]]:
    """Wrap `step_type`'s executor and start workflow `name` on `runs` in a thread; returns once the
    held step is entered."""
    wrapper = HeldOnce(registry.get(step_type))
    registry.register(wrapper)
    result: list[RunRecord] = []
    thread = threading.Thread(target=lambda: result.append(runs.start(name)))
    thread.start()
    assert wrapper.entered.wait(WAIT_S), "the run never reached its held step"
    return wrapper, thread, result


def finished_once_by_its_owner(env_store: Any, run: RunRecord) -> None:
    assert run.status is RunStatus.SUCCEEDED, run.error
    steps = [(s.step_id, s.attempt, s.status) for s in env_store.list_step_runs(run.id)]
    assert steps == [("slow", 1, StepStatus.SUCCEEDED), ("next", 1, StepStatus.SUCCEEDED)]
    assert sorted(m.body for m in env_store.list_messages()) == ["next", "slow"]
    assert env_store.get_run(run.id).acquired_by is None


def test_a_step_longer_than_the_lease_keeps_it_and_is_not_taken_over(env: Env) -> None:
    env.apply(WORKFLOW)
    slow, owner, result = held(env.runs, env.services.registry, StepType.NOTIFICATION, "long-step")
    store = env.services.store
    [run] = store.list_runs(RunFilter(statuses=(RunStatus.RUNNING,)))
    other = env.new_process()
    lease_s = env.services.settings.run_lease_s

    for _ in range(12):  # four lease lengths inside the one step
        env.clock.advance(timedelta(seconds=lease_s / 3))
        env.runs.heartbeat.beat()
        assert other.recover() == [], "a live owner's run is not taken over"
        assert store.get_run(run.id).acquired_until > env.clock()

    slow.release.set()
    owner.join(WAIT_S)
    assert result and result[0].id == run.id
    finished_once_by_its_owner(store, result[0])


def test_a_beat_after_the_owner_was_paused_past_its_lease_finds_it_lost(
    env: Env, caplog: pytest.LogCaptureFixture
) -> None:
    env.apply(WORKFLOW)
    paused, owner, result = held(env.runs, env.services.registry, StepType.NOTIFICATION, "long-step")
    env.clock.advance(timedelta(seconds=env.services.settings.run_lease_s + 1))  # no beat: paused
    [recovered] = env.new_process().recover()
    assert recovered.status is RunStatus.SUCCEEDED
    store = env.services.store
    rows, logs = store.list_step_runs(recovered.id), store.list_logs(recovered.id)

    with caplog.at_level(logging.WARNING):
        env.runs.heartbeat.beat()  # the owner's process goes on: its first beat
        paused.release.set()
        owner.join(WAIT_S)

    assert result == [store.get_run(recovered.id)], "the owner returns the run as the other left it"
    assert store.list_step_runs(recovered.id) == rows and store.list_logs(recovered.id) == logs
    assert sorted(m.body for m in store.list_messages()) == ["next", "slow"], "each sent once"
    said = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert any("taken over by another process" in line for line in said), said
    assert any(f"stopped executing run {recovered.id} here" in line for line in said), said
    assert not any(r.exc_info for r in caplog.records), "no traceback"


def test_an_approval_asked_after_the_run_was_taken_over_is_refused(
    env: Env, caplog: pytest.LogCaptureFixture
) -> None:
    env.apply(
        {
            "name": "ask-late",
            "settings": {"on_abandoned": "fail"},
            "steps": [{"id": "ask", "type": "APPROVAL", "message": "go on?"}],
        }
    )
    paused, owner, result = held(env.runs, env.services.registry, StepType.APPROVAL, "ask-late")
    env.clock.advance(timedelta(seconds=env.services.settings.run_lease_s + 1))
    [failed] = env.new_process().recover()  # on_abandoned: fail -- the run is over
    assert failed.status is RunStatus.FAILED

    with caplog.at_level(logging.WARNING, logger="mwo.engine.runs"):
        paused.release.set()
        owner.join(WAIT_S)

    store = env.services.store
    assert result == [store.get_run(failed.id)]
    assert store.list_pending_approvals() == [], "no approval asked for a run that is over"
    assert f"stopped executing run {failed.id} here" in caplog.text


@pytest.mark.slow
def test_the_heartbeat_thread_keeps_a_short_lease_in_real_time(tmp_path: Path) -> None:
    """A lease of 1.5 s (a beat every 0.5 s) and a step held for three lease lengths of real time,
    while another process runs recovery passes: none takes the run."""
    settings = Settings(
        home=tmp_path / "home",
        run_lease_s=1.5,
        secret_key=None,
        _env_file=None,  # type: ignore[call-arg]
    )
    here, there = Services.open(settings), Services.open(settings)
    try:
        here.applier.apply_workflow(workflow_from_data(WORKFLOW))
        slow, owner, result = held(here.runs, here.registry, StepType.NOTIFICATION, "long-step")
        end = time.monotonic() + 3 * settings.run_lease_s
        passes = 0
        while time.monotonic() < end:
            assert there.runs.recover() == [], "a live owner's run is not taken over"
            passes += 1
            time.sleep(0.2)  # the time passing is what is tested: recovery passes through it
        assert passes > 10
        slow.release.set()
        owner.join(WAIT_S)
        assert result
        finished_once_by_its_owner(here.store, result[0])
    finally:
        there.close()
        here.close()


def test_a_long_step_polling_for_a_stop_sees_its_lost_lease(env: Env) -> None:
    """LLM_CALL and PYTHON_SCRIPT poll `ctx.is_cancelled` while they run: once a beat found the lease
    lost, the step stops early instead of finishing work the new holder runs again."""
    env.apply(WORKFLOW)
    seen: list[bool] = []
    paused, owner, result = held(env.runs, env.services.registry, StepType.NOTIFICATION, "long-step")
    inner_execute = paused.inner.execute

    def polling(step: StepBase, ctx: StepContext) -> Any:
        seen.append(ctx.is_cancelled())
        return inner_execute(step, ctx)

    paused.inner.execute = polling  # type: ignore[method-assign]
    env.clock.advance(timedelta(seconds=env.services.settings.run_lease_s + 1))
    [recovered] = env.new_process().recover()
    assert not env.services.store.get_run(recovered.id).cancel_requested

    env.runs.heartbeat.beat()  # finds the lease lost
    paused.release.set()
    owner.join(WAIT_S)

    assert seen == [True], "the stale owner's step is told to stop"
    assert result == [env.services.store.get_run(recovered.id)]

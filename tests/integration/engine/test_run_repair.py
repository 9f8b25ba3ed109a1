"""Run-time repair through the whole engine, with an injected repairer (the repair loop itself is
tested in tests/*/healing): propose -> approve resumes the run from the failed step on the new
version, reject fails it as before, auto applies and continues, off and no-fix fail as before."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest

from mwo.engine.errors import RunStateError
from mwo.engine.repair import RepairOutcome, RepairRequest, RepairWiring, SaveVersion
from mwo.engine.runs import RunService
from mwo.sandbox import Sandbox, SandboxConfig
from mwo.services import Services
from mwo.spec import PythonScriptStep, Workflow, workflow_from_data
from mwo.store import NotFound
from mwo.store.records import RepairStatus, RunLease, RunStatus, StepStatus, VersionRecord

from .conftest import Env

BROKEN = "def main(inputs):\n    return {'titles': [i['titel'] for i in inputs['items']]}\n"
FIXED = "def main(inputs):\n    return {'titles': [i['title'] for i in inputs['items']]}\n"
ITEMS = [{"title": "rates"}, {"title": "stocks"}]


@pytest.fixture(autouse=True)
def _needs_isolation() -> None:
    probe = Sandbox(SandboxConfig(pool_size=0))
    if not probe.isolation.isolated:
        pytest.skip(f"no namespace isolation here: {probe.isolation.detail}")


@dataclass
class ScriptedRepairer:
    """Answers every request with `code` (None: no fix found); remembers what it was asked."""

    code: str | None = FIXED
    requests: list[RepairRequest] = field(default_factory=list)
    during: Callable[[], None] | None = None

    def repair(self, request: RepairRequest, keep_going: Callable[[], None]) -> RepairOutcome:
        self.requests.append(request)
        if self.during is not None:
            self.during()
        keep_going()
        if self.code is None:
            return RepairOutcome(None, note="no candidate passed the dry run", attempts=3, seconds=2.0)
        assert isinstance(request.step, PythonScriptStep)
        fixed = request.step.model_copy(update={"code": self.code})
        return RepairOutcome(fixed, note="renamed the key 'titel' to 'title'", attempts=1, seconds=0.5)


def _workflow(repair: str = "propose") -> dict[str, Any]:
    return {
        "name": "headlines",
        "inputs": {"items": {"type": "array", "default": ITEMS}},
        "settings": {"repair": repair},
        "steps": [
            {"id": "pick", "type": "DATA_TRANSFORM", "source": "inputs.items"},
            {
                "id": "clean",
                "type": "PYTHON_SCRIPT",
                "description": "the titles of the items",
                "code": BROKEN,
                "inputs": {"items": "{{ steps.pick.output.result }}"},
            },
            {"id": "count", "type": "DATA_TRANSFORM", "source": "steps.clean.output.titles"},
        ],
    }


def _service(
    env: Env, repairer: ScriptedRepairer, *, fresh_process: bool = False, save: SaveVersion | None = None
) -> RunService:
    """A run service repairing with `repairer`, saving fixes with `save` (the apply path's
    `save_fix` by default); `fresh_process`: on its own connections, as another process (or this one
    after a restart) would be."""
    services = Services.open(env.services.settings) if fresh_process else env.services
    return RunService(
        services.store,
        services.registry,
        services.checkpointer,
        services.settings,
        clock=env.clock,
        sleep=env.clock.sleep,
        repair=RepairWiring(repairer, save or services.applier.save_fix),
    )


def _steps(env: Env, run_id: str) -> list[tuple[str, int, StepStatus, int]]:
    store = env.services.store
    numbers = {v.id: v.number for v in store.list_versions("headlines")}
    return [
        (r.step_id, r.attempt, r.status, numbers[r.version_id or 0]) for r in store.list_step_runs(run_id)
    ]


def test_a_proposed_fix_waits_then_approving_resumes_from_the_failed_step_on_a_new_version(env: Env) -> None:
    env.apply(_workflow())
    repairer = ScriptedRepairer()
    runs = _service(env, repairer)

    waiting = runs.start("headlines")

    assert waiting.status is RunStatus.WAITING_REPAIR, waiting.error
    proposal = env.services.store.get_repair_proposal(waiting.id)
    assert proposal.status is RepairStatus.PENDING
    assert (proposal.step_id, proposal.input) == ("clean", {"items": ITEMS})
    assert "KeyError" in proposal.error["message"] and proposal.error["step"] == "clean"
    assert "-    return {'titles': [i['titel']" in proposal.diff
    assert "+    return {'titles': [i['title']" in proposal.diff
    assert repairer.requests[0].failing_input == {"items": ITEMS}
    assert repairer.requests[0].subject == f"run:{waiting.id}:clean"
    assert any(
        f"mwo repair {waiting.id[:8]}" in line.message for line in env.services.store.list_logs(waiting.id)
    )
    assert env.services.store.get_version("headlines").number == 1  # nothing saved yet

    done = runs.approve_repair(waiting.id, "kim", "the key is title")

    assert done.status is RunStatus.SUCCEEDED, done.error
    assert done.output["count"] == {"result": ["rates", "stocks"], "count": 2}
    version = env.services.store.get_version("headlines")
    assert (version.number, version.message) == (2, f"repair of step clean in run {waiting.id}")
    assert (done.version_id, done.version_number) == (version.id, 2)
    assert workflow_from_data(_workflow()).step("pick") == runs.workflow_of(version).step("pick")
    assert _steps(env, done.id) == [
        ("pick", 1, StepStatus.SUCCEEDED, 1),
        ("clean", 1, StepStatus.FAILED, 1),
        ("clean", 2, StepStatus.SUCCEEDED, 2),
        ("count", 1, StepStatus.SUCCEEDED, 2),
    ]
    decided = env.services.store.get_repair_proposal(done.id)
    assert (decided.status, decided.decided_by, decided.new_version_id) == (
        RepairStatus.APPROVED,
        "kim",
        version.id,
    )


def test_rejecting_fails_the_run_with_the_error_it_had_without_repair(env: Env) -> None:
    env.apply(_workflow("off"))
    without = env.runs.start("headlines")
    env.apply(_workflow())
    runs = _service(env, ScriptedRepairer())
    waiting = runs.start("headlines")

    failed = runs.reject_repair(waiting.id, "kim", "not like that")

    assert failed.status is RunStatus.FAILED
    assert failed.error == without.error
    assert env.services.store.get_repair_proposal(failed.id).status is RepairStatus.REJECTED
    assert env.services.store.get_version("headlines").number == 2  # the off and the propose version


def test_auto_applies_the_fix_and_continues_with_a_note_on_the_run(env: Env) -> None:
    env.apply(_workflow("auto"))
    runs = _service(env, ScriptedRepairer())

    done = runs.start("headlines")

    assert done.status is RunStatus.SUCCEEDED, done.error
    assert done.version_number == 2
    proposal = env.services.store.get_repair_proposal(done.id)
    assert (proposal.status, proposal.decided_by) == (RepairStatus.AUTO_APPLIED, "auto")
    notes = [line.message for line in env.services.store.list_logs(done.id)]
    assert any("applied automatically" in note for note in notes)
    assert [s[0:3] for s in _steps(env, done.id)][-2:] == [
        ("clean", 2, StepStatus.SUCCEEDED),
        ("count", 1, StepStatus.SUCCEEDED),
    ]


def test_auto_saves_no_fix_once_another_process_took_the_run_over(env: Env) -> None:
    """The run's lease is lost between the proposal and the save of its fix (another process took
    the run over): the fix is not saved as a version, the run is not re-pinned, and the proposal
    stays for the new holder."""
    env.apply(_workflow("auto"))
    services = env.services
    taken: list[int] = []

    def taken_over_then_save(workflow: Workflow, message: str, lease: RunLease | None) -> VersionRecord:
        assert lease is not None, "repair: auto saves under the run's lease"
        later = env.clock() + timedelta(hours=1)  # past any lease this process holds or extends
        other = services.store.acquire_run_lease(
            lease.run_id, "worker-b", later + timedelta(minutes=1), later
        )
        assert other is not None
        taken.append(other.token)
        return services.applier.save_fix(workflow, message, lease)

    left = _service(env, ScriptedRepairer(), save=taken_over_then_save).start("headlines")

    assert taken, "the save was reached"
    assert services.store.get_version("headlines").number == 1, "no fix saved by the stale holder"
    assert left.version_id == services.store.get_version("headlines", 1).id, "not re-pinned"
    assert services.store.get_repair_proposal(left.id).status is RepairStatus.PENDING
    assert left.status is RunStatus.RUNNING, "left as the new holder has it"


def test_off_fails_as_before_without_asking_the_repairer(env: Env) -> None:
    env.apply(_workflow("off"))
    repairer = ScriptedRepairer()

    failed = _service(env, repairer).start("headlines")

    assert failed.status is RunStatus.FAILED
    assert failed.error is not None and failed.error["type"] == "exception"
    assert repairer.requests == []
    with pytest.raises(NotFound):
        env.services.store.get_repair_proposal(failed.id)


def test_no_fix_found_fails_the_run_and_says_repair_was_tried(env: Env) -> None:
    env.apply(_workflow())

    failed = _service(env, ScriptedRepairer(code=None)).start("headlines")

    assert failed.status is RunStatus.FAILED
    assert failed.error is not None and "KeyError" in failed.error["message"]
    proposal = env.services.store.get_repair_proposal(failed.id)
    assert (proposal.status, proposal.proposed, proposal.attempts) == (RepairStatus.NOT_FIXED, None, 3)
    notes = [line.message for line in env.services.store.list_logs(failed.id)]
    assert "repair was tried and found no fix: no candidate passed the dry run" in notes


def test_a_waiting_run_survives_a_restart_and_another_process_approves_it(env: Env) -> None:
    env.apply(_workflow())
    waiting = _service(env, ScriptedRepairer()).start("headlines")

    done = _service(env, ScriptedRepairer(), fresh_process=True).approve_repair(waiting.id, "lee")

    assert done.status is RunStatus.SUCCEEDED, done.error
    assert done.version_number == 2


def test_a_waiting_run_is_not_executed_and_recover_leaves_it_waiting(env: Env) -> None:
    env.apply(_workflow())
    runs = _service(env, ScriptedRepairer())
    waiting = runs.start("headlines")

    with pytest.raises(RunStateError) as refused:
        runs.execute(waiting.id)
    assert f"mwo repair {waiting.id[:8]}" in refused.value.fix
    assert runs.recover() == []
    assert env.services.store.get_run(waiting.id).status is RunStatus.WAITING_REPAIR


def test_recover_continues_a_run_whose_fix_was_approved_but_not_executed(env: Env) -> None:
    env.apply(_workflow())
    runs = _service(env, ScriptedRepairer())
    waiting = runs.start("headlines")
    runs.decide_repair(waiting.id, RepairStatus.APPROVED, "kim")  # the API answers here; then a crash

    recovered = _service(env, ScriptedRepairer(), fresh_process=True).recover()

    assert [(r.id, r.status) for r in recovered] == [(waiting.id, RunStatus.SUCCEEDED)]


def test_cancelling_during_the_repair_cancels_the_run(env: Env) -> None:
    env.apply(_workflow())
    holder: list[str] = []
    repairer = ScriptedRepairer()
    runs = _service(env, repairer)
    repairer.during = lambda: holder.append(runs.cancel(repairer.requests[0].run_id).id)

    cancelled = runs.start("headlines")

    assert cancelled.status is RunStatus.CANCELLED
    assert holder == [cancelled.id]


def test_a_waiting_run_can_be_cancelled_at_once(env: Env) -> None:
    env.apply(_workflow())
    runs = _service(env, ScriptedRepairer())
    waiting = runs.start("headlines")

    assert runs.cancel(waiting.id).status is RunStatus.CANCELLED
    assert env.services.store.list_pending_repairs() == []


def test_approving_after_the_workflow_changed_is_refused(env: Env) -> None:
    env.apply(_workflow())
    runs = _service(env, ScriptedRepairer())
    waiting = runs.start("headlines")
    changed = _workflow()
    changed["description"] = "edited meanwhile"
    env.apply(changed)

    with pytest.raises(RunStateError) as refused:
        runs.approve_repair(waiting.id, "kim")

    assert "--reject" in refused.value.fix
    assert env.services.store.get_run(waiting.id).status is RunStatus.WAITING_REPAIR


def test_a_step_is_repaired_once_per_run(env: Env) -> None:
    env.apply(_workflow("auto"))
    repairer = ScriptedRepairer(code=BROKEN.replace("titel", "tittle"))  # a "fix" that fails again

    failed = _service(env, repairer).start("headlines")

    assert failed.status is RunStatus.FAILED
    assert len(repairer.requests) == 1
    assert failed.version_number == 2  # it failed on the repaired version


def test_a_repairer_that_breaks_fails_the_run_as_before_with_a_note(env: Env) -> None:
    env.apply(_workflow())
    repairer = ScriptedRepairer()
    repairer.during = lambda: 1 / 0  # type: ignore[func-returns-value, return-value]

    failed = _service(env, repairer).start("headlines")

    assert failed.status is RunStatus.FAILED
    assert failed.error is not None and "KeyError" in failed.error["message"]
    note = env.services.store.get_repair_proposal(failed.id).note
    assert note == "the repair itself failed (ZeroDivisionError: division by zero)"

"""Run-time repair end to end with the real repair loop (mwo.healing's ScriptHealer, wired as
`Services` wires it) and the scripted fake model: a script fails on real input -> proposal -> approve
-> the run resumes from the failed step on the new version and succeeds.

Two ways a fix is found: a deterministic fixer (a misspelt key with a near match in the input; the
model is never asked) and the model (an output that does not match the step's declared `output`)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from mwo.engine.healing_repairer import healing_wiring
from mwo.engine.runs import RunService
from mwo.llm.fake import FakeChatModel
from mwo.llm.service import LlmService
from mwo.sandbox import Sandbox, SandboxConfig
from mwo.services import Services
from mwo.settings import Settings
from mwo.spec import StepType, Workflow, workflow_from_data
from mwo.store.records import RepairStatus, RunStatus, StepStatus, VersionRecord
from tests.clocks import ManualClock

MISSPELT = "def main(inputs):\n    return {'titles': [i['titel'] for i in inputs['items']]}\n"
AS_TEXT = "def main(inputs):\n    return {'count': str(len(inputs['items']))}\n"
AS_NUMBER = "def main(inputs):\n    return {'count': len(inputs['items'])}\n"


@pytest.fixture(autouse=True)
def _needs_isolation() -> None:
    if not Sandbox(SandboxConfig(pool_size=0)).isolation.isolated:
        pytest.skip("no namespace isolation here")


@pytest.fixture
def services(settings: Settings) -> Iterator[Services]:
    opened = Services.open(settings.model_copy(update={"healing_rounds": 2, "healing_candidates": 1}))
    yield opened
    opened.close()


def _runs(services: Services, model: FakeChatModel) -> RunService:
    """A run service repairing as `Services` does, the model being the scripted fake."""
    executor: Any = services.registry.get(StepType.PYTHON_SCRIPT)

    def save(workflow: Workflow, message: str) -> VersionRecord:
        return services.apply_workflow(workflow, message)[0]

    llm = LlmService(services.settings.llm, services.store, chat_model=model)
    wiring = healing_wiring(services.settings, services.store, lambda: executor.sandbox, save, llm=llm)
    clock = ManualClock.ticking()
    return RunService(
        services.store,
        services.registry,
        services.checkpointer,
        services.settings,
        clock=clock,
        sleep=clock.sleep,
        repair=wiring,
    )


def _workflow(code: str, **script: Any) -> dict[str, Any]:
    return {
        "name": "headlines",
        "inputs": {"items": {"type": "array", "default": [{"title": "rates"}, {"title": "stocks"}]}},
        "steps": [
            {"id": "pick", "type": "DATA_TRANSFORM", "source": "inputs.items"},
            {
                "id": "clean",
                "type": "PYTHON_SCRIPT",
                "description": "the titles, or how many items there are",
                "code": code,
                "inputs": {"items": "{{ steps.pick.output.result }}"},
                **script,
            },
        ],
    }


def _apply(services: Services, data: dict[str, Any]) -> None:
    services.apply_workflow(workflow_from_data(data))


def test_a_misspelt_key_is_fixed_by_a_fixer_and_the_approved_run_succeeds(services: Services) -> None:
    _apply(services, _workflow(MISSPELT))
    model = FakeChatModel(script=[])
    runs = _runs(services, model)

    waiting = runs.start("headlines")

    assert waiting.status is RunStatus.WAITING_REPAIR, waiting.error
    proposal = services.store.get_repair_proposal(waiting.id)
    assert proposal.status is RepairStatus.PENDING
    assert "i['title']" in (proposal.proposed or "") and "'titel'" in proposal.note
    assert model.calls == []  # the fixer was enough
    attempts = services.store.list_healing_attempts(f"run:{waiting.id}:clean")
    assert attempts and attempts[-1].accepted and attempts[-1].repair_id == proposal.repair_id

    done = runs.approve_repair(waiting.id, "kim")

    assert done.status is RunStatus.SUCCEEDED, done.error
    assert done.output["clean"] == {"titles": ["rates", "stocks"]}
    assert done.version_number == 2
    rows = services.store.list_step_runs(done.id)
    assert [(r.step_id, r.attempt, r.status) for r in rows] == [
        ("pick", 1, StepStatus.SUCCEEDED),
        ("clean", 1, StepStatus.FAILED),
        ("clean", 2, StepStatus.SUCCEEDED),
    ]


def test_an_output_off_its_declared_schema_is_fixed_by_the_model(services: Services) -> None:
    schema = {"type": "object", "required": ["count"], "properties": {"count": {"type": "integer"}}}
    _apply(services, _workflow(AS_TEXT, output=schema))
    model = FakeChatModel(script=[f"The count must be a number:\n```python\n{AS_NUMBER}```\n"])
    runs = _runs(services, model)

    waiting = runs.start("headlines")

    assert waiting.status is RunStatus.WAITING_REPAIR, waiting.error
    proposal = services.store.get_repair_proposal(waiting.id)
    assert proposal.error["type"] == "output_shape"
    assert proposal.proposed == AS_NUMBER and len(model.calls) == 1
    done = runs.approve_repair(waiting.id, "kim")
    assert done.status is RunStatus.SUCCEEDED, done.error
    assert done.output["clean"] == {"count": 2}


def test_no_fix_from_the_loop_fails_the_run_with_a_note(services: Services) -> None:
    _apply(services, _workflow(AS_TEXT, output={"type": "object", "required": ["total"]}))
    model = FakeChatModel(script=["I cannot help with that."] * 4)

    failed = _runs(services, model).start("headlines")

    assert failed.status is RunStatus.FAILED and failed.error is not None
    assert failed.error["type"] == "output_shape"
    proposal = services.store.get_repair_proposal(failed.id)
    assert proposal.status is RepairStatus.NOT_FIXED and proposal.note
    notes = [line.message for line in services.store.list_logs(failed.id)]
    assert any(n.startswith("repair was tried and found no fix: ") for n in notes)


def test_a_data_transform_no_candidate_fixes_fails_as_before_with_a_note(services: Services) -> None:
    _apply(
        services,
        {
            "name": "sorted",
            "inputs": {"items": {"type": "string", "default": "not a list"}},
            "steps": [
                {
                    "id": "order",
                    "type": "DATA_TRANSFORM",
                    "source": "inputs.items",
                    "ops": [{"op": "sort", "by": "x"}],
                }
            ],
        },
    )

    failed = _runs(services, FakeChatModel(script=[])).start("sorted")

    assert failed.status is RunStatus.FAILED and failed.error is not None
    assert failed.error["step"] == "order"
    proposal = services.store.get_repair_proposal(failed.id)
    assert proposal.status is RepairStatus.NOT_FIXED
    assert proposal.note == "no fix within 2 rounds"  # the fake's echo is no JSON op: rejected
    assert services.store.list_healing_attempts(f"run:{failed.id}:order")

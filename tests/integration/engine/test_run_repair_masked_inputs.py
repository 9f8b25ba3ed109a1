"""A script whose input carries a secret is repaired on the recorded input, where the secret is
masked (`***`): the prompt, the stored attempts and the proposal never see the value, and the dry
run does not fail because of the mask: it runs on the real value, its results masked again."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
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
from mwo.store.records import RepairStatus, RunStatus, VersionRecord
from tests.clocks import ManualClock

PIN = "482913"
NEEDS_PIN = (
    "def main(inputs):\n"
    "    code = int(inputs['pin'])\n"
    "    return {'titles': [i['titel'] for i in inputs['items']], 'checked': code > 0}\n"
)


@pytest.fixture(autouse=True)
def _needs_isolation() -> None:
    if not Sandbox(SandboxConfig(pool_size=0)).isolation.isolated:
        pytest.skip("no namespace isolation here")


@pytest.fixture
def services(settings: Settings) -> Iterator[Services]:
    opened = Services.open(settings.model_copy(update={"healing_rounds": 1, "healing_candidates": 1}))
    yield opened
    opened.close()


def _runs(services: Services, model: FakeChatModel) -> RunService:
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


def test_a_masked_secret_in_the_input_neither_reaches_the_repair_nor_breaks_its_dry_run(
    services: Services,
) -> None:
    services.store.set_secret("PIN", PIN, datetime(2026, 6, 1, tzinfo=UTC))
    services.apply_workflow(
        workflow_from_data(
            {
                "name": "headlines",
                "inputs": {"items": {"type": "array", "default": [{"title": "rates"}]}},
                "steps": [
                    {
                        "id": "clean",
                        "type": "PYTHON_SCRIPT",
                        "code": NEEDS_PIN,
                        "inputs": {"items": "{{ inputs.items }}", "pin": "{{ secrets.PIN }}"},
                    }
                ],
            }
        )
    )
    model = FakeChatModel(script=[])

    waiting = _runs(services, model).start("headlines")

    assert waiting.status is RunStatus.WAITING_REPAIR, waiting.error
    proposal = services.store.get_repair_proposal(waiting.id)
    assert proposal.status is RepairStatus.PENDING and "i['title']" in (proposal.proposed or "")
    assert proposal.input == {"items": [{"title": "rates"}], "pin": "***"}  # as recorded
    attempts = services.store.list_healing_attempts(f"run:{waiting.id}:clean")
    shown = json.dumps([proposal.note, proposal.diff, proposal.error, proposal.findings], default=str)
    shown += json.dumps([(a.findings, a.diff, a.note) for a in attempts], default=str)
    assert PIN not in shown and model.calls == []

    done = _runs(services, model).approve_repair(waiting.id, "kim")

    assert done.status is RunStatus.SUCCEEDED, done.error
    assert done.output["clean"] == {"titles": ["rates"], "checked": True}

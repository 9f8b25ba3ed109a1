"""Run-time repair of DATA_TRANSFORM steps end to end, wired as `Services` wires it, with the scripted
fake model: a transform fails on the run's real data -> proposal -> approve -> the run resumes from
the failed step on the new version and succeeds. Plus `repair: auto`, and a secret-bearing source
whose repair never shows the secret while its trial uses the real value."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime, timezone
from typing import Any

import pytest

from mwo.engine.healing_repairer import healing_wiring
from mwo.engine.runs import RunService
from mwo.llm.fake import FakeChatModel
from mwo.llm.service import LlmService
from mwo.services import Services
from mwo.settings import Settings
from mwo.spec import DataTransformStep, StepType, Workflow, workflow_from_data
from mwo.store.records import RepairStatus, RunStatus, StepStatus, VersionRecord
from tests.clocks import ManualClock

ITEMS = [{"title": "rates", "score": 3}, {"title": "stocks", "score": 9}]


@pytest.fixture
def services(settings: Settings) -> Iterator[Services]:
    opened = Services.open(settings.model_copy(update={"healing_rounds": 2, "healing_candidates": 1}))
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


def _workflow(ops: list[dict[str, Any]], *, repair: str = "propose", **step: Any) -> dict[str, Any]:
    return {
        "name": "digest",
        "settings": {"repair": repair},
        "inputs": {"feed": {"type": "object", "default": {"page": 1, "items": ITEMS}}},
        "steps": [
            {"id": "fetch", "type": "DATA_TRANSFORM", "source": "inputs.feed"},
            {
                "id": "top",
                "type": "DATA_TRANSFORM",
                "description": "the titles, best score first",
                "source": "steps.fetch.output.result",
                "ops": ops,
                **step,
            },
        ],
    }


def test_a_transform_pointed_one_level_too_high_is_fixed_approved_and_the_run_succeeds(
    services: Services,
) -> None:
    services.apply_workflow(
        workflow_from_data(_workflow([{"op": "sort", "by": "score", "descending": True}]))
    )
    model = FakeChatModel(script=[])
    runs = _runs(services, model)

    waiting = runs.start("digest")

    assert waiting.status is RunStatus.WAITING_REPAIR, waiting.error
    proposal = services.store.get_repair_proposal(waiting.id)
    assert proposal.status is RepairStatus.PENDING and proposal.step_type == "DATA_TRANSFORM"
    assert proposal.error["type"] == "config" and "needs a list" in proposal.error["message"]
    assert "-source: steps.fetch.output.result\n+source: steps.fetch.output.result.items\n" in proposal.diff
    assert "'items'" in proposal.note and model.calls == []
    attempts = services.store.list_healing_attempts(f"run:{waiting.id}:top")
    assert attempts and attempts[-1].accepted and attempts[-1].repair_id == proposal.repair_id

    done = runs.approve_repair(waiting.id, "kim")

    assert done.status is RunStatus.SUCCEEDED, done.error
    assert [r["title"] for r in done.output["top"]["result"]] == ["stocks", "rates"]
    assert done.version_number == 2
    step = workflow_from_data(_workflow([])).step("top")
    assert isinstance(step, DataTransformStep)
    rows = services.store.list_step_runs(done.id)
    assert [(r.step_id, r.attempt, r.status) for r in rows] == [
        ("fetch", 1, StepStatus.SUCCEEDED),
        ("top", 1, StepStatus.FAILED),
        ("top", 2, StepStatus.SUCCEEDED),
    ]
    assert rows[1].version_id != rows[2].version_id


def test_a_wrong_op_argument_is_fixed_by_the_model_under_auto(services: Services) -> None:
    schema = {
        "type": "object",
        "required": ["result"],
        "properties": {"result": {"type": "array", "minItems": 1}},
    }
    broken = [{"op": "filter", "where": "item.score > 90"}]
    services.apply_workflow(
        workflow_from_data(
            _workflow(broken, repair="auto", source="steps.fetch.output.result.items", output=schema)
        )
    )
    answer = json.dumps({"op": "filter", "where": "item.score > 5"})
    model = FakeChatModel(script=[answer])

    done = _runs(services, model).start("digest")

    assert done.status is RunStatus.SUCCEEDED, done.error
    assert done.output["top"]["result"] == [ITEMS[1]]
    assert len(model.calls) == 1
    prompt = model.calls[0]["messages"][-1]["content"]
    assert "Fix only ops[0] (filter)" in prompt and '"score": 9' in prompt
    proposal = services.store.get_repair_proposal(done.id)
    assert proposal.status is RepairStatus.AUTO_APPLIED
    assert "+  where: item.score > 5" in proposal.diff


def test_a_secret_the_transform_reads_is_real_in_its_trial_and_masked_in_the_repair(
    services: Services,
) -> None:
    secret = "alpha-team-7731"
    services.store.set_secret("TEAM", secret, datetime.now(timezone.utc))
    owned = [{"title": "rates", "owner": secret}, {"title": "stocks", "owner": "beta"}]
    data = _workflow(
        [{"op": "filter", "where": "item.ownr == secrets.TEAM"}],
        source="steps.fetch.output.result.items",
        output={"type": "object", "properties": {"result": {"type": "array", "minItems": 1}}},
    )
    data["inputs"]["feed"]["default"] = {"items": owned}
    services.apply_workflow(workflow_from_data(data))

    waiting = _runs(services, FakeChatModel(script=[])).start("digest")

    # with the mask (`***`) in place of the secret the filter would keep nothing and the declared
    # output (at least one item) would fail: the fix is found because the trial sees the real value
    assert waiting.status is RunStatus.WAITING_REPAIR, waiting.error
    proposal = services.store.get_repair_proposal(waiting.id)
    assert "+  where: item.owner == secrets.TEAM" in proposal.diff
    attempts = services.store.list_healing_attempts(f"run:{waiting.id}:top")
    shown = json.dumps([proposal.note, proposal.diff, proposal.input, proposal.error, proposal.findings])
    shown += json.dumps([(a.findings, a.diff, a.note) for a in attempts], default=str)
    assert secret not in shown

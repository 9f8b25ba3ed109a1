"""A script whose input carries a secret is repaired on the recorded input, where the secret is
masked (`***`): the prompt, the stored attempts and the proposal never see the value, and the dry
run does not fail because of the mask: it runs on the real value, its results masked again."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from mwo.llm.fake import FakeChatModel
from mwo.services import Services
from mwo.settings import Settings
from mwo.store.records import RepairStatus, RunStatus
from tests.integration.engine.repair_support import (
    apply,
    failing_workflow,
    repair_services,
    repairing_runs,
    skip_without_isolation,
)

PIN = "482913"
NEEDS_PIN = (
    "def main(inputs):\n"
    "    code = int(inputs['pin'])\n"
    "    return {'titles': [i['titel'] for i in inputs['items']], 'checked': code > 0}\n"
)


@pytest.fixture(autouse=True)
def _needs_isolation() -> None:
    skip_without_isolation()


@pytest.fixture
def services(settings: Settings) -> Iterator[Services]:
    with repair_services(settings, rounds=1) as opened:
        yield opened


def test_a_masked_secret_in_the_input_neither_reaches_the_repair_nor_breaks_its_dry_run(
    services: Services,
) -> None:
    services.store.set_secret("PIN", PIN, datetime(2026, 6, 1, tzinfo=UTC))
    apply(
        services,
        failing_workflow(
            "headlines",
            {"items": {"type": "array", "default": [{"title": "rates"}]}},
            {
                "id": "clean",
                "type": "PYTHON_SCRIPT",
                "code": NEEDS_PIN,
                "inputs": {"items": "{{ inputs.items }}", "pin": "{{ secrets.PIN }}"},
            },
        ),
    )
    model = FakeChatModel(script=[])

    waiting = repairing_runs(services, model).start("headlines")

    assert waiting.status is RunStatus.WAITING_REPAIR, waiting.error
    proposal = services.store.get_repair_proposal(waiting.id)
    assert proposal.status is RepairStatus.PENDING and "i['title']" in (proposal.proposed or "")
    assert proposal.input == {"items": [{"title": "rates"}], "pin": "***"}  # as recorded
    attempts = services.store.list_healing_attempts(f"run:{waiting.id}:clean")
    shown = json.dumps([proposal.note, proposal.diff, proposal.error, proposal.findings], default=str)
    shown += json.dumps([(a.findings, a.diff, a.note) for a in attempts], default=str)
    assert PIN not in shown and model.calls == []

    done = repairing_runs(services, model).approve_repair(waiting.id, "kim")

    assert done.status is RunStatus.SUCCEEDED, done.error
    assert done.output["clean"] == {"titles": ["rates"], "checked": True}

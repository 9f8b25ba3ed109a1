"""What the run-time repair tests share (test_run_repair_healing, _transform, _masked_inputs): a
services container with a small repair budget, a RunService repairing as `Services` wires it (the real
repair loop, the model being the scripted fake, time on a ManualClock), and a workflow whose last step
fails on the run's own data."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
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
from tests.clocks import ManualClock


def skip_without_isolation() -> None:
    """A repaired script's dry run needs the sandbox's namespaces."""
    if not Sandbox(SandboxConfig(pool_size=0)).isolation.isolated:
        pytest.skip("no namespace isolation here")


@contextmanager
def repair_services(settings: Settings, *, rounds: int, candidates: int = 1) -> Iterator[Services]:
    """Services whose repair loop runs at most `rounds` rounds of `candidates` model answers."""
    opened = Services.open(
        settings.model_copy(update={"healing_rounds": rounds, "healing_candidates": candidates})
    )
    try:
        yield opened
    finally:
        opened.close()


def repairing_runs(services: Services, model: FakeChatModel) -> RunService:
    """A run service repairing as `Services` does (fixes saved through the apply use case), the
    model being the scripted fake."""
    executor: Any = services.registry.get(StepType.PYTHON_SCRIPT)

    llm = LlmService(services.settings.llm, services.store, chat_model=model)
    wiring = healing_wiring(
        services.settings, services.store, lambda: executor.sandbox, services.applier.save_fix, llm=llm
    )
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


def failing_workflow(
    name: str,
    inputs: dict[str, Any],
    failing: dict[str, Any],
    *,
    upstream: dict[str, Any] | None = None,
    repair: str | None = None,
) -> dict[str, Any]:
    """A workflow whose `failing` step breaks on the run's data, reading it from `upstream` (a step
    before it) when one is given; `repair` is the workflow's repair mode (default: propose)."""
    data: dict[str, Any] = {
        "name": name,
        "inputs": inputs,
        "steps": [*([upstream] if upstream is not None else []), failing],
    }
    if repair is not None:
        data["settings"] = {"repair": repair}
    return data


def apply(services: Services, data: dict[str, Any]) -> Workflow:
    """Validate and save `data` as the workflow's next version."""
    workflow = workflow_from_data(data)
    services.applier.apply_workflow(workflow)
    return workflow

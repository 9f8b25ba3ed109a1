"""Run-time repair: what the engine hands a repairer, what it gets back, and which failures qualify.

When a PYTHON_SCRIPT or DATA_TRANSFORM step has failed after its retries (an exception, a bad
output, an output not matching its declared `output`) and the workflow's `settings.repair` is not
`off`, the run service asks a `Repairer` for a fix found on the failing input. The engine does not
know how fixes are found (that is `mwo.healing`, wired in by `Services`); it only knows this
protocol, so tests inject a repairer and the engine runs without the model.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from mwo.engine.failures import StepFailed
from mwo.errors import FailureKind
from mwo.spec import PythonScriptStep, StepBase, StepType, Workflow, dump_workflow
from mwo.store.records import RunLease, VersionRecord

_REPAIRABLE: dict[StepType, frozenset[FailureKind]] = {
    # Not: timeouts, the network, cancels, a missing secret or sandbox refusals (CONFIG, VIOLATION):
    # changing the code does not fix those, and a fix must never widen what a step may do.
    StepType.PYTHON_SCRIPT: frozenset({FailureKind.EXCEPTION, FailureKind.OUTPUT_SHAPE}),
    StepType.DATA_TRANSFORM: frozenset(
        {FailureKind.TEMPLATE, FailureKind.CONFIG, FailureKind.OUTPUT_SHAPE, FailureKind.EXCEPTION}
    ),
}


def is_repairable(step: StepBase, failure: StepFailed) -> bool:
    """Whether changing the step itself may fix this failure (see the kinds above)."""
    return failure.kind in _REPAIRABLE.get(StepType(step.type), frozenset())


@dataclass(frozen=True)
class RepairRequest:
    """A step that failed for good in a run, and what it failed on.

    `failing_input` is the input the step's last attempt ran with, as recorded (secret values
    masked): a PYTHON_SCRIPT's `inputs`, a DATA_TRANSFORM's recorded source summary. `error` is the
    failure as recorded (`type`, `message` with the trimmed traceback, `fix`).
    """

    run_id: str
    workflow: Workflow
    step: StepBase
    failing_input: Any
    error: dict[str, Any]

    @property
    def subject(self) -> str:
        """What the repair loop's attempts are stored under (HealingStore)."""
        return f"run:{self.run_id}:{self.step.id}"


@dataclass(frozen=True)
class RepairOutcome:
    """A repairer's answer: the fixed step (None when no candidate passed), the validator's
    findings of the fix, how long it took, and a note (what was assumed, or why nothing passed)."""

    step: StepBase | None
    note: str = ""
    findings: list[dict[str, Any]] = field(default_factory=list)
    attempts: int = 0
    seconds: float = 0.0
    repair_id: str | None = None

    @property
    def fixed(self) -> bool:
        return self.step is not None


class Repairer(Protocol):
    """Finds a fix for a failed step on its failing input; may take minutes (it asks the model)."""

    def repair(self, request: RepairRequest, keep_going: Callable[[], None]) -> RepairOutcome:
        """A fixed step that passes the validator and a dry run on `request.failing_input`, or an
        outcome without one. Call `keep_going()` between pieces of work: it raises (RunCancelled)
        when the run was cancelled meanwhile, and the caller lets that through."""


SaveVersion = Callable[[Workflow, str, RunLease | None], VersionRecord]
"""Saves a workflow as its next version through the same checks as `mwo apply` (Services); with the
run's lease (`repair: auto`) only while it holds (LeaseLost otherwise): `WorkflowApply.save_fix`."""


@dataclass(frozen=True)
class RepairWiring:
    """What the run service needs to repair failed steps: a repairer and the `mwo apply` path."""

    repairer: Repairer
    save_version: SaveVersion


def step_source(step: StepBase) -> str:
    """What a repair changes and a person reviews: a script's code, else the step as YAML."""
    if isinstance(step, PythonScriptStep):
        return step.code
    import yaml

    data = step.model_dump(mode="json", by_alias=True, exclude_none=True)
    return str(yaml.safe_dump(data, allow_unicode=True, sort_keys=False))


def with_step(workflow: Workflow, fixed: StepBase) -> Workflow:
    """`workflow` with only the step of `fixed.id` replaced."""
    steps = [fixed if s.id == fixed.id else s for s in workflow.steps]
    return workflow.model_copy(update={"steps": steps})


def proposed_spec(workflow: Workflow, fixed: StepBase) -> str:
    """The YAML of the version a fix becomes."""
    return dump_workflow(with_step(workflow, fixed))


def source_diff(step_id: str, original: str, proposed: str) -> str:
    """A unified diff of the step's source, as `mwo repair` and the API show it."""
    lines = difflib.unified_diff(
        original.splitlines(keepends=True),
        proposed.splitlines(keepends=True),
        fromfile=f"{step_id} (failed)",
        tofile=f"{step_id} (proposed)",
    )
    return "".join(line if line.endswith("\n") else line + "\n" for line in lines)


__all__ = [
    "RepairOutcome",
    "RepairRequest",
    "RepairWiring",
    "Repairer",
    "SaveVersion",
    "is_repairable",
    "proposed_spec",
    "source_diff",
    "step_source",
    "with_step",
]

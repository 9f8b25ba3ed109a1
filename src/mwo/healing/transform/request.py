"""What a DATA_TRANSFORM repair is asked to do: one step of a workflow, a way to run it on the failing
input (the trial), and what it is for."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from mwo.spec import DataTransformStep, Workflow


@dataclass(frozen=True)
class TrialOutcome:
    """One run of a transform on the failing input: its output, or its failure as the engine records
    it (`type`, `message`, `fix`). Secret values are masked in both: what a trial returns may reach
    a prompt and the store."""

    output: Any = None
    failure: dict[str, Any] | None = None

    @property
    def ok(self) -> bool:
        return self.failure is None


TransformTrial = Callable[[DataTransformStep], TrialOutcome]
"""Runs a (candidate) step on the failing input exactly as the engine would, its declared `output`
checked; never raises for a bad step."""


@dataclass(frozen=True)
class TransformRepairRequest:
    """One DATA_TRANSFORM step to repair so that it succeeds on the trial's input and serves `goal`.

    `workflow` is the step's workflow (the validator checks the candidate in it); `error` is the
    run-time failure already seen; `subject` names the repair in the store (`run:<id>:<step>`).
    """

    workflow: Workflow
    step: DataTransformStep
    trial: TransformTrial
    goal: str = ""
    error: str = ""
    subject: str = "transform"

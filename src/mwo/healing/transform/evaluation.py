"""How good a version of a DATA_TRANSFORM step is: the validator's findings on it, its trial on the
failing input, and where in the pipeline it fails (the source, or which op). The loop compares these.

Where it fails is found by running the pipeline's prefixes (the source alone, then one more op each
time, the declared `output` left out): a transform runs in-process in microseconds to milliseconds,
so this costs little and tells fixers and the model exactly which part to change.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from mwo.healing.transform.request import TransformRepairRequest, TrialOutcome
from mwo.healing.transform.text import step_text
from mwo.settings import Settings
from mwo.spec import DataTransformStep, Workflow
from mwo.validation.checks import DeclaredSchemas, GraphAndReferences, TemplateSafety
from mwo.validation.findings import Finding, Severity
from mwo.validation.validator import CodeValidator

_SPACE = re.compile(r"\s+")
_NUMBER = re.compile(r"\d{4,}")


@dataclass(frozen=True)
class TransformEvaluation:
    """One version of the step, checked and tried.

    `part` is what fails: 0 the source, i the op `ops[i-1]` (None when the trial succeeded);
    `reached` how far the pipeline got (higher is further: i for a failure at part i, len(ops)+1
    when only the declared `output` was not met, len(ops)+2 when it ran through).
    """

    step: DataTransformStep
    findings: tuple[Finding, ...]
    output: Any
    failure: dict[str, Any] | None
    part: int | None
    reached: int

    @property
    def text(self) -> str:
        """The step as YAML: what a person reviews and a diff compares."""
        return step_text(self.step)

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.is_error]

    @property
    def ok(self) -> bool:
        """It ran on the failing input, its output matches the declaration, the validator is content."""
        return self.failure is None and not self.errors

    @property
    def signature(self) -> str | None:
        """What failed, where, normalised: the same failure again means the loop makes no progress."""
        if self.ok:
            return None
        if self.failure is not None:
            return f"{self.failure.get('type')}|{_normalised(str(self.failure.get('message')))}|{self.part}"
        top = self.errors[0]
        return f"{top.code}|{_normalised(top.message)}"

    def rank(self) -> tuple[int, int, int]:
        """Higher is better: runs through, then further along the pipeline, then fewer errors."""
        return (1 if self.ok else 0, self.reached, -len(self.errors))

    def headline(self) -> str:
        """One line saying what is wrong."""
        if self.ok:
            return "ok"
        if self.failure is not None:
            return f"{part_name(self.step, self.part)}: {self.failure.get('message')}"
        return self.errors[0].message

    @property
    def failing_part(self) -> int:
        """The part to change: where the trial fails, else the last op (or the source without ops)."""
        if self.part is not None:
            return self.part
        return len(self.step.ops)


def part_name(step: DataTransformStep, part: int | None) -> str:
    """`source`, or `ops[1] (sort)`: a part as findings, notes and prompts name it."""
    if not part:
        return "source"
    op = step.ops[part - 1]
    return f"ops[{part - 1}] ({op.op})"


class TransformEvaluator:
    """Checks and tries versions of one request's step."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._validator = CodeValidator(
            settings, checks=(GraphAndReferences(), TemplateSafety(), DeclaredSchemas())
        )

    def evaluate(self, step: DataTransformStep, request: TransformRepairRequest) -> TransformEvaluation:
        """Validate `step` in the request's workflow, try it, and find where it fails."""
        static = self.check(step, request.workflow)
        tried = request.trial(step)
        if tried.ok:
            return TransformEvaluation(step, tuple(static), tried.output, None, None, len(step.ops) + 2)
        part, reached = self._locate(step, request, tried)
        failure = tried.failure or {}
        found = Finding(
            code=f"transform.{failure.get('type', 'failed')}",
            severity=Severity.ERROR,
            message=str(failure.get("message", "the transform failed")),
            hint=str(failure.get("fix", "")),
            step=step.id,
            field="source" if not part else f"ops[{part - 1}]",
        )
        return TransformEvaluation(step, (*static, found), None, failure, part, reached)

    def check(self, step: DataTransformStep, workflow: Workflow) -> list[Finding]:
        """The validator's errors on this step within its workflow (other steps' are not its to fix)."""
        changed = workflow.model_copy(
            update={"steps": [step if s.id == step.id else s for s in workflow.steps]}
        )
        report = self._validator.validate(changed)
        return [f for f in report.findings if f.step == step.id and f.is_error]

    def value_into(self, step: DataTransformStep, part: int, request: TransformRepairRequest) -> Any:
        """What flows into op `ops[part-1]` on the failing input (None for the source, or when the
        pipeline fails before it)."""
        if part <= 0:
            return None
        tried = request.trial(_prefix(step, part - 1))
        return tried.output.get("result") if tried.ok and isinstance(tried.output, dict) else None

    def source_value(
        self, step: DataTransformStep, source: str, request: TransformRepairRequest
    ) -> TrialOutcome:
        """What an expression gives on the failing input (the step with `source` and no ops)."""
        return request.trial(step.model_copy(update={"source": source, "ops": [], "output": None}))

    def _locate(
        self, step: DataTransformStep, request: TransformRepairRequest, tried: TrialOutcome
    ) -> tuple[int | None, int]:
        """(failing part, reached): the first prefix that fails, or the declared output's."""
        for count in range(len(step.ops) + 1):
            if not request.trial(_prefix(step, count)).ok:
                return count, count
        return None, len(step.ops) + 1


def _prefix(step: DataTransformStep, count: int) -> DataTransformStep:
    """The step with its first `count` ops and no declared output."""
    return step.model_copy(update={"ops": list(step.ops[:count]), "output": None})


def _normalised(message: str) -> str:
    return _SPACE.sub(" ", _NUMBER.sub("N", message)).strip()[:200]

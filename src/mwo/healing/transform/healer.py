"""Repairing a DATA_TRANSFORM step: the bounded repair loop (`healing.loop.RepairLoop`, the one scripts
get) over the step's versions: each tried on the failing input, deterministic fixers, then the model
on the one failing part; a candidate reading secrets the step did not read is rejected unrun; every
attempt stored in the HealingStore as a script repair's are (the candidate's text is the step's YAML).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from typing import Any

from mwo.clock import utc_now
from mwo.healing.loop import OnEvent, Proposal, Rejected, RepairLoop
from mwo.healing.result import RepairAttempt, RepairStatus
from mwo.healing.transform.evaluation import TransformEvaluation, TransformEvaluator
from mwo.healing.transform.fixers import TransformFixer, default_transform_fixers
from mwo.healing.transform.model import TransformCandidate, TransformModelRepairer
from mwo.healing.transform.request import TransformRepairRequest
from mwo.healing.transform.text import step_diff, step_text
from mwo.llm.service import LlmService
from mwo.settings import Settings
from mwo.spec import DataTransformStep
from mwo.store.abc import HealingStore
from mwo.validation.findings import Finding, Severity

_SECRET = re.compile(r"""\bsecrets\s*(?:\.\s*(\w+)|\[\s*['"]([^'"]+)['"]\s*\])""")


@dataclass(frozen=True)
class TransformRepairResult:
    """The end of a repair: the final step (the fixed one for `fixed`), what it gave on the failing
    input, its findings, every attempt, what fixers assumed, and why the loop stopped."""

    status: RepairStatus
    step: DataTransformStep
    original: DataTransformStep
    output: Any
    findings: list[Finding]
    attempts: list[RepairAttempt]
    seconds: float
    repair_id: str
    assumptions: list[str] = field(default_factory=list)
    rounds: int = 0
    stopped: str = ""

    @property
    def diff(self) -> str:
        return step_diff(self.original, self.step)


class TransformHealer:
    """Repairs DATA_TRANSFORM steps; one instance serves many repairs (it holds no state of any one)."""

    def __init__(
        self,
        settings: Settings,
        llm: LlmService,
        store: HealingStore | None = None,
        clock: Callable[[], datetime] = utc_now,
        fixers: Sequence[TransformFixer] | None = None,
    ) -> None:
        self.settings = settings
        self.evaluator = TransformEvaluator(settings)
        self.model = TransformModelRepairer(llm, self.evaluator)
        self.store = store
        self.clock = clock
        self.fixers = tuple(fixers) if fixers is not None else default_transform_fixers()

    def repair(
        self, request: TransformRepairRequest, on_event: OnEvent | None = None, *, rounds: int | None = None
    ) -> TransformRepairResult:
        """Repair `request.step` so it succeeds on the trial's input; never raises for a bad step."""
        outcome = RepairLoop(
            _TransformTarget(self, request),
            self.settings,
            rounds=rounds,
            subject=request.subject,
            store=self.store,
            clock=self.clock,
            on_event=on_event,
        ).run()
        final = outcome.final
        return TransformRepairResult(
            step=final.step, original=request.step, output=final.output, **outcome.result_fields()
        )


class _TransformTarget:
    """One repair's step as the loop's `RepairTarget`: versions are steps, tried on the failing input;
    the model's candidates may not read secrets the step did not read."""

    checking = "running the step on the failing input"
    moved_failure_is_progress = False
    """Strictly better only. Unlike a script's, a transform failing at the same part with another
    message has not moved: on the local model, keeping `inputs.feed.entries.items` for
    `inputs.feed.entries` led every later answer further down the wrong path."""

    def __init__(self, healer: TransformHealer, request: TransformRepairRequest) -> None:
        self._healer = healer
        self._request = request
        self._allowed_secrets = secret_names(step_text(request.step))
        self.fixers = tuple(partial(self._propose, fixer) for fixer in healer.fixers)

    def original(self) -> TransformEvaluation:
        return self.evaluate(self._request.step)

    def unjudgeable(self, original: TransformEvaluation) -> str | None:
        return None  # the trial runs in-process: every candidate can be tried

    def evaluate(self, version: DataTransformStep) -> TransformEvaluation:
        return self._healer.evaluator.evaluate(version, self._request)

    def version_of(self, evaluation: TransformEvaluation) -> DataTransformStep:
        return evaluation.step

    def text(self, version: DataTransformStep) -> str:
        return step_text(version)

    def diff(self, base: DataTransformStep, version: DataTransformStep) -> str:
        return step_diff(base, version)

    def candidates(
        self,
        current: TransformEvaluation,
        count: int,
        time_left: Callable[[], float],
        on_ask: Callable[[int, float], None],
    ) -> Iterator[TransformCandidate]:
        return self._healer.model.candidates(current, self._request, count, time_left, on_ask)

    def judge(
        self, version: DataTransformStep, current: TransformEvaluation
    ) -> TransformEvaluation | Rejected:
        """The candidate tried, or rejected unrun when unchanged or reading new secrets."""
        if version == current.step:
            problem = _finding(
                "healing.unchanged", "the candidate is the same step as before", "change the failing part"
            )
            return Rejected([problem], "unchanged")
        added = sorted(secret_names(step_text(version)) - self._allowed_secrets)
        if added:
            detail = ", ".join(f"the secret {name!r}" for name in added)
            problem = _finding(
                "healing.widens_permissions",
                f"the candidate asks for more than the step had: {detail}",
                f"never add {detail}",
            )
            return Rejected([problem], f"rejected, never run: {detail}")
        return self.evaluate(version)

    def _propose(
        self, fixer: TransformFixer, current: TransformEvaluation
    ) -> Proposal[DataTransformStep] | None:
        fix = fixer.propose(current, self._request, self._healer.evaluator)
        return None if fix is None else Proposal(fixer.name, fix.step, fix.assumption)


def secret_names(text: str) -> set[str]:
    """Secrets a step's text reads (`secrets.KEY`, `secrets['KEY']`)."""
    return {m.group(1) or m.group(2) for m in _SECRET.finditer(text)}


def _finding(code: str, message: str, hint: str) -> Finding:
    return Finding(code=code, severity=Severity.ERROR, message=message, hint=hint, field="step")

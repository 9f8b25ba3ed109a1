"""The repair loop for DATA_TRANSFORM steps: the step tried on the failing input, deterministic fixers,
then the model on the one failing part; bounded by rounds and wall time; a failure seen before ends
it; a candidate reading secrets the step did not read is rejected unrun; every attempt stored in the
HealingStore as a script repair's are (the candidate's text is the step's YAML).
"""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from mwo.clock import utc_now
from mwo.healing.result import HealingEvent, RepairAttempt, RepairStatus, Stage
from mwo.healing.transform.evaluation import TransformEvaluation, TransformEvaluator
from mwo.healing.transform.fixers import TransformFixer, default_transform_fixers
from mwo.healing.transform.model import TransformCandidate, TransformModelRepairer
from mwo.healing.transform.request import TransformRepairRequest
from mwo.healing.transform.text import step_diff, step_text
from mwo.llm.service import LlmService
from mwo.settings import Settings
from mwo.spec import DataTransformStep
from mwo.store.abc import HealingStore
from mwo.store.records import HealingSource
from mwo.validation.findings import Finding, Severity

OnEvent = Callable[[HealingEvent], None]
_FIXER_PASSES = 4
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
        return _Repair(self, request, on_event, rounds or self.settings.healing_rounds).run()


class _Repair:
    """The state of one repair: the best version so far, the attempts, the failures already seen."""

    def __init__(
        self, healer: TransformHealer, request: TransformRepairRequest, on_event: OnEvent | None, rounds: int
    ) -> None:
        self.healer = healer
        self.request = request
        self.on_event = on_event
        self.rounds = rounds
        self.repair_id = str(uuid.uuid4())
        self.started = time.monotonic()
        self.attempts: list[RepairAttempt] = []
        self.assumptions: list[str] = []
        self.seen: set[str] = set()
        self.index = 0
        self.allowed_secrets = secret_names(step_text(request.step))

    def run(self) -> TransformRepairResult:
        self._emit("checking", 0, "running the step on the failing input")
        current = self.healer.evaluator.evaluate(self.request.step, self.request)
        if current.ok:
            return self._finish("already_ok", current, 0, "")
        self.seen.add(current.signature or "")
        stopped, round_ = "", 0
        for round_ in range(1, self.rounds + 1):
            self.index = 0
            current, stopped = self._round(current, round_)
            if current.ok or stopped:
                break
        else:
            stopped = f"no fix within {self.rounds} round" + ("s" if self.rounds > 1 else "")
        return self._finish("fixed" if current.ok else "failed", current, round_, stopped)

    def _round(self, current: TransformEvaluation, round_: int) -> tuple[TransformEvaluation, str]:
        limit = f"time limit ({self.healer.settings.healing_time_s:g} s) reached"
        if self._time_left() <= 0:
            return current, limit
        self._emit("fixer", round_, f"fixing: {current.headline()}")
        before = set(self.seen)
        signatures: set[str] = set()
        current = self._fix_deterministically(current, round_, signatures)
        if current.ok:
            return current, ""
        current, model_failed = self._ask_model(current, round_, signatures)
        if current.ok:
            return current, ""
        self._emit("round_failed", round_, f"still failing: {current.headline()}")
        if self._time_left() <= 0:
            return current, limit
        if model_failed:
            return current, "the model could not answer"
        if signatures and signatures <= before:
            return current, f"the same failure again: {current.headline()}"
        return current, ""

    def _fix_deterministically(
        self, current: TransformEvaluation, round_: int, signatures: set[str]
    ) -> TransformEvaluation:
        for _ in range(_FIXER_PASSES):
            improved = False
            for fixer in self.healer.fixers:
                fix = fixer.propose(current, self.request, self.healer.evaluator)
                if fix is None or fix.step == current.step:
                    continue
                started = time.monotonic()
                candidate = self.healer.evaluator.evaluate(fix.step, self.request)
                keep = self._better(candidate, current)
                self._record(
                    round_,
                    HealingSource.FIXER,
                    current,
                    candidate,
                    keep,
                    f"{fixer.name}: {fix.assumption}",
                    seconds=time.monotonic() - started,
                )
                signatures.add(candidate.signature or "")
                if keep:
                    self.assumptions.append(fix.assumption)
                    current, improved = candidate, True
                    if current.ok:
                        return current
            if not improved:
                break
        return current

    def _ask_model(
        self, current: TransformEvaluation, round_: int, signatures: set[str]
    ) -> tuple[TransformEvaluation, bool]:
        count = self.healer.settings.healing_candidates
        self._emit("model", round_, f"asking the model for {count} candidate(s): {current.headline()}")
        tried: list[tuple[TransformEvaluation, TransformCandidate, int]] = []
        for answer in self.healer.model.candidates(current, self.request, count, self._time_left):
            if answer.step is None:
                assert answer.problem is not None
                self._reject(round_, answer, current, None, [answer.problem], answer.problem.message)
                if answer.failed:
                    return current, True
                continue
            evaluated = self._judge(round_, answer, current)
            if evaluated is None:
                continue
            tried.append((evaluated, answer, self._next_index()))
            signatures.add(evaluated.signature or "")
            if evaluated.ok:
                break
        if not tried:
            return current, False
        best = max(tried, key=lambda t: (t[0].rank(), -len(step_diff(current.step, t[0].step))))
        keep = self._better(best[0], current)
        for evaluated, answer, index in tried:
            accepted = keep and evaluated is best[0]
            self._record(
                round_,
                HealingSource.MODEL,
                current,
                evaluated,
                accepted,
                "kept" if accepted else "not better than the current version",
                model=answer.model,
                tokens=answer.tokens,
                seconds=answer.seconds,
                index=index,
            )
        return (best[0] if keep else current), False

    def _judge(
        self, round_: int, answer: TransformCandidate, current: TransformEvaluation
    ) -> TransformEvaluation | None:
        """The candidate tried, or None when it is rejected unrun (unchanged, or reading new secrets)."""
        assert answer.step is not None
        if answer.step == current.step:
            problem = _finding(
                "healing.unchanged", "the candidate is the same step as before", "change the failing part"
            )
            self._reject(round_, answer, current, answer.step, [problem], "unchanged")
            return None
        added = sorted(secret_names(step_text(answer.step)) - self.allowed_secrets)
        if added:
            detail = ", ".join(f"the secret {name!r}" for name in added)
            problem = _finding(
                "healing.widens_permissions",
                f"the candidate asks for more than the step had: {detail}",
                f"never add {detail}",
            )
            self._reject(round_, answer, current, answer.step, [problem], f"rejected, never run: {detail}")
            return None
        return self.healer.evaluator.evaluate(answer.step, self.request)

    def _better(self, candidate: TransformEvaluation, current: TransformEvaluation) -> bool:
        """Strictly better only. Unlike a script's, a transform failing at the same part with another
        message has not moved: on the local model, keeping `inputs.feed.entries.items` for
        `inputs.feed.entries` led every later answer further down the wrong path."""
        return candidate.rank() > current.rank()

    def _reject(
        self,
        round_: int,
        answer: TransformCandidate,
        current: TransformEvaluation,
        step: DataTransformStep | None,
        findings: list[Finding],
        why: str,
    ) -> None:
        self._store(
            RepairAttempt(
                round=round_,
                candidate=self._next_index(),
                source=HealingSource.MODEL,
                candidate_code=step_text(step) if step is not None else "",
                findings=findings,
                diff=step_diff(current.step, step) if step is not None else "",
                accepted=False,
                note=why,
                model=answer.model,
                tokens=answer.tokens,
                seconds=answer.seconds,
            )
        )

    def _record(
        self,
        round_: int,
        source: HealingSource,
        base: TransformEvaluation,
        candidate: TransformEvaluation,
        accepted: bool,
        why: str,
        *,
        model: str | None = None,
        tokens: int = 0,
        seconds: float = 0.0,
        index: int | None = None,
    ) -> None:
        self.seen.add(candidate.signature or "")
        self._store(
            RepairAttempt(
                round=round_,
                candidate=self._next_index() if index is None else index,
                source=source,
                candidate_code=candidate.text,
                findings=list(candidate.findings),
                diff=step_diff(base.step, candidate.step),
                accepted=accepted,
                note=why,
                model=model,
                tokens=tokens,
                seconds=seconds,
            )
        )

    def _store(self, attempt: RepairAttempt) -> None:
        self.attempts.append(attempt)
        store = self.healer.store
        if store is not None:
            store.record_healing_attempt(
                attempt.as_record(self.request.subject, self.repair_id),
                self.healer.clock(),
            )
        verdict = "kept" if attempt.accepted else "dropped"
        self._emit(
            attempt.source.value,
            attempt.round,
            f"{attempt.source.value} candidate {attempt.candidate} {verdict}: {attempt.note}",
            attempt,
        )

    def _finish(
        self, status: RepairStatus, final: TransformEvaluation, rounds: int, stopped: str
    ) -> TransformRepairResult:
        self._emit("done", rounds, status + (f": {stopped}" if stopped and not final.ok else ""))
        return TransformRepairResult(
            status=status,
            step=final.step,
            original=self.request.step,
            output=final.output,
            findings=list(final.findings),
            attempts=sorted(self.attempts, key=lambda a: (a.round, a.candidate)),
            seconds=time.monotonic() - self.started,
            repair_id=self.repair_id,
            assumptions=list(self.assumptions),
            rounds=rounds,
            stopped="" if final.ok else stopped,
        )

    def _next_index(self) -> int:
        index = self.index
        self.index += 1
        return index

    def _time_left(self) -> float:
        return self.healer.settings.healing_time_s - (time.monotonic() - self.started)

    def _emit(self, stage: Stage, round_: int, message: str, attempt: RepairAttempt | None = None) -> None:
        if self.on_event is not None:
            self.on_event(HealingEvent(stage, round_, message, attempt))


def secret_names(text: str) -> set[str]:
    """Secrets a step's text reads (`secrets.KEY`, `secrets['KEY']`)."""
    return {m.group(1) or m.group(2) for m in _SECRET.finditer(text)}


def _finding(code: str, message: str, hint: str) -> Finding:
    return Finding(code=code, severity=Severity.ERROR, message=message, hint=hint, field="step")

"""The repair loop: check, deterministic fixers, then the model on the failing part; bounded by rounds
and wall time; a failure seen before ends it; every attempt recorded.

    healer = ScriptHealer(settings, llm, sandbox, store)
    result = healer.repair(ScriptRepairRequest(code=..., inputs={...}, goal="..."), on_event=print)

A round is: the fixers, each kept only when the re-check improves (or moves the failure somewhere
new), until none applies; then `settings.healing_candidates` model answers, the best kept by dry-run
success, findings and diff size. A candidate that widens permissions is rejected before it runs; a
truncated, empty or non-code answer is rejected with a finding.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Sequence
from datetime import datetime

from mwo.clock import utc_now
from mwo.healing.evaluation import Evaluation, Evaluator
from mwo.healing.fixers import Fixer, default_fixers
from mwo.healing.model_candidates import ModelCandidate, ModelRepairer
from mwo.healing.notes import note
from mwo.healing.permissions import widening
from mwo.healing.request import ScriptRepairRequest
from mwo.healing.result import HealingEvent, RepairAttempt, RepairResult, RepairStatus, Stage, unified_diff
from mwo.llm.service import LlmService
from mwo.sandbox import Sandbox
from mwo.settings import Settings
from mwo.store.abc import HealingStore
from mwo.store.records import HealingSource
from mwo.validation.findings import Finding

OnEvent = Callable[[HealingEvent], None]
_FIXER_PASSES = 4
"""Passes over the fixer list per round (a script with two wrong keys needs two)."""


class ScriptHealer:
    """Repairs scripts; one instance serves many repairs (it holds no state of any one)."""

    def __init__(
        self,
        settings: Settings,
        llm: LlmService,
        sandbox: Sandbox,
        store: HealingStore | None = None,
        clock: Callable[[], datetime] = utc_now,
        fixers: Sequence[Fixer] | None = None,
    ) -> None:
        self.settings = settings
        self._evaluator = Evaluator(settings, sandbox)
        self._model = ModelRepairer(llm, settings.language)
        self._store = store
        self._clock = clock
        self._fixers = tuple(fixers) if fixers is not None else default_fixers()

    def repair(
        self, request: ScriptRepairRequest, on_event: OnEvent | None = None, *, rounds: int | None = None
    ) -> RepairResult:
        """Repair `request.code` so main succeeds on `request.inputs`; never raises for a bad script."""
        return _Repair(self, request, on_event, rounds or self.settings.healing_rounds).run()


class _Repair:
    """The state of one repair: the best version so far, the attempts, the failures already seen."""

    def __init__(
        self, healer: ScriptHealer, request: ScriptRepairRequest, on_event: OnEvent | None, rounds: int
    ):
        self.healer = healer
        self.request = request
        self.on_event = on_event
        self.rounds = rounds
        self.repair_id = str(uuid.uuid4())
        self.started = time.monotonic()
        self.attempts: list[RepairAttempt] = []
        self.assumptions: list[str] = []
        self.seen: set[str] = set()
        self.candidate_index = 0
        self.original_static: list[Finding] = []

    def run(self) -> RepairResult:
        """Check, then rounds until fixed, bounded, or stuck; the result either way."""
        self._emit("checking", 0, "checking the script and running it on the input")
        original = self.healer._evaluator.evaluate(self.request.code, self.request)
        if original.ok:
            return self._finish("already_ok", original, 0, "")
        unavailable = next((f for f in original.findings if f.code == "dryrun.unavailable"), None)
        if unavailable is not None:  # nothing can be judged without a dry run
            return self._finish("failed", original, 0, f"{unavailable.message}; {unavailable.hint}")
        self.original_static = [f for f in original.findings if not f.code.startswith("dryrun.")]
        current, stopped, round_ = original, "", 0
        self.seen.add(original.signature or "")
        for round_ in range(1, self.rounds + 1):
            self.candidate_index = 0
            current, stopped = self._round(current, round_)
            if current.ok or stopped:
                break
        else:
            stopped = f"no fix within {self.rounds} round" + ("s" if self.rounds > 1 else "")
        return self._finish("fixed" if current.ok else "failed", current, round_, stopped)

    def _round(self, current: Evaluation, round_: int) -> tuple[Evaluation, str]:
        """One round; returns the best version and why to stop ("" to go on)."""
        if self._time_left() <= 0:
            return current, f"time limit ({self.healer.settings.healing_time_s:g} s) reached"
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
            return current, f"time limit ({self.healer.settings.healing_time_s:g} s) reached"
        if model_failed:
            return current, "the model could not answer"
        if signatures and signatures <= before:
            return current, f"the same failure again: {current.headline()}"
        return current, ""

    def _fix_deterministically(self, current: Evaluation, round_: int, signatures: set[str]) -> Evaluation:
        for _ in range(_FIXER_PASSES):
            improved = False
            for fixer in self.healer._fixers:
                fix = fixer.propose(current, self.request)
                if fix is None or fix.code == current.code:
                    continue
                started = time.monotonic()
                candidate = self.healer._evaluator.evaluate(fix.code, self.request)
                keep = self._better(candidate, current)
                self._record(
                    round_,
                    HealingSource.FIXER,
                    current.code,
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

    def _ask_model(self, current: Evaluation, round_: int, signatures: set[str]) -> tuple[Evaluation, bool]:
        """The model's candidates for this round; the best kept if better. (best, model call failed)."""
        count = self.healer.settings.healing_candidates
        self._emit("model", round_, f"asking the model for {count} candidate(s): {current.headline()}")
        tried: list[tuple[Evaluation, ModelCandidate, int]] = []

        def asking(index: int, temperature: float) -> None:
            self._emit(
                "model", round_, f"asking the model for candidate {index + 1} (temperature {temperature})"
            )

        for answer in self.healer._model.candidates(current, self.request, count, self._time_left, asking):
            if answer.failed or answer.code is None:
                assert answer.problem is not None
                self._reject(
                    round_, answer, current.code, answer.code or "", [answer.problem], answer.problem.message
                )
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
        best = max(tried, key=lambda t: (t[0].rank(), -len(unified_diff(current.code, t[0].code))))
        keep = self._better(best[0], current)
        for evaluated, answer, index in tried:
            accepted = keep and evaluated is best[0]
            self._record(
                round_,
                HealingSource.MODEL,
                current.code,
                evaluated,
                accepted,
                "kept" if accepted else "not better than the current version",
                model=answer.model,
                tokens=answer.tokens,
                seconds=answer.seconds + evaluated.seconds,
                index=index,
            )
        return (best[0] if keep else current), False

    def _judge(self, round_: int, answer: ModelCandidate, current: Evaluation) -> Evaluation | None:
        """The candidate's evaluation, or None when it is rejected unrun (unchanged, or widening)."""
        code = answer.code or ""
        language = self.healer.settings.language
        if code.strip() == current.code.strip():
            self._reject(
                round_, answer, current.code, code, [note("healing.unchanged", language)], "unchanged"
            )
            return None
        static = self.healer._evaluator.check(code, self.request)
        wider = widening(self.original_static, static, code, self.request.code, self.request.secrets)
        if wider:
            detail = "; ".join(wider)
            problem = note("healing.widens_permissions", language, detail=detail)
            self._reject(
                round_, answer, current.code, code, [problem, *static], f"rejected, never run: {detail}"
            )
            return None
        return self.healer._evaluator.evaluate(code, self.request, static)

    def _better(self, candidate: Evaluation, current: Evaluation) -> bool:
        """Strictly better findings, or as good with the failure moved somewhere not seen before."""
        if candidate.rank() != current.rank():
            return candidate.rank() > current.rank()
        signature = candidate.signature
        return signature is not None and signature != current.signature and signature not in self.seen

    def _reject(
        self, round_: int, answer: ModelCandidate, base: str, code: str, findings: list[Finding], why: str
    ) -> None:
        attempt = RepairAttempt(
            round=round_,
            candidate=self._next_index(),
            source=HealingSource.MODEL,
            candidate_code=code,
            findings=findings,
            diff=unified_diff(base, code) if code else "",
            accepted=False,
            note=why,
            model=answer.model,
            tokens=answer.tokens,
            seconds=answer.seconds,
        )
        self._store(attempt)

    def _record(
        self,
        round_: int,
        source: HealingSource,
        base: str,
        candidate: Evaluation,
        accepted: bool,
        why: str,
        *,
        model: str | None = None,
        tokens: int = 0,
        seconds: float = 0.0,
        index: int | None = None,
    ) -> None:
        self.seen.add(candidate.signature or "")
        attempt = RepairAttempt(
            round=round_,
            candidate=self._next_index() if index is None else index,
            source=source,
            candidate_code=candidate.code,
            findings=list(candidate.findings),
            diff=unified_diff(base, candidate.code),
            accepted=accepted,
            note=why,
            model=model,
            tokens=tokens,
            seconds=seconds,
        )
        self._store(attempt)

    def _store(self, attempt: RepairAttempt) -> None:
        self.attempts.append(attempt)
        store = self.healer._store
        if store is not None:
            store.record_healing_attempt(
                attempt.as_record(self.request.subject, self.repair_id),
                self.healer._clock(),
            )
        verdict = "kept" if attempt.accepted else "dropped"
        self._emit(
            attempt.source.value,
            attempt.round,
            f"{attempt.source.value} candidate {attempt.candidate} {verdict}: {attempt.note}",
            attempt,
        )

    def _finish(self, status: RepairStatus, final: Evaluation, rounds: int, stopped: str) -> RepairResult:
        result = RepairResult(
            status=status,
            code=final.code,
            original=self.request.code,
            output=final.output,
            findings=list(final.findings),
            attempts=sorted(self.attempts, key=lambda a: (a.round, a.candidate)),
            seconds=time.monotonic() - self.started,
            repair_id=self.repair_id,
            assumptions=list(self.assumptions),
            rounds=rounds,
            stopped="" if final.ok else stopped,
        )
        self._emit("done", rounds, f"{status}" + (f": {stopped}" if stopped and not final.ok else ""))
        return result

    def _next_index(self) -> int:
        index = self.candidate_index
        self.candidate_index += 1
        return index

    def _time_left(self) -> float:
        return self.healer.settings.healing_time_s - (time.monotonic() - self.started)

    def _emit(self, stage: Stage, round_: int, message: str, attempt: RepairAttempt | None = None) -> None:
        if self.on_event is not None:
            self.on_event(HealingEvent(stage, round_, message, attempt))

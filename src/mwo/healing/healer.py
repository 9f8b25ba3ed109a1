"""Repairing a script: the bounded repair loop (`healing.loop.RepairLoop`: check, deterministic fixers,
then the model on the failing part; bounded by rounds and wall time; a failure seen before ends it;
every attempt recorded) over a script's versions.

    healer = ScriptHealer(settings, llm, sandbox, store)
    result = healer.repair(ScriptRepairRequest(code=..., inputs={...}, goal="..."), on_event=print)

A version is the script's code, judged by its static check and its dry run on the request's input.
A fixer's change is kept when the re-check improves or moves the failure somewhere new; the model's
answers are ranked by dry-run success, findings and diff size. A candidate that widens permissions is
rejected before it runs; a truncated, empty or non-code answer is rejected with a finding.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from functools import partial

from mwo.clock import utc_now
from mwo.healing.evaluation import Evaluation, Evaluator
from mwo.healing.fixers import Fixer, default_fixers
from mwo.healing.loop import OnEvent, Proposal, Rejected, RepairLoop
from mwo.healing.model_candidates import ModelCandidate, ModelRepairer
from mwo.healing.notes import note
from mwo.healing.permissions import widening
from mwo.healing.request import ScriptRepairRequest
from mwo.healing.result import RepairResult, unified_diff
from mwo.llm.service import LlmService
from mwo.sandbox import Sandbox
from mwo.settings import Settings
from mwo.store.abc import HealingStore
from mwo.validation.findings import Finding


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
        outcome = RepairLoop(
            _ScriptTarget(self, request),
            self.settings,
            rounds=rounds,
            subject=request.subject,
            store=self._store,
            clock=self._clock,
            on_event=on_event,
        ).run()
        final = outcome.final
        return RepairResult(
            code=final.code, original=request.code, output=final.output, **outcome.result_fields()
        )


class _ScriptTarget:
    """One repair's script as the loop's `RepairTarget`: versions are code, judged by the static check
    and the dry run on the request's input; the model's candidates may not widen permissions."""

    checking = "checking the script and running it on the input"
    moved_failure_is_progress = True
    """A script failing somewhere new (another line, another error) has moved on: keep it."""

    def __init__(self, healer: ScriptHealer, request: ScriptRepairRequest) -> None:
        self._healer = healer
        self._request = request
        self._original_static: list[Finding] = []
        self.fixers = tuple(partial(self._propose, fixer) for fixer in healer._fixers)

    def original(self) -> Evaluation:
        original = self._healer._evaluator.evaluate(self._request.code, self._request)
        self._original_static = [f for f in original.findings if not f.code.startswith("dryrun.")]
        return original

    def unjudgeable(self, original: Evaluation) -> str | None:
        """No sandbox for the dry run: nothing can be judged without one."""
        unavailable = next((f for f in original.findings if f.code == "dryrun.unavailable"), None)
        return None if unavailable is None else f"{unavailable.message}; {unavailable.hint}"

    def evaluate(self, version: str) -> Evaluation:
        return self._healer._evaluator.evaluate(version, self._request)

    def version_of(self, evaluation: Evaluation) -> str:
        return evaluation.code

    def text(self, version: str) -> str:
        return version

    def diff(self, base: str, version: str) -> str:
        return unified_diff(base, version)

    def candidates(
        self,
        current: Evaluation,
        count: int,
        time_left: Callable[[], float],
        on_ask: Callable[[int, float], None],
    ) -> Iterator[ModelCandidate]:
        return self._healer._model.candidates(current, self._request, count, time_left, on_ask)

    def judge(self, version: str, current: Evaluation) -> Evaluation | Rejected:
        """The candidate's evaluation, or rejected unrun when unchanged or widening permissions."""
        language = self._healer.settings.language
        if version.strip() == current.code.strip():
            return Rejected([note("healing.unchanged", language)], "unchanged")
        static = self._healer._evaluator.check(version, self._request)
        request = self._request
        wider = widening(self._original_static, static, version, request.code, request.secrets)
        if wider:
            detail = "; ".join(wider)
            problem = note("healing.widens_permissions", language, detail=detail)
            return Rejected([problem, *static], f"rejected, never run: {detail}")
        return self._healer._evaluator.evaluate(version, request, static)

    def _propose(self, fixer: Fixer, current: Evaluation) -> Proposal[str] | None:
        fix = fixer.propose(current, self._request)
        return None if fix is None else Proposal(fixer.name, fix.code, fix.assumption)

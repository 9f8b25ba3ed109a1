"""The bounded repair loop both healers run (PYTHON_SCRIPT code and DATA_TRANSFORM steps), over a small
interface, `RepairTarget`: what one repair works on, how a version of it is evaluated, and where
candidates come from (deterministic fixers, then the model).

    outcome = RepairLoop(target, settings, subject="script:clean", on_event=print).run()

The loop: evaluate the original; each round the fixers until none improves (a change is kept when it
ranks higher, or, where the target allows, ranks the same and moves the failure somewhere not seen
before), then `settings.healing_candidates` model answers, the best kept by rank and then the smaller
diff; bounded by `rounds` and `settings.healing_time_s`; a round whose candidates all fail in ways
already seen ends it, as does a model that cannot answer. Every attempt goes to the HealingStore and
to `on_event`; the outcome says why the loop stopped.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Generic, Protocol, TypedDict, TypeVar

from mwo.clock import utc_now
from mwo.healing.result import HealingEvent, RepairAttempt, RepairStatus, Stage
from mwo.settings import Settings
from mwo.store.abc import HealingStore
from mwo.store.records import HealingSource
from mwo.validation.findings import Finding

OnEvent = Callable[[HealingEvent], None]
FIXER_PASSES = 4
"""Passes over the fixer list per round (a script with two wrong keys needs two)."""


class Judged(Protocol):
    """One version, evaluated: what the loop compares and records."""

    @property
    def ok(self) -> bool:
        """It ran on the failing input and nothing stops a save."""

    @property
    def signature(self) -> str | None:
        """What failed, where, normalised (None when ok): the same again means no progress."""

    @property
    def findings(self) -> tuple[Finding, ...]: ...

    def rank(self) -> tuple[int, ...]:
        """Higher is better."""

    def headline(self) -> str:
        """One line saying what is wrong ("ok" when nothing is)."""


V = TypeVar("V")
"""A version of what is repaired: a script's code, a DATA_TRANSFORM step."""
E = TypeVar("E", bound=Judged)
"""The evaluation of one version."""
V_co = TypeVar("V_co", covariant=True)


class Answer(Protocol[V_co]):
    """One model answer: the version in it (None, with the finding why, when there is none)."""

    @property
    def version(self) -> V_co | None: ...

    @property
    def problem(self) -> Finding | None: ...

    @property
    def model(self) -> str: ...

    @property
    def tokens(self) -> int: ...

    @property
    def seconds(self) -> float: ...

    @property
    def failed(self) -> bool:
        """The call itself failed (model missing, endpoint down): asking again will not help."""


@dataclass(frozen=True)
class Proposal(Generic[V]):
    """A deterministic fixer's change: the new version, and what the fixer assumed to make it."""

    fixer: str
    version: V
    assumption: str


@dataclass(frozen=True)
class Rejected:
    """A model candidate refused before it ran (unchanged, or asking for more than the original had)."""

    findings: list[Finding]
    note: str


Fixer = Callable[[E], "Proposal[V] | None"]
"""One fixer bound to the repair: its proposal for the current version, or None."""


class RepairTarget(Protocol[V, E]):
    """What one repair works on: its versions, how each is evaluated, and where candidates come from."""

    @property
    def checking(self) -> str:
        """The first event's message (what evaluating the original does)."""

    @property
    def moved_failure_is_progress(self) -> bool:
        """Whether a candidate ranking the same as the current version is kept when its failure moved
        somewhere not seen before (scripts: yes; transforms: no, it led the local model astray)."""

    @property
    def fixers(self) -> Sequence[Fixer[E, V]]:
        """The deterministic fixers, cheapest first."""

    def original(self) -> E:
        """The evaluation of the version the repair starts from."""

    def unjudgeable(self, original: E) -> str | None:
        """Why no candidate can be judged at all (e.g. no sandbox for a dry run), or None."""

    def evaluate(self, version: V) -> E: ...

    def version_of(self, evaluation: E) -> V: ...

    def text(self, version: V) -> str:
        """The version as a person reviews it (the stored candidate)."""

    def diff(self, base: V, version: V) -> str: ...

    def candidates(
        self,
        current: E,
        count: int,
        time_left: Callable[[], float],
        on_ask: Callable[[int, float], None],
    ) -> Iterable[Answer[V]]:
        """Up to `count` model answers for the current version; `on_ask(index, temperature)` before
        each call."""

    def judge(self, version: V, current: E) -> E | Rejected:
        """A model candidate evaluated, or rejected unrun."""


class OutcomeFields(TypedDict):
    """The part of a healer's result (`RepairResult`, `TransformRepairResult`) that is the loop's."""

    status: RepairStatus
    findings: list[Finding]
    attempts: list[RepairAttempt]
    seconds: float
    repair_id: str
    assumptions: list[str]
    rounds: int
    stopped: str


@dataclass(frozen=True)
class LoopOutcome(Generic[E]):
    """The end of one repair: the final version's evaluation, every attempt, what fixers assumed, the
    rounds run, and why the loop stopped ("" when fixed)."""

    status: RepairStatus
    final: E
    attempts: list[RepairAttempt]
    seconds: float
    repair_id: str
    assumptions: list[str] = field(default_factory=list)
    rounds: int = 0
    stopped: str = ""

    def result_fields(self) -> OutcomeFields:
        """The fields every healer's result takes from the outcome as they are (the final version's
        findings among them); the healer adds the versions and what they gave."""
        return OutcomeFields(
            status=self.status,
            findings=list(self.final.findings),
            attempts=self.attempts,
            seconds=self.seconds,
            repair_id=self.repair_id,
            assumptions=self.assumptions,
            rounds=self.rounds,
            stopped=self.stopped,
        )


class RepairLoop(Generic[V, E]):
    """The state of one repair: the best version so far, the attempts, the failures already seen.
    `rounds` bounds it (None or 0: `settings.healing_rounds`)."""

    def __init__(
        self,
        target: RepairTarget[V, E],
        settings: Settings,
        *,
        rounds: int | None = None,
        subject: str,
        store: HealingStore | None = None,
        clock: Callable[[], datetime] = utc_now,
        on_event: OnEvent | None = None,
    ) -> None:
        self.target = target
        self.settings = settings
        self.rounds = rounds or settings.healing_rounds
        self.subject = subject
        self.store = store
        self.clock = clock
        self.on_event = on_event
        self.repair_id = str(uuid.uuid4())
        self.started = time.monotonic()
        self.attempts: list[RepairAttempt] = []
        self.assumptions: list[str] = []
        self.seen: set[str] = set()
        self.index = 0

    def run(self) -> LoopOutcome[E]:
        """Evaluate, then rounds until fixed, bounded, or stuck; the outcome either way."""
        self._emit("checking", 0, self.target.checking)
        current = self.target.original()
        if current.ok:
            return self._finish("already_ok", current, 0, "")
        unjudgeable = self.target.unjudgeable(current)
        if unjudgeable is not None:  # nothing can be judged: no round would tell better from worse
            return self._finish("failed", current, 0, unjudgeable)
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

    def _round(self, current: E, round_: int) -> tuple[E, str]:
        """One round; returns the best version and why to stop ("" to go on)."""
        limit = f"time limit ({self.settings.healing_time_s:g} s) reached"
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

    def _fix_deterministically(self, current: E, round_: int, signatures: set[str]) -> E:
        for _ in range(FIXER_PASSES):
            improved = False
            for propose in self.target.fixers:
                proposal = propose(current)
                if proposal is None or proposal.version == self.target.version_of(current):
                    continue
                started = time.monotonic()
                candidate = self.target.evaluate(proposal.version)
                keep = self._better(candidate, current)
                self._record(
                    round_,
                    HealingSource.FIXER,
                    current,
                    candidate,
                    keep,
                    f"{proposal.fixer}: {proposal.assumption}",
                    seconds=time.monotonic() - started,
                )
                signatures.add(candidate.signature or "")
                if keep:
                    self.assumptions.append(proposal.assumption)
                    current, improved = candidate, True
                    if current.ok:
                        return current
            if not improved:
                break
        return current

    def _ask_model(self, current: E, round_: int, signatures: set[str]) -> tuple[E, bool]:
        """The model's candidates for this round; the best kept if better. (best, model call failed)."""
        count = self.settings.healing_candidates
        self._emit("model", round_, f"asking the model for {count} candidate(s): {current.headline()}")
        tried: list[tuple[E, Answer[V], int, float]] = []

        def asking(index: int, temperature: float) -> None:
            self._emit(
                "model", round_, f"asking the model for candidate {index + 1} (temperature {temperature})"
            )

        for answer in self.target.candidates(current, count, self._time_left, asking):
            if answer.version is None:
                assert answer.problem is not None
                self._reject(round_, answer, current, Rejected([answer.problem], answer.problem.message))
                if answer.failed:
                    return current, True
                continue
            started = time.monotonic()
            judged = self.target.judge(answer.version, current)
            if isinstance(judged, Rejected):
                self._reject(round_, answer, current, judged)
                continue
            tried.append((judged, answer, self._next_index(), time.monotonic() - started))
            signatures.add(judged.signature or "")
            if judged.ok:
                break
        if not tried:
            return current, False
        base = self.target.version_of(current)
        best = max(
            tried, key=lambda t: (t[0].rank(), -len(self.target.diff(base, self.target.version_of(t[0]))))
        )
        keep = self._better(best[0], current)
        for evaluated, answer, index, judging_s in tried:
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
                seconds=answer.seconds + judging_s,
                index=index,
            )
        return (best[0] if keep else current), False

    def _better(self, candidate: E, current: E) -> bool:
        """Strictly better, or (where the target allows) as good with the failure moved somewhere not
        seen before."""
        if candidate.rank() != current.rank():
            return candidate.rank() > current.rank()
        if not self.target.moved_failure_is_progress:
            return False
        signature = candidate.signature
        return signature is not None and signature != current.signature and signature not in self.seen

    def _reject(self, round_: int, answer: Answer[V], current: E, rejected: Rejected) -> None:
        version = answer.version
        base = self.target.version_of(current)
        self._store(
            RepairAttempt(
                round=round_,
                candidate=self._next_index(),
                source=HealingSource.MODEL,
                candidate_code=self.target.text(version) if version is not None else "",
                findings=rejected.findings,
                diff=self.target.diff(base, version) if version is not None else "",
                accepted=False,
                note=rejected.note,
                model=answer.model,
                tokens=answer.tokens,
                seconds=answer.seconds,
            )
        )

    def _record(
        self,
        round_: int,
        source: HealingSource,
        base: E,
        candidate: E,
        accepted: bool,
        why: str,
        *,
        model: str | None = None,
        tokens: int = 0,
        seconds: float = 0.0,
        index: int | None = None,
    ) -> None:
        self.seen.add(candidate.signature or "")
        version = self.target.version_of(candidate)
        self._store(
            RepairAttempt(
                round=round_,
                candidate=self._next_index() if index is None else index,
                source=source,
                candidate_code=self.target.text(version),
                findings=list(candidate.findings),
                diff=self.target.diff(self.target.version_of(base), version),
                accepted=accepted,
                note=why,
                model=model,
                tokens=tokens,
                seconds=seconds,
            )
        )

    def _store(self, attempt: RepairAttempt) -> None:
        self.attempts.append(attempt)
        if self.store is not None:
            self.store.record_healing_attempt(attempt.as_record(self.subject, self.repair_id), self.clock())
        verdict = "kept" if attempt.accepted else "dropped"
        self._emit(
            attempt.source.value,
            attempt.round,
            f"{attempt.source.value} candidate {attempt.candidate} {verdict}: {attempt.note}",
            attempt,
        )

    def _finish(self, status: RepairStatus, final: E, rounds: int, stopped: str) -> LoopOutcome[E]:
        outcome = LoopOutcome(
            status=status,
            final=final,
            attempts=sorted(self.attempts, key=lambda a: (a.round, a.candidate)),
            seconds=time.monotonic() - self.started,
            repair_id=self.repair_id,
            assumptions=list(self.assumptions),
            rounds=rounds,
            stopped="" if final.ok else stopped,
        )
        self._emit("done", rounds, f"{status}" + (f": {stopped}" if stopped and not final.ok else ""))
        return outcome

    def _next_index(self) -> int:
        index = self.index
        self.index += 1
        return index

    def _time_left(self) -> float:
        return self.settings.healing_time_s - (time.monotonic() - self.started)

    def _emit(self, stage: Stage, round_: int, message: str, attempt: RepairAttempt | None = None) -> None:
        if self.on_event is not None:
            self.on_event(HealingEvent(stage, round_, message, attempt))

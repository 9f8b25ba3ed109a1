"""The one repair loop both healers run, over a toy target (versions are words, a version's rank is
how far along it gets): which candidates it keeps, when it stops, what it records. The healers' own
tests show the same loop on scripts and DATA_TRANSFORM steps."""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from mwo.healing.loop import LoopOutcome, Proposal, Rejected, RepairLoop
from mwo.healing.result import HealingEvent
from mwo.settings import Settings
from mwo.store.records import HealingSource
from mwo.validation.findings import Finding, Severity

GOAL = "done"


def finding(message: str) -> Finding:
    return Finding(code="toy.fails", severity=Severity.ERROR, message=message, hint="")


@dataclass(frozen=True)
class Toy:
    """A version judged: `reached` how far it got (3 is through), `where` what failed."""

    version: str
    reached: int
    where: str

    @property
    def ok(self) -> bool:
        return self.reached == 3

    @property
    def signature(self) -> str | None:
        return None if self.ok else self.where

    @property
    def findings(self) -> tuple[Finding, ...]:
        return () if self.ok else (finding(self.where),)

    def rank(self) -> tuple[int, ...]:
        return (self.reached,)

    def headline(self) -> str:
        return "ok" if self.ok else self.where


@dataclass(frozen=True)
class Said:
    """A model answer."""

    version: str | None
    problem: Finding | None = None
    failed: bool = False
    model: str = "toy"
    tokens: int = 1
    seconds: float = 0.0


@dataclass
class ToyTarget:
    """Versions judged by a table (word -> (reached, where)); the model says `answers` in order."""

    table: dict[str, tuple[int, str]]
    answers: list[Said] = field(default_factory=list)
    moved_failure_is_progress: bool = True
    fixer_words: dict[str, str] = field(default_factory=dict)
    checking: str = "checking the toy"
    judged: list[str] = field(default_factory=list)

    @property
    def fixers(self) -> tuple[Callable[[Toy], Proposal[str] | None], ...]:
        def propose(current: Toy) -> Proposal[str] | None:
            word = self.fixer_words.get(current.version)
            return None if word is None else Proposal("renamer", word, f"{current.version} meant {word}")

        return (propose,)

    def original(self) -> Toy:
        return self.evaluate("start")

    def unjudgeable(self, original: Toy) -> str | None:
        return None

    def evaluate(self, version: str) -> Toy:
        reached, where = self.table.get(version, (0, f"{version} is unknown"))
        return Toy(version, reached, where)

    def version_of(self, evaluation: Toy) -> str:
        return evaluation.version

    def text(self, version: str) -> str:
        return version

    def diff(self, base: str, version: str) -> str:
        return "".join(difflib.unified_diff([base + "\n"], [version + "\n"]))

    def candidates(
        self, current: Toy, count: int, time_left: Callable[[], float], on_ask: Callable[[int, float], None]
    ) -> Iterator[Said]:
        for index in range(count):
            if not self.answers:
                return
            on_ask(index, 0.2)
            yield self.answers.pop(0)

    def judge(self, version: str, current: Toy) -> Toy | Rejected:
        self.judged.append(version)
        if version == current.version:
            return Rejected([finding("unchanged")], "unchanged")
        return self.evaluate(version)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(home=tmp_path, healing_candidates=2, healing_time_s=60, _env_file=None)  # type: ignore[call-arg]


def run(target: ToyTarget, settings: Settings, events: list[HealingEvent] | None = None) -> LoopOutcome[Toy]:
    sink = events if events is not None else []
    return RepairLoop(target, settings, rounds=3, subject="toy", on_event=sink.append).run()


def test_a_fixer_then_the_model_fix_it_and_every_attempt_is_recorded_in_order(settings: Settings) -> None:
    target = ToyTarget(
        {"start": (0, "a typo"), "spelt": (1, "half way"), GOAL: (3, "")},
        answers=[Said("spelt"), Said(GOAL)],
        fixer_words={"start": "spelt"},
    )
    events: list[HealingEvent] = []
    outcome = run(target, settings, events)
    assert (outcome.status, outcome.final.version, outcome.rounds, outcome.stopped) == ("fixed", GOAL, 1, "")
    assert outcome.assumptions == ["start meant spelt"]
    notes = [(a.source, a.candidate, a.accepted, a.note) for a in outcome.attempts]
    assert notes == [
        (HealingSource.FIXER, 0, True, "renamer: start meant spelt"),
        (HealingSource.MODEL, 1, False, "unchanged"),  # rejected unrun
        (HealingSource.MODEL, 2, True, "kept"),
    ]
    assert (events[0].stage, events[0].message) == ("checking", "checking the toy")
    assert "asking the model for candidate 2 (temperature 0.2)" in [e.message for e in events]
    assert (events[-1].stage, events[-1].message) == ("done", "fixed")


def test_a_failure_that_only_moved_is_kept_only_where_the_target_counts_it_as_progress(
    settings: Settings,
) -> None:
    table = {"start": (1, "fails at one"), "other": (1, "fails elsewhere")}
    moved = run(ToyTarget(table, answers=[Said("other")]), settings)
    assert [a.accepted for a in moved.attempts] == [True]
    strict = run(ToyTarget(table, answers=[Said("other")], moved_failure_is_progress=False), settings)
    assert [a.accepted for a in strict.attempts] == [False]
    assert strict.final.version == "start"


def test_a_round_that_only_repeats_failures_seen_before_ends_the_loop(settings: Settings) -> None:
    table = {"start": (1, "fails at one"), "again": (0, "fails at one")}
    outcome = run(ToyTarget(table, answers=[Said("again"), Said("again"), Said("never asked")]), settings)
    assert (outcome.status, outcome.rounds) == ("failed", 1)
    assert outcome.stopped == "the same failure again: fails at one"


def test_a_model_that_cannot_answer_ends_the_loop_with_its_finding_recorded(settings: Settings) -> None:
    down = Said(None, problem=finding("the endpoint is down"), failed=True)
    target = ToyTarget({"start": (0, "broken")}, answers=[down, Said("never asked")])
    outcome = run(target, settings)
    assert outcome.stopped == "the model could not answer"
    [attempt] = outcome.attempts
    assert (attempt.candidate_code, attempt.diff, attempt.note) == ("", "", "the endpoint is down")
    assert target.judged == []


def test_rounds_bound_a_loop_that_keeps_moving(settings: Settings) -> None:
    table = {"start": (0, "f0"), **{f"v{i}": (0, f"f{i + 1}") for i in range(9)}}
    target = ToyTarget(table, answers=[Said(f"v{i}") for i in range(9)])
    outcome = run(target, settings)
    assert (outcome.status, outcome.rounds, outcome.stopped) == ("failed", 3, "no fix within 3 rounds")

"""What a repair hands back: the final code and output, every attempt, and events while it runs."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from typing import Any, Literal

from mwo.store.records import HealingAttemptRecord, HealingSource
from mwo.validation.findings import Finding

RepairStatus = Literal["fixed", "already_ok", "failed"]
Stage = Literal["checking", "fixer", "model", "round_failed", "done"]


@dataclass(frozen=True)
class RepairAttempt:
    """One candidate: who wrote it, what it changed (`diff` against the code it started from), its
    findings after the check and the dry run, and whether it was kept (`accepted`). `note` says what a
    fixer assumed, or why a candidate was rejected."""

    round: int
    candidate: int
    source: HealingSource
    candidate_code: str
    findings: list[Finding]
    diff: str
    accepted: bool
    note: str = ""
    model: str | None = None
    tokens: int = 0
    seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        """The `--json` and REST shape (the code itself is left out; the diff says what changed)."""
        return {
            "round": self.round,
            "candidate": self.candidate,
            "source": self.source.value,
            "findings": [f.as_dict() for f in self.findings],
            "accepted": self.accepted,
            "note": self.note,
            "diff": self.diff,
            "model": self.model,
            "tokens": self.tokens,
            "seconds": round(self.seconds, 3),
        }

    def as_record(self, subject: str, repair_id: str) -> HealingAttemptRecord:
        """The stored row of this attempt (every healer records its attempts the same way)."""
        return HealingAttemptRecord(
            subject=subject,
            repair_id=repair_id,
            round=self.round,
            candidate=self.candidate,
            source=self.source,
            findings=[f.as_dict() for f in self.findings],
            diff=self.diff,
            accepted=self.accepted,
            model=self.model,
            tokens=self.tokens,
            seconds=self.seconds,
            note=self.note,
        )


@dataclass(frozen=True)
class RepairResult:
    """The end of a repair. `findings` are the final code's; `assumptions` what fixers assumed on the
    way; `stopped` why the loop ended when it did not fix the script."""

    status: RepairStatus
    code: str
    original: str
    output: dict[str, Any] | None
    findings: list[Finding]
    attempts: list[RepairAttempt]
    seconds: float
    repair_id: str
    assumptions: list[str] = field(default_factory=list)
    rounds: int = 0
    stopped: str = ""

    @property
    def ok(self) -> bool:
        """Fixed or already ok: the code may be used."""
        return self.status != "failed"

    @property
    def tokens(self) -> int:
        """Model tokens (prompt and answer) over all attempts."""
        return sum(a.tokens for a in self.attempts)

    @property
    def diff(self) -> str:
        """What the repair changed, original to final, as a unified diff."""
        return unified_diff(self.original, self.code)

    def as_dict(self) -> dict[str, Any]:
        """The `mwo script fix --json` object."""
        return {
            "status": self.status,
            "code": self.code,
            "output": self.output,
            "findings": [f.as_dict() for f in self.findings],
            "attempts": [a.as_dict() for a in self.attempts],
            "seconds": round(self.seconds, 3),
            "assumptions": list(self.assumptions),
            "rounds": self.rounds,
            "stopped": self.stopped,
            "tokens": self.tokens,
            "repair_id": self.repair_id,
        }


@dataclass(frozen=True)
class HealingEvent:
    """A step of a repair as it happens, for a live view: "round 2: fixing: KeyError 'items'"."""

    stage: Stage
    round: int
    message: str
    attempt: RepairAttempt | None = None

    def render(self) -> str:
        """The event as one line for a terminal."""
        return f"round {self.round}: {self.message}" if self.round else self.message


def unified_diff(before: str, after: str) -> str:
    """A unified diff of two versions of a script ("" when equal)."""
    lines = difflib.unified_diff(
        before.splitlines(keepends=True), after.splitlines(keepends=True), "before.py", "after.py"
    )
    return "".join(line if line.endswith("\n") else line + "\n" for line in lines)

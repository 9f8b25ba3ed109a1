"""What authoring hands back: one result shape for `mwo create --json`, the API and the UI."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Status = Literal["saved", "ready", "needs_clarification", "failed"]


@dataclass(frozen=True)
class AskedQuestion:
    """A question tied to a plan slot; answered with `--answer SLOT=VALUE`."""

    slot: str
    question: str

    def as_dict(self) -> dict[str, str]:
        return {"slot": self.slot, "question": self.question}


@dataclass(frozen=True)
class Attempt:
    """One validation round: how many candidates it tried and the findings of the one kept."""

    round: int
    candidates: int
    findings: list[dict[str, Any]]

    def as_dict(self) -> dict[str, Any]:
        return {"round": self.round, "candidates": self.candidates, "findings": self.findings}


@dataclass(frozen=True)
class TriggerSummary:
    type: str
    cron: str | None = None
    timezone: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"type": self.type, "cron": self.cron, "timezone": self.timezone}


@dataclass(frozen=True)
class AuthoringResult:
    """The outcome of one create, answer, confirm or edit.

    `ready`: a valid workflow that is not saved yet (confirm saves it); `saved`: stored as `version`;
    `needs_clarification`: `questions` must be answered first; `failed`: refused or nothing valid,
    `explanation` says why.
    """

    status: Status
    session: str
    workflow: str | None = None
    version: int | None = None
    spec: str | None = None
    trigger: TriggerSummary | None = None
    step_types: list[str] = field(default_factory=list)
    domains: list[str] = field(default_factory=list)
    questions: list[AskedQuestion] = field(default_factory=list)
    assumptions: list[str] = field(default_factory=list)
    missing_secrets: list[str] = field(default_factory=list)
    explanation: str = ""
    attempts: list[Attempt] = field(default_factory=list)
    seconds: float = 0.0
    language: str = "en"
    diff: str | None = None
    summary: str | None = None

    @property
    def is_edit(self) -> bool:
        return self.diff is not None

    def as_dict(self) -> dict[str, Any]:
        """The `--json` contract (plus `diff` and `summary` for edits)."""
        data: dict[str, Any] = {
            "status": self.status,
            "session": self.session,
            "workflow": self.workflow,
            "version": self.version,
            "spec": self.spec,
            "trigger": self.trigger.as_dict() if self.trigger else None,
            "step_types": list(self.step_types),
            "domains": list(self.domains),
            "questions": [q.as_dict() for q in self.questions],
            "assumptions": list(self.assumptions),
            "missing_secrets": list(self.missing_secrets),
            "explanation": self.explanation,
            "attempts": [a.as_dict() for a in self.attempts],
            "seconds": round(self.seconds, 2),
            "language": self.language,
        }
        if self.diff is not None:
            data["diff"] = self.diff
            data["summary"] = self.summary
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> AuthoringResult:
        """A result stored on a session, read back."""
        trigger = data.get("trigger")
        return cls(
            status=data["status"],
            session=data["session"],
            workflow=data.get("workflow"),
            version=data.get("version"),
            spec=data.get("spec"),
            trigger=TriggerSummary(**trigger) if trigger else None,
            step_types=list(data.get("step_types") or []),
            domains=list(data.get("domains") or []),
            questions=[AskedQuestion(**q) for q in data.get("questions") or []],
            assumptions=list(data.get("assumptions") or []),
            missing_secrets=list(data.get("missing_secrets") or []),
            explanation=data.get("explanation") or "",
            attempts=[Attempt(**a) for a in data.get("attempts") or []],
            seconds=float(data.get("seconds") or 0.0),
            language=data.get("language") or "en",
            diff=data.get("diff"),
            summary=data.get("summary"),
        )

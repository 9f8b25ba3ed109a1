"""Findings: what every check of the CodeValidator returns, and what the repair loop reads.

One shape for a person and a small model alike: a stable `code` (`script.undefined_name`), a
`severity`, where it is (`step`, `field`, `line`), what is wrong (`message`), what to change
(`hint`), and where it applies what was `expected` and what was `got`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import Enum
from typing import Any


class Severity(str, Enum):
    """An error stops a save (or a run); a warning is shown and the spec is still saved."""

    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class Finding:
    """One problem found by one check."""

    code: str
    severity: Severity
    message: str
    hint: str
    step: str | None = None
    field: str | None = None
    line: int | None = None
    expected: Any = None
    got: Any = None

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    @property
    def path(self) -> str:
        """Where: `step 'fetch': code: line 3`, or `workflow` when the finding is about the whole."""
        parts = [f"step '{self.step}'" if self.step else None, self.field]
        if self.line is not None:
            parts.append(f"line {self.line}")
        kept = [p for p in parts if p]
        return ": ".join(kept) if kept else "workflow"

    def render(self) -> str:
        """One line for a terminal or a prompt: where, what, and the fix."""
        shown = [f"{k} {v!r}" for k, v in (("expected", self.expected), ("got", self.got)) if v is not None]
        extra = f" ({', '.join(shown)})" if shown else ""
        return f"{self.severity.value}: {self.path}: {self.message}{extra}; fix: {self.hint}"

    def as_dict(self) -> dict[str, Any]:
        """The `--json` and REST shape of a finding."""
        return {
            "code": self.code,
            "severity": self.severity.value,
            "path": self.path,
            "step": self.step,
            "field": self.field,
            "line": self.line,
            "message": self.message,
            "hint": self.hint,
            "expected": self.expected,
            "got": self.got,
        }


@dataclass(frozen=True)
class Report:
    """All findings of one validation, in the order the checks ran (cheapest first)."""

    findings: tuple[Finding, ...] = field(default_factory=tuple)

    @classmethod
    def of(cls, findings: Iterable[Finding]) -> Report:
        return cls(tuple(findings))

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.is_error]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if not f.is_error]

    @property
    def ok(self) -> bool:
        """True when nothing stops a save: warnings alone are fine."""
        return not self.errors

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "errors": [f.as_dict() for f in self.errors],
            "warnings": [f.as_dict() for f in self.warnings],
        }

"""Errors of the workflow language: each names where the problem is and how to fix it."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from mwo.errors import FixableError


class SpecErrorCode(str, Enum):
    """Stable codes for everything that can be wrong with a spec before it runs."""

    YAML_SYNTAX = "yaml_syntax"
    SCHEMA = "schema"
    DUPLICATE_STEP = "duplicate_step"
    UNKNOWN_STEP = "unknown_step"
    CYCLE = "cycle"
    UNREACHABLE_STEP = "unreachable_step"
    BAD_REFERENCE = "bad_reference"
    UNKNOWN_SECRET = "unknown_secret"
    UNKNOWN_INPUT = "unknown_input"
    TEMPLATE_SYNTAX = "template_syntax"
    MISSING_INPUT = "missing_input"
    REFUSED_ADDRESS = "refused_address"
    MISSING_FOLDER = "missing_folder"
    TOO_LARGE = "too_large"


@dataclass(frozen=True)
class SpecFinding:
    """One problem in a spec: what, where (step and field) and the fix."""

    code: SpecErrorCode
    message: str
    fix: str
    step: str | None = None
    field: str | None = None

    def location(self, file: str | None = None) -> str:
        parts = [p for p in (file, f"step '{self.step}'" if self.step else None, self.field) if p]
        return ": ".join(parts) if parts else "workflow"

    def render(self, file: str | None = None) -> str:
        return f"{self.location(file)}: {self.message} (fix: {self.fix})"

    def as_dict(self) -> dict[str, str | None]:
        return {
            "code": self.code.value,
            "message": self.message,
            "fix": self.fix,
            "step": self.step,
            "field": self.field,
        }


class SpecError(FixableError, ValueError):
    """A spec that cannot be saved or run; carries every finding, not only the first.

    The message is every finding on its own line (located in `file` when known); `fix` is the first
    finding's, and each finding has its own.
    """

    code = "spec_invalid"

    def __init__(self, findings: list[SpecFinding], file: str | None = None) -> None:
        lines = [f.render(file) for f in findings]
        super().__init__(
            "\n".join(lines) if lines else "invalid workflow spec", findings[0].fix if findings else ""
        )
        self.findings = findings
        self.file = file

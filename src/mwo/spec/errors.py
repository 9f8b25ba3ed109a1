"""Errors of the workflow language: each names where the problem is and how to fix it."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum


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


@dataclass
class SpecError(ValueError):
    """A spec that cannot be saved or run; carries every finding, not only the first."""

    findings: list[SpecFinding]
    file: str | None = None
    code: str = field(default="spec_invalid")

    def __post_init__(self) -> None:
        super().__init__(str(self))

    @property
    def fix(self) -> str:
        return self.findings[0].fix if self.findings else ""

    def __str__(self) -> str:
        lines = [f.render(self.file) for f in self.findings]
        return "\n".join(lines) if lines else "invalid workflow spec"

"""How good a version of the script is: its static findings, its dry run on the failing input, and
(when the caller knows it) whether the output is the expected one. The loop compares these."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from mwo.healing.notes import note
from mwo.healing.request import ScriptRepairRequest
from mwo.sandbox import Sandbox, SandboxError
from mwo.settings import Settings
from mwo.validation import check_script
from mwo.validation.dry_run import dry_run_script
from mwo.validation.findings import Finding

_HEX = re.compile(r"0x[0-9a-fA-F]+")
_LONG_NUMBER = re.compile(r"\d{4,}")
_SPACE = re.compile(r"\s+")
_NOT_RUNNABLE = frozenset({"script.syntax", "script.no_main"})
"""Static findings that make a dry run pointless (the sandbox would only repeat them)."""


@dataclass(frozen=True)
class Evaluation:
    """One version of the script, checked and dry-run."""

    code: str
    findings: tuple[Finding, ...]
    output: dict[str, Any] | None
    error: SandboxError | None
    seconds: float

    @property
    def errors(self) -> list[Finding]:
        """The findings that stop a save (warnings left out)."""
        return [f for f in self.findings if f.is_error]

    @property
    def ok(self) -> bool:
        """It ran, returned what it should, and nothing stops a save."""
        return self.output is not None and not self.errors

    @property
    def signature(self) -> str | None:
        """What failed, where, normalised: the same failure again means the loop makes no progress."""
        if self.ok:
            return None
        if self.error is not None:
            first = next((f for f in self.errors if f.code.startswith("dryrun.")), None)
            line = first.line if first else None
            return f"{self.error.type.value}|{_normalised(self.error.message)}|{line}"
        top = self.errors[0] if self.errors else None
        if top is None:
            return "unknown"
        got = f"|{_normalised(repr(top.got))[:120]}" if top.got is not None else ""  # a new wrong output
        return f"{top.code}|{_normalised(top.message)}|{top.line}{got}"

    def rank(self) -> tuple[int, int, int]:
        """Higher is better: ran, then fewer errors, then fewer warnings (a diff size breaks ties)."""
        ran = 1 if self.output is not None else 0
        return (ran, -len(self.errors), -(len(self.findings) - len(self.errors)))

    @property
    def failure_text(self) -> str:
        """The error line and the trimmed traceback (for prompts and events)."""
        if self.error is None:
            return ""
        trace = self.error.traceback.strip()
        return trace if trace else self.error.message

    def headline(self) -> str:
        """One line saying what is wrong ("KeyError: 'items' (line 4)")."""
        if self.ok:
            return "ok"
        if self.error is not None:
            line = next((f.line for f in self.errors if f.line), None)
            return f"{self.error.message}" + (f" (line {line})" if line else "")
        top = self.errors[0]
        return f"{top.message}" + (f" (line {top.line})" if top.line else "")


class Evaluator:
    """Checks and dry-runs versions of one request's script (the sandbox is the caller's)."""

    def __init__(self, settings: Settings, sandbox: Sandbox) -> None:
        self._settings = settings
        self._sandbox = sandbox

    def check(self, code: str, request: ScriptRepairRequest) -> list[Finding]:
        """The static findings alone (nothing runs): what a candidate is judged by before its dry run."""
        language = self._settings.language
        return check_script(code, step=request.step, allow_net=request.allow_net, language=language)

    def evaluate(
        self, code: str, request: ScriptRepairRequest, static: list[Finding] | None = None
    ) -> Evaluation:
        """Check `code` (or take its `static` findings) and dry-run it on the request's input."""
        language = self._settings.language
        static = static if static is not None else self.check(code, request)
        if any(f.code in _NOT_RUNNABLE for f in static):
            return Evaluation(code, tuple(static), None, None, 0.0)
        dry = dry_run_script(
            self._sandbox,
            code,
            request.inputs,
            timeout_s=self._settings.dry_run_timeout_s,
            output_schema=request.output_schema,
            step=request.step,
            secrets={name: f"<{name}>" for name in request.secrets},
            language=language,
        )
        findings = [*static, *dry.findings]
        expected = request.expected_output
        if dry.output is not None and expected is not None and dry.output != expected:
            findings.append(
                note(
                    "healing.unexpected_output",
                    language,
                    expected=expected,
                    got=dry.output,
                    step=request.step,
                )
            )
        findings.sort(key=lambda f: (not f.is_error, f.line or 0))
        return Evaluation(code, tuple(findings), dry.output, dry.error, dry.seconds)


def _normalised(message: str) -> str:
    text = _HEX.sub("0x?", message)
    text = _LONG_NUMBER.sub("N", text)
    return _SPACE.sub(" ", text).strip()[:200]

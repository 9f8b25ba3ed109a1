"""The dry run: one script run in the sandbox on sample inputs, its output checked against the step's
declared `output` schema. Every way it can fail becomes one finding a person or the repair loop reads.

The sandbox is used exactly as the PYTHON_SCRIPT executor uses it, but always offline (NetAccess()):
a dry run never reaches the outside world, and its secrets are placeholders.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from mwo.validation.catalogue import Language, finding
from mwo.validation.findings import Finding, Severity

if TYPE_CHECKING:  # the sandbox package is imported when a dry run happens, not with the CLI
    from mwo.sandbox import Sandbox, SandboxError

_CODES = {
    "exception": "dryrun.exception",
    "timeout": "dryrun.timeout",
    "memory": "dryrun.memory",
    "bad_output": "dryrun.bad_output",
    "violation": "dryrun.violation",
    "bad_script": "dryrun.bad_script",
    "crashed": "dryrun.crashed",
    "cancelled": "dryrun.crashed",
}
"""Sandbox ErrorType values -> finding codes."""
_MAX_TRACEBACK_CHARS = 2000


@dataclass(frozen=True)
class DryRunResult:
    """One dry run: the output (None when it failed), its findings, the sandbox error, what it printed."""

    output: dict[str, Any] | None
    findings: list[Finding] = field(default_factory=list)
    error: SandboxError | None = None
    log: str = ""
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        """The script returned a dict that matches its declared schema."""
        return self.output is not None and not any(f.is_error for f in self.findings)


def dry_run_script(
    sandbox: Sandbox,
    code: str,
    inputs: dict[str, Any],
    *,
    timeout_s: float,
    output_schema: dict[str, Any] | None = None,
    step: str | None = None,
    memory_mb: int = 256,
    secrets: dict[str, str] | None = None,
    language: Language = "en",
) -> DryRunResult:
    """Run `code`'s main(inputs) offline in `sandbox` within `timeout_s`; findings say what went wrong."""
    from mwo.sandbox import Limits, NetAccess, SandboxUnavailable

    started = time.monotonic()
    try:
        result = sandbox.run(
            code, inputs, secrets or {}, Limits(timeout_s=timeout_s, memory_mb=memory_mb), NetAccess()
        )
    except SandboxUnavailable as exc:
        unavailable = finding(
            "dryrun.unavailable", Severity.WARNING, language, step=step, field="code", detail=exc.message
        )
        return DryRunResult(None, [unavailable], exc, "", time.monotonic() - started)
    if result.error is not None:
        failed = _failure_finding(result.error, timeout_s, step, language)
        return DryRunResult(None, [failed], result.error, result.log, result.seconds)
    output = result.output or {}
    findings = _schema_findings(output, output_schema, step, language)
    return DryRunResult(output, findings, None, result.log, result.seconds)


def _failure_finding(error: SandboxError, timeout_s: float, step: str | None, language: Language) -> Finding:
    code = _CODES.get(error.type.value, "dryrun.crashed")
    traceback = error.traceback.strip()[-_MAX_TRACEBACK_CHARS:] or None
    return finding(
        code,
        Severity.ERROR,
        language,
        step=step,
        field="code",
        line=_script_line(error.traceback),
        got=traceback if code == "dryrun.exception" else None,
        detail=error.message,
        seconds=timeout_s,
    )


def _script_line(traceback: str) -> int | None:
    """The last line of the script itself the traceback names (`File "script.py", line 7`)."""
    line = None
    for text in traceback.splitlines():
        text = text.strip()
        if text.startswith("File ") and "line " in text:
            try:
                line = int(text.split("line ", 1)[1].split(",", 1)[0])
            except ValueError:
                continue
    return line


def _schema_findings(
    output: dict[str, Any], schema: dict[str, Any] | None, step: str | None, language: Language
) -> list[Finding]:
    if not schema:
        return []
    import jsonschema

    try:
        validator = jsonschema.validators.validator_for(schema)(schema)
        errors = sorted(validator.iter_errors(output), key=lambda e: list(e.absolute_path))
    except jsonschema.SchemaError:
        return []  # the declared schema itself is reported by the schema check
    return [
        finding(
            "dryrun.output_schema",
            Severity.ERROR,
            language,
            step=step,
            field="output" + "".join(f"[{p!r}]" for p in error.absolute_path),
            expected=error.schema if isinstance(error.schema, dict) else None,
            got=error.instance,
            detail=error.message,
        )
        for error in errors[:5]
    ]

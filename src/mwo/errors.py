"""The one shape of MWO's own errors: what went wrong (the message) and what to do about it (`fix`),
with a stable `code` for `--json` output and problem documents. Each package derives its own base
(StoreError, RunError, TriggerError, LlmError, KnowledgeError, SandboxError, StepFailed, SpecError,
...) so callers can catch one package's errors, or all of them as FixableError. The module imports
nothing, so every package may use it (the sandbox too)."""

from __future__ import annotations


class FixableError(Exception):
    """An error a person can act on: `message` (also `str(error)`) says what happened, `fix` what to
    change, `code` names the kind of error for programs (a class attribute, or set per instance)."""

    code = "error"

    def __init__(self, message: str, fix: str) -> None:
        super().__init__(message)
        self.message = message
        self.fix = fix

"""The one shape of MWO's own errors: what went wrong (the message) and what to do about it (`fix`),
with a stable `code` for `--json` output and problem documents. Each package derives its own base
(StoreError, RunError, TriggerError, ...) so callers can catch one package's errors."""

from __future__ import annotations


class FixableError(Exception):
    """An error a person can act on: `str(error)` says what happened, `fix` what to change."""

    code = "error"

    def __init__(self, message: str, fix: str) -> None:
        super().__init__(message)
        self.fix = fix

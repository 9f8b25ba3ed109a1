"""Typed sandbox errors: what went wrong in the script's run, and what the author can do about it."""

from __future__ import annotations

from enum import Enum
from typing import Any

from mwo.errors import FixableError


class ErrorType(str, Enum):
    """Why a sandboxed run did not return an output; stable names shown by the CLI and the engine."""

    TIMEOUT = "timeout"
    MEMORY = "memory"
    VIOLATION = "violation"
    EXCEPTION = "exception"
    BAD_OUTPUT = "bad_output"
    BAD_SCRIPT = "bad_script"
    CRASHED = "crashed"
    UNAVAILABLE = "unavailable"
    CANCELLED = "cancelled"


HINTS: dict[ErrorType, str] = {
    ErrorType.TIMEOUT: "make the script faster, or raise the step's timeout_s",
    ErrorType.MEMORY: "process the data in smaller pieces, or raise the step's memory_mb",
    ErrorType.VIOLATION: (
        "the sandbox shows only a private work dir (the current directory) and a read-only system; "
        "no processes, no host files, no network unless the step sets allow_net: true"
    ),
    ErrorType.EXCEPTION: "fix the script where the traceback points, or catch the error and return a value",
    ErrorType.BAD_OUTPUT: "return a dict of JSON values (str, int, float, bool, None, list, dict)",
    ErrorType.BAD_SCRIPT: "define `def main(inputs: dict) -> dict:` at the top level of the script",
    ErrorType.CRASHED: "the interpreter died; check native extensions and recursion depth",
    ErrorType.UNAVAILABLE: "run `mwo doctor` to see how this host can run sandboxed scripts",
    ErrorType.CANCELLED: "the run was cancelled while the script ran",
}


class SandboxError(FixableError):
    """A run that failed: its type (also the `code`), a message naming what happened, the fix (by
    default the type's entry in HINTS) and the script's traceback when it raised."""

    def __init__(self, type_: ErrorType, message: str, fix: str | None = None, traceback: str = "") -> None:
        super().__init__(message, fix if fix is not None else HINTS[type_])
        self.type = type_
        self.code = type_.value
        self.traceback = traceback

    @property
    def hint(self) -> str:
        """The fix, under the name the sandbox's own records (`as_dict`) and older callers use."""
        return self.fix

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"type": self.type.value, "message": self.message, "hint": self.hint}
        if self.traceback:
            data["traceback"] = self.traceback
        return data


class SandboxUnavailable(SandboxError):
    """The host cannot run a script the way the settings demand (e.g. isolation required but missing)."""

    def __init__(self, message: str, fix: str) -> None:
        super().__init__(ErrorType.UNAVAILABLE, message, fix)

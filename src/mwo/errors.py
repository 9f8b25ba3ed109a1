"""The one shape of MWO's own errors: what went wrong (the message) and what to do about it (`fix`),
with a stable `code` for `--json` output and problem documents. Each package derives its own base
(StoreError, RunError, TriggerError, LlmError, KnowledgeError, SandboxError, StepFailed, SpecError,
...) so callers can catch one package's errors, or all of them as FixableError. The module imports
nothing, so every package may use it (the sandbox too)."""

from __future__ import annotations

from enum import Enum


class FixableError(Exception):
    """An error a person can act on: `message` (also `str(error)`) says what happened, `fix` what to
    change, `code` names the kind of error for programs (a class attribute, or set per instance)."""

    code = "error"

    def __init__(self, message: str, fix: str) -> None:
        super().__init__(message)
        self.message = message
        self.fix = fix


class FailureKind(str, Enum):
    """Stable failure types recorded on step and run errors (`type`) and shown to users: the one list.

    StepFailed carries one; an LlmError names the one it becomes in a step; the sandbox's own
    ErrorType (it imports nothing of the engine) is mapped onto these by the PYTHON_SCRIPT executor.
    """

    TIMEOUT = "timeout"
    CONNECTION = "connection"
    HTTP_STATUS = "http_status"
    REFUSED_ADDRESS = "refused_address"
    TEMPLATE = "template"
    CONFIG = "config"
    REJECTED = "rejected"
    OUTPUT_SHAPE = "output_shape"
    DELIVERY = "delivery"
    UNSUPPORTED = "unsupported"
    CANCELLED = "cancelled"
    INTERNAL = "internal"
    MEMORY = "memory"
    """A PYTHON_SCRIPT step went over its memory_mb."""
    VIOLATION = "violation"
    """A PYTHON_SCRIPT step tried what its sandbox forbids (host files, processes, network); never retried."""
    EXCEPTION = "exception"
    """A PYTHON_SCRIPT step's script raised; the message carries its trimmed traceback."""
    INTERRUPTED = "interrupted"
    """The process running an attempt stopped; recorded on the attempt when the run resumes or is failed."""
    ABANDONED = "abandoned"
    """The run's process stopped and the workflow says `on_abandoned: fail`; recorded on the run."""
    DELIVERY_UNKNOWN = "delivery_unknown"
    """A process stopped between sending a step's message or request and recording the answer, and
    the step's `delivery: at_most_once` forbids sending again: it may or may not have arrived."""
    MISSING_SECRETS = "missing_secrets"
    """A run whose workflow needs secrets that are not set failed before its first step."""

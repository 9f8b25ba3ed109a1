"""Errors of running workflows, each with a stable code and the fix."""

from __future__ import annotations

from typing import Any

from mwo.engine.failures import StepFailed
from mwo.errors import FixableError


class RunError(FixableError):
    """Base of run-level errors shown to users."""

    code = "run_error"


class InputError(RunError, ValueError):
    """Run inputs that do not match the workflow's declared inputs."""

    code = "bad_input"


class MissingSecrets(RunError):
    """A run of a workflow whose secrets are not all set: refused before the run row is written."""

    code = "missing_secrets"

    def __init__(self, workflow: str, names: list[str]) -> None:
        super().__init__(
            f"workflow '{workflow}' needs secrets that are not set: {', '.join(names)}",
            "; ".join(f"mwo secrets set {name}" for name in names),
        )
        self.names = names


class RunBusy(RunError):
    """Another live process holds the run's lease."""

    code = "run_busy"


class RunStateError(RunError):
    """The run is not in a state that allows the request (e.g. approving a finished run)."""

    code = "run_state"


class StepAborted(Exception):
    """Raised through the graph when a step failed for good and the run must stop."""

    def __init__(self, step_id: str, failure: StepFailed) -> None:
        super().__init__(f"step '{step_id}' failed: {failure.message}")
        self.step_id = step_id
        self.failure = failure

    def as_dict(self) -> dict[str, Any]:
        return self.failure.record(self.step_id).as_dict()


class RunCancelled(Exception):
    """Raised through the graph when a cancel was requested; the run stops between steps."""

    def __init__(self, step_id: str) -> None:
        super().__init__(f"cancelled before step '{step_id}'")
        self.step_id = step_id

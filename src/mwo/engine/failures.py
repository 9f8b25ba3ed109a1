"""How a step fails: a typed failure that says what went wrong, how to fix it, and if a retry may help;
and the one record of a failure that runs and attempts store as their `error`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from mwo.errors import FailureKind, FixableError
from mwo.spec import RetryOn

_NEVER_RETRIED = frozenset(
    {
        FailureKind.CANCELLED,
        FailureKind.REJECTED,
        FailureKind.REFUSED_ADDRESS,
        FailureKind.VIOLATION,
        FailureKind.DELIVERY_UNKNOWN,  # the next attempt would send it again: a person decides
    }
)


class StepFailed(FixableError):
    """Raised by an executor; the engine records it on the step run and applies the retry policy.

    `kind` is also the error's `code`; `status` is the HTTP answer that failed it, when there was one.
    """

    def __init__(self, kind: FailureKind, message: str, fix: str, *, status: int | None = None) -> None:
        super().__init__(message, fix)
        self.kind = kind
        self.code = kind.value
        self.status = status

    def retryable_under(self, retry_on: list[RetryOn]) -> bool:
        """Whether a policy retrying on `retry_on` should try this failure again."""
        wanted = set(retry_on)
        if self.kind in _NEVER_RETRIED:
            return False
        if RetryOn.ANY_ERROR in wanted:
            return True
        if self.kind is FailureKind.TIMEOUT:
            return RetryOn.TIMEOUT in wanted
        if self.kind is FailureKind.CONNECTION:
            return RetryOn.CONNECTION in wanted
        if self.kind is FailureKind.HTTP_STATUS and self.status is not None:
            if self.status == 429:
                return RetryOn.HTTP_429 in wanted
            return self.status >= 500 and RetryOn.HTTP_5XX in wanted
        return False

    def record(self, step: str | None = None) -> FailureRecord:
        """This failure as stored on the attempt (or, with the step that failed, on the run)."""
        return FailureRecord(self.kind, self.message, self.fix, step=step, status=self.status)

    def as_dict(self) -> dict[str, Any]:
        return self.record().as_dict()


@dataclass(frozen=True)
class FailureRecord:
    """The `error` of a failed or cancelled run or attempt, the one shape both store:
    `{"step"?, "type", "message", "fix"?, "status"?}` with `type` a FailureKind value, `step` the step
    that stopped the run (run errors only), `status` the HTTP answer that failed it. Keys that are
    None are left out, so records written before this class read the same."""

    type: FailureKind
    message: str
    fix: str | None = None
    step: str | None = None
    status: int | None = None

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {} if self.step is None else {"step": self.step}
        data.update(type=self.type.value, message=self.message)
        if self.fix is not None:
            data["fix"] = self.fix
        if self.status is not None:
            data["status"] = self.status
        return data

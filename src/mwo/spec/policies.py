"""Policies a spec can choose, as enums and frozen config (compared with `is`)."""

from __future__ import annotations

from enum import Enum

from pydantic import BaseModel, ConfigDict, Field, field_validator


class Backoff(str, Enum):
    """How the wait between attempts grows."""

    NONE = "none"
    FIXED = "fixed"
    EXPONENTIAL = "exponential"


class RetryOn(str, Enum):
    """Which failures are worth another attempt. Everything else fails the step at once."""

    TIMEOUT = "timeout"
    CONNECTION = "connection"
    HTTP_5XX = "http_5xx"
    HTTP_429 = "http_429"
    ANY_ERROR = "any_error"


class OnFailure(str, Enum):
    """What a failed step (after its retries) does to the run."""

    STOP = "stop"
    CONTINUE = "continue"


class ApprovalTimeoutPolicy(str, Enum):
    """What happens when nobody answers an approval in time."""

    REJECT = "reject"
    APPROVE = "approve"
    FAIL = "fail"


class AbandonedRunPolicy(str, Enum):
    """What recovery does with a run whose executor vanished (a crash, a killed worker, a server
    that could not drain in time): continue it from its last checkpoint (its interrupted step runs
    again), or end it as failed so a person decides (for steps that must never run twice)."""

    RESUME = "resume"
    FAIL = "fail"


class DeliveryPolicy(str, Enum):
    """What a step with an outside effect (API_CALL, NOTIFICATION) does when a crash left its
    delivery unknown: the intent was recorded, the receiver's answer was not (the process died
    between sending and recording). `at_least_once` sends again with the same idempotency key (the
    receiver may get it twice unless it drops repeats of the key); `at_most_once` does not send and
    fails the step as `delivery_unknown`, so a person checks and re-sends deliberately
    (`mwo retry RUN --from-failed`). A delivery whose receipt was recorded is never sent again.
    Defaults per receiver: `mwo.spec.delivery_policy`."""

    AT_MOST_ONCE = "at_most_once"
    AT_LEAST_ONCE = "at_least_once"


class RepairMode(str, Enum):
    """What the engine does when a PYTHON_SCRIPT or DATA_TRANSFORM step has failed after its retries
    (an exception, a bad output, an output not matching its declared `output`): nothing (`off`),
    look for a fix on the failing input and wait for a person to approve it (`propose`), or apply the
    fix found and continue, with a note on the run (`auto`). A fix is never applied silently."""

    OFF = "off"
    PROPOSE = "propose"
    AUTO = "auto"


class RetryPolicy(BaseModel):
    """How often and how patiently a step is tried again."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    max_attempts: int = Field(default=1, ge=1, le=10, description="Total attempts, the first included.")
    backoff: Backoff = Field(default=Backoff.EXPONENTIAL, description="How the delay grows.")
    initial_delay_s: float = Field(default=1.0, ge=0, le=3600, description="Delay before the 2nd attempt.")
    max_delay_s: float = Field(default=60.0, ge=0, le=86400, description="Upper bound of any delay.")
    retry_on: list[RetryOn] = Field(
        default_factory=lambda: [RetryOn.TIMEOUT, RetryOn.CONNECTION, RetryOn.HTTP_5XX, RetryOn.HTTP_429],
        description="Failure kinds that are retried.",
    )

    def delay_before(self, attempt: int) -> float:
        """Seconds to wait before `attempt` (2 = first retry); a pure function of the policy."""
        if attempt <= 1 or self.backoff is Backoff.NONE:
            return 0.0
        if self.backoff is Backoff.FIXED:
            return min(self.initial_delay_s, self.max_delay_s)
        return float(min(self.initial_delay_s * 2 ** (attempt - 2), self.max_delay_s))


class NetworkPolicy(BaseModel):
    """Where API_CALL and NOTIFICATION may connect beyond the public internet (SSRF allow-list)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    allow: list[str] = Field(
        default_factory=list,
        description=(
            "Hosts, IP addresses or CIDR ranges that may be reached even though they are private, "
            "loopback or link-local (e.g. 127.0.0.1, 10.0.0.0/8, intranet.local)."
        ),
    )
    allow_schemes: list[str] = Field(
        default_factory=list, description="Schemes beyond http and https to allow (rarely needed)."
    )


class WorkflowSettings(BaseModel):
    """Run-wide settings."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    timeout_s: float = Field(default=3600.0, gt=0, le=7 * 86400, description="Whole-run time limit.")
    on_failure: OnFailure = Field(default=OnFailure.STOP, description="Default for steps that fail.")
    retry: RetryPolicy = Field(default_factory=RetryPolicy, description="Default retry policy of steps.")
    network: NetworkPolicy = Field(default_factory=NetworkPolicy)
    on_abandoned: AbandonedRunPolicy = Field(
        default=AbandonedRunPolicy.RESUME,
        description=(
            "A run whose executor vanished: resume it from its last checkpoint, or fail it "
            "(`mwo retry RUN --from-failed` continues it when a person decides)."
        ),
    )
    repair: RepairMode = Field(
        default=RepairMode.PROPOSE,
        description=(
            "A PYTHON_SCRIPT or DATA_TRANSFORM step that fails after its retries: look for a fix and "
            "wait for `mwo repair RUN --approve` (propose), apply it and continue (auto), or fail (off)."
        ),
    )

    @field_validator("repair", mode="before")
    @classmethod
    def _unquoted_off(cls, value: object) -> object:
        """YAML reads an unquoted `repair: off` as the boolean false; it means `off`."""
        return RepairMode.OFF if value is False else value

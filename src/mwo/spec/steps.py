"""One model per step type. Strings in step configs may hold `{{ ... }}` references (see templating)."""

from __future__ import annotations

from collections.abc import Mapping
from enum import Enum
from types import MappingProxyType
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from mwo.spec.policies import ApprovalTimeoutPolicy, DeliveryPolicy, OnFailure, RetryPolicy

STEP_ID_PATTERN = r"^[a-z][a-z0-9_]{0,62}$"
END = "end"
"""The pseudo step id that ends the run (usable in `next`, `goto` and `default`)."""


class StepType(str, Enum):
    """The seven kinds of step a workflow is made of."""

    LLM_CALL = "LLM_CALL"
    API_CALL = "API_CALL"
    PYTHON_SCRIPT = "PYTHON_SCRIPT"
    CONDITION = "CONDITION"
    APPROVAL = "APPROVAL"
    NOTIFICATION = "NOTIFICATION"
    DATA_TRANSFORM = "DATA_TRANSFORM"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class StepBase(_Model):
    """Fields every step has."""

    id: str = Field(pattern=STEP_ID_PATTERN, description="Unique id, referenced as steps.<id>.")
    type: StepType = Field(description="The step type; each subclass narrows it to its own.")
    name: str | None = Field(default=None, description="Human title.")
    description: str | None = None
    next: str | None = Field(
        default=None, description="Step id to go to afterwards (default: the next step in the list, or end)."
    )
    retry: RetryPolicy | None = Field(default=None, description="Overrides settings.retry.")
    on_failure: OnFailure | None = Field(default=None, description="Overrides settings.on_failure.")
    timeout_s: float | None = Field(default=None, gt=0, le=86400, description="Time limit of one attempt.")
    output: dict[str, Any] | None = Field(
        default=None, description="Declared JSON Schema of this step's output (checked after it runs)."
    )


# --- API_CALL -------------------------------------------------------------------------------------


class HttpMethod(str, Enum):
    GET = "GET"
    POST = "POST"
    PUT = "PUT"
    PATCH = "PATCH"
    DELETE = "DELETE"
    HEAD = "HEAD"


class AuthKind(str, Enum):
    BEARER = "bearer"
    BASIC = "basic"
    HEADER = "header"
    QUERY = "query"


class ApiAuth(_Model):
    """Credentials taken from named secrets, never written in the spec."""

    kind: AuthKind
    secret: str = Field(description="Secret holding the token, API key or password.")
    username: str | None = Field(default=None, description="For basic auth (may be a template).")
    name: str | None = Field(default=None, description="Header or query parameter name (header/query kinds).")


class ResponseFormat(str, Enum):
    AUTO = "auto"
    JSON = "json"
    TEXT = "text"


class HttpRequest(_Model):
    method: HttpMethod = HttpMethod.GET
    url: str = Field(min_length=1)
    headers: dict[str, str] = Field(default_factory=dict)
    params: dict[str, Any] = Field(default_factory=dict)
    json_body: Any = Field(default=None, alias="json")
    body: str | None = Field(default=None, description="Raw text body (exclusive with json).")
    timeout_s: float = Field(default=30.0, gt=0, le=600)
    response: ResponseFormat = ResponseFormat.AUTO
    fail_on_status: bool = Field(default=True, description="Treat 4xx/5xx answers as a step failure.")

    model_config = ConfigDict(extra="forbid", populate_by_name=True, serialize_by_alias=True)

    @model_validator(mode="after")
    def _one_body(self) -> HttpRequest:
        if self.json_body is not None and self.body is not None:
            raise ValueError("give either json or body, not both")
        return self


class ApiCallStep(StepBase):
    """An HTTP request; output: {status, headers, json, text}."""

    type: Literal[StepType.API_CALL]
    request: HttpRequest
    auth: ApiAuth | None = None
    delivery: DeliveryPolicy | None = Field(
        default=None,
        description="After a crash between sending and recording the answer: send again "
        "(at_least_once, the default for POST/PUT/PATCH/DELETE, which carry an Idempotency-Key) or "
        "fail the step for a person to check (at_most_once). GET and HEAD are not tracked unless set.",
    )


# --- CONDITION ------------------------------------------------------------------------------------


class Branch(_Model):
    when: str = Field(min_length=1, description="Expression, e.g. steps.fetch.output.status == 200.")
    goto: str = Field(description="Step id (or end) to continue with when true.")


class ConditionStep(StepBase):
    """Chooses the first branch whose expression is true, else `default`; output: {goto, branch}."""

    type: Literal[StepType.CONDITION]
    branches: list[Branch] = Field(min_length=1)
    default: str = Field(default=END, description="Step id (or end) when no branch matches.")


# --- APPROVAL -------------------------------------------------------------------------------------


class ApprovalStep(StepBase):
    """Waits for a person to approve or reject; output: {approved, by, at, comment}."""

    type: Literal[StepType.APPROVAL]
    message: str = Field(default="Approve to continue.", description="What the approver is asked.")
    approvers: list[str] = Field(default_factory=list, description="Who may answer (empty: anyone).")
    expires_after_s: float | None = Field(default=None, gt=0, description="Time to answer.")
    on_timeout: ApprovalTimeoutPolicy = ApprovalTimeoutPolicy.REJECT


# --- NOTIFICATION ---------------------------------------------------------------------------------


class Channel(str, Enum):
    EMAIL = "email"
    SLACK = "slack"
    DISCORD = "discord"
    WEBHOOK = "webhook"
    KAKAO = "kakao"
    INBOX = "inbox"


class NotificationStep(StepBase):
    """Sends a message; output: {channel, delivered, detail}."""

    type: Literal[StepType.NOTIFICATION]
    channel: Channel
    to: list[str] = Field(default_factory=list, description="Email recipients.")
    subject: str | None = None
    body: str = Field(min_length=1)
    webhook_url: str | None = Field(
        default=None, description="Slack/Discord/webhook URL; usually {{ secrets.SLACK_WEBHOOK_URL }}."
    )
    access_token: str | None = Field(
        default=None, description="Kakao access token; usually {{ secrets.KAKAO_ACCESS_TOKEN }}."
    )
    link_url: str | None = Field(default=None, description="Kakao: the link opened by the message.")
    delivery: DeliveryPolicy | None = Field(
        default=None,
        description="After a crash between sending and recording the answer: send again "
        "(at_least_once, the default for webhook, which carries an Idempotency-Key) or fail the step "
        "for a person to check (at_most_once, the default for email, slack, discord and kakao, which "
        "cannot drop a repeat). Not for inbox, which is exactly once.",
    )

    @model_validator(mode="after")
    def _channel_needs(self) -> NotificationStep:
        if self.channel is Channel.INBOX and self.delivery is not None:
            raise ValueError(
                "channel inbox is delivered exactly once (the message and its record are one "
                "transaction): remove `delivery`"
            )
        if self.channel is Channel.EMAIL and not self.to:
            raise ValueError("channel email needs at least one address in `to`")
        if self.channel in (Channel.SLACK, Channel.DISCORD, Channel.WEBHOOK) and not self.webhook_url:
            raise ValueError(f"channel {self.channel.value} needs `webhook_url` (e.g. a secret reference)")
        if self.channel is Channel.KAKAO and not self.access_token:
            raise ValueError("channel kakao needs `access_token`, e.g. '{{ secrets.KAKAO_ACCESS_TOKEN }}'")
        return self


# --- DATA_TRANSFORM -------------------------------------------------------------------------------


class SelectOp(_Model):
    """Keep (and optionally rename) fields of each record: {new_name: old_name} or a list of names."""

    op: Literal["select"]
    fields: list[str] | dict[str, str]


class FilterOp(_Model):
    """Keep records for which the expression is true; the record is `item`."""

    op: Literal["filter"]
    where: str


class MapOp(_Model):
    """Add or replace fields with expressions over `item`."""

    op: Literal["map"]
    fields: dict[str, str]


class SortOp(_Model):
    op: Literal["sort"]
    by: str
    descending: bool = False


class LimitOp(_Model):
    op: Literal["limit"]
    count: int = Field(ge=0)
    offset: int = Field(default=0, ge=0)


class GroupOp(_Model):
    """Group records by a field: [{key, items, count}]."""

    op: Literal["group"]
    by: str


class JoinOp(_Model):
    """Join with another list (an expression), matching `on` = `other_on`; fields of the match merged."""

    op: Literal["join"]
    with_: str = Field(alias="with")
    on: str
    other_on: str | None = None
    how: Literal["inner", "left"] = "inner"

    model_config = ConfigDict(extra="forbid", populate_by_name=True, serialize_by_alias=True)


class FormatOp(_Model):
    """Turn each record into a string with a template over `item`; with `join`, one string."""

    op: Literal["format"]
    template: str
    join: str | None = None


class JmespathOp(_Model):
    """Apply a JMESPath expression to the current value."""

    op: Literal["jmespath"]
    expression: str


TransformOp = Annotated[
    SelectOp | FilterOp | MapOp | SortOp | LimitOp | GroupOp | JoinOp | FormatOp | JmespathOp,
    Field(discriminator="op"),
]


class DataTransformStep(StepBase):
    """Declarative reshaping of earlier outputs, no code; output: {result}."""

    type: Literal[StepType.DATA_TRANSFORM]
    source: str = Field(description="Expression giving the input value, e.g. steps.fetch.output.json.items.")
    ops: list[TransformOp] = Field(default_factory=list)


# --- PYTHON_SCRIPT and LLM_CALL -------------------------------------------------------------------


class PythonScriptStep(StepBase):
    """Runs `def main(inputs: dict) -> dict` in the sandbox; output: the returned dict."""

    type: Literal[StepType.PYTHON_SCRIPT]
    code: str = Field(min_length=1)
    inputs: dict[str, Any] = Field(default_factory=dict, description="Values (may be templates) for main().")
    secrets: list[str] = Field(default_factory=list, description="Secrets the script may read.")
    allow_net: bool = False
    memory_mb: int = Field(default=256, ge=16, le=8192)


class LlmCallStep(StepBase):
    """Asks the language model; output: {text} or, with output_schema, {data, text}."""

    type: Literal[StepType.LLM_CALL]
    prompt: str = Field(min_length=1)
    system: str | None = None
    output_schema: dict[str, Any] | None = None
    temperature: float = Field(default=0.2, ge=0, le=2)
    max_tokens: int = Field(default=512, ge=1, le=8192)
    model: str | None = Field(default=None, description="Model name; default from settings.")


Step = Annotated[
    LlmCallStep
    | ApiCallStep
    | PythonScriptStep
    | ConditionStep
    | ApprovalStep
    | NotificationStep
    | DataTransformStep,
    Field(discriminator="type"),
]


_SAFE_METHODS = frozenset({HttpMethod.GET, HttpMethod.HEAD})
_CHANNEL_DELIVERY: Mapping[Channel, DeliveryPolicy] = MappingProxyType(
    {
        Channel.WEBHOOK: DeliveryPolicy.AT_LEAST_ONCE,
        Channel.INBOX: DeliveryPolicy.AT_LEAST_ONCE,
        Channel.EMAIL: DeliveryPolicy.AT_MOST_ONCE,
        Channel.SLACK: DeliveryPolicy.AT_MOST_ONCE,
        Channel.DISCORD: DeliveryPolicy.AT_MOST_ONCE,
        Channel.KAKAO: DeliveryPolicy.AT_MOST_ONCE,
    }
)


def delivery_policy(step: StepBase) -> DeliveryPolicy | None:
    """The step's delivery policy: its own `delivery`, else the receiver's default; None for steps
    whose effect is not tracked (every other step type, and an API_CALL GET/HEAD, which reads).

    The defaults follow what the receiver can do with a repeat: an API call that changes something
    and a webhook carry an Idempotency-Key a receiver can drop a repeat by, so a crash sends again
    (at_least_once, the rule of n8n's and Windmill's retries); SMTP, Slack, Discord and KakaoTalk
    would show a second message, so a crash asks a person (at_most_once). The inbox is written with
    its record in one transaction: a crash never leaves it unknown, so sending again is exactly once.
    """
    if isinstance(step, ApiCallStep):
        if step.delivery is not None:
            return step.delivery
        return None if step.request.method in _SAFE_METHODS else DeliveryPolicy.AT_LEAST_ONCE
    if isinstance(step, NotificationStep):
        return step.delivery or _CHANNEL_DELIVERY[step.channel]
    return None

"""What the store hands out: plain frozen records and the state enums, never ORM objects."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from typing import Any

from mwo.spec.policies import DeliveryPolicy


class RunStatus(str, Enum):
    """Life of a run: queued -> running -> (waiting_approval | waiting_repair -> running)* -> a final
    state (succeeded, failed, cancelled).

    The other moves, each made by `RunService`:
    - queued -> failed: the run cannot start (a secret it needs is not set: `missing_secrets`);
    - queued | waiting_approval | waiting_repair -> cancelled: a cancel of a run nobody executes;
      a running run is flagged (`cancel_requested`) and stops as cancelled at the next step boundary;
    - waiting_repair -> failed: the proposed fix was rejected (the run keeps the error it had);
    - failed -> queued: `reopen_run`, for `mwo retry RUN --from-failed`, the only way out of a final
      state (`mwo retry RUN` without it makes a new run instead).
    waiting_approval: an APPROVAL step waits for a decision (ApprovalStore); waiting_repair: a failed
    step has a proposed fix that a person approves or rejects (RepairStore). Either may outlive the
    process: the decision resumes the run from any process.
    """

    QUEUED = "queued"
    RUNNING = "running"
    WAITING_APPROVAL = "waiting_approval"
    WAITING_REPAIR = "waiting_repair"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"

    @property
    def is_final(self) -> bool:
        return self in (RunStatus.SUCCEEDED, RunStatus.FAILED, RunStatus.CANCELLED)


class StepStatus(str, Enum):
    """Life of one attempt of one step: running -> succeeded | failed | cancelled, or running ->
    waiting_approval -> succeeded | failed (an APPROVAL step: the decision finishes the same attempt).
    A retry is a new row (attempt n+1), never a change of a final one. An attempt whose process
    stopped is closed as failed with error type `interrupted` when the run resumes."""

    RUNNING = "running"
    WAITING_APPROVAL = "waiting_approval"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"


class ApprovalStatus(str, Enum):
    """Life of an approval: pending -> approved | rejected | expired, decided once.

    A person decides approved or rejected (`mwo approve/reject`, the API, the UI); when `expires_at`
    passes, the reaper decides it by the step's `on_timeout` (approve, reject, or fail: expired,
    `decided_by` "timeout")."""

    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    EXPIRED = "expired"


class LogLevel(str, Enum):
    DEBUG = "debug"
    INFO = "info"
    WARNING = "warning"
    ERROR = "error"


@dataclass(frozen=True)
class FolderRecord:
    id: int
    path: str


@dataclass(frozen=True)
class WorkflowRecord:
    id: int
    name: str
    description: str
    enabled: bool
    folder: str | None
    tags: tuple[str, ...]
    latest_version: int
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class VersionRecord:
    id: int
    workflow_id: int
    workflow_name: str
    number: int
    spec_yaml: str
    content_hash: str
    message: str
    created_at: datetime


@dataclass(frozen=True)
class RunRecord:
    id: str
    workflow_id: int
    workflow_name: str
    version_id: int
    version_number: int
    status: RunStatus
    """Where the run is in its life (RunStatus lists the moves); final states never change, except
    failed -> queued by `reopen_run`."""
    trigger: str
    """Who started the run, `kind` or `kind:detail`; shown by `mwo runs` and the API as it is:

    - `manual`: `mwo run` (the default of `RunService.create_run` / `.start`);
    - `api`: `POST /workflows/{name}/runs`;
    - `ui`, `ui:test`: the UI's run button, and the test run after authoring;
    - `retry`: `mwo retry RUN` and the API's retry (a new run, `retry_of` set); `--from-failed`
      reopens the failed run and keeps its trigger;
    - `schedule:<fire id>`: the run of one schedule fire, the id of its `ScheduleFireRecord` (not of
      the schedule): how the scheduler and the reaper find the run a fire's claimer created;
    - `webhook:<webhook-id>`: a webhook delivery, `<webhook-id>` the sender's `webhook-id` header
      (deduplicated per workflow, `WebhookStore.start_webhook_run`);
    - `event:<name>`: `mwo events emit NAME` or `POST /events/{name}`;
    - `file:<file name>`: a watched folder saw the file (the name only, not its path).

    `schedule:`, `webhook:`, `event:` and `file:` runs are fires (`mwo.engine.runs.is_triggered`): a
    fire whose secrets are not set still gets its run row, which fails at start with the fix instead
    of being refused, so the file (or delivery, or fire) is not lost: `mwo retry` runs it once the
    secret is set."""
    inputs: dict[str, Any]
    """The run's inputs as checked against the version's declared inputs (defaults filled in)."""
    output: Any
    """The workflow's `outputs` as rendered at the end (secrets masked); None until succeeded."""
    error: dict[str, Any] | None
    """Why a failed or cancelled run stopped, None otherwise (and cleared by `reopen_run`). The
    engine's `FailureRecord.as_dict()`: `{"step"?, "type", "message", "fix"?, "status"?}`, keys that
    are None left out:

    - `type`: a `mwo.errors.FailureKind` value, e.g. `timeout`, `http_status`, `exception`, `cancelled`
      (a cancel), `rejected` (an approval said no), `abandoned` (the process vanished and the workflow
      says `on_abandoned: fail`), `missing_secrets` (failed before the first step);
    - `message`: what went wrong, for people, secrets masked;
    - `fix`: what to do about it (absent only where nothing can be suggested);
    - `step`: the id of the step that stopped the run (for `abandoned`, the one interrupted); absent
      when no step did (a cancel of a run nobody was executing, missing secrets);
    - `status`: the HTTP status of the answer that failed the step, when there was one.
    """
    created_at: datetime
    started_at: datetime | None
    """When the run first became running (kept across resumes); None while it never ran."""
    finished_at: datetime | None
    """When it reached its final state; None before (and again after `reopen_run`)."""
    cancel_requested: bool
    """A cancel was asked for; the owner stops the run at its next step boundary (or, for PYTHON_SCRIPT
    and LLM_CALL, while the step runs)."""
    acquired_by: str | None
    """The lease holder, `host:pid:nonce` of the process executing the run; None when nobody holds it."""
    acquired_until: datetime | None
    """When the lease lapses unless extended; a reaper may take over a running run after it."""
    retry_of: str | None
    """The run this one re-runs (`mwo retry RUN` without --from-failed); None otherwise."""


@dataclass(frozen=True)
class FinishedAttempt:
    """A step attempt that ran to its end, not yet written: the engine hands these to
    `CheckpointStore.checkpoint_transaction` so the row commits with the step's checkpoint."""

    run_id: str
    step_id: str
    step_type: str
    attempt: int
    status: StepStatus
    started_at: datetime
    finished_at: datetime
    input: Any = None
    output: Any = None
    error: dict[str, Any] | None = None
    version_id: int | None = None


@dataclass(frozen=True)
class RunLease:
    """A process's hold on a run: whose it is and the fencing token of this tenure.

    The token grows by one each time the lease starts a new tenure (taken while free or expired), and
    stays while its holder extends it. A write that carries a lease is made only while the run still
    has this owner and token, so a process that lost the run (paused, partitioned) cannot commit."""

    run_id: str
    owner: str
    token: int


@dataclass(frozen=True)
class StepRunRecord:
    id: int
    run_id: str
    step_id: str
    step_type: str
    attempt: int
    status: StepStatus
    input: Any
    output: Any
    error: dict[str, Any] | None
    """Why this attempt failed or was cancelled: the shape of `RunRecord.error` without `step` (the row
    names its step), i.e. `{"type", "message", "fix"?, "status"?}`; `type` `interrupted` when the
    attempt's process stopped before it finished. None for a succeeded or running attempt."""
    started_at: datetime
    finished_at: datetime | None
    version_id: int | None = None
    """The workflow version this attempt ran with (a repaired run continues on a newer version than
    its first steps ran with); None for rows written before versions were recorded per step."""

    @property
    def duration_ms(self) -> float | None:
        if self.finished_at is None:
            return None
        return (self.finished_at - self.started_at).total_seconds() * 1000


@dataclass(frozen=True)
class StepLogRecord:
    id: int
    run_id: str
    step_id: str | None
    level: LogLevel
    message: str
    created_at: datetime


@dataclass(frozen=True)
class ApprovalRecord:
    """The decision an APPROVAL step waits for: one per (run, step), requested once, decided once."""

    id: int
    run_id: str
    step_id: str
    status: ApprovalStatus
    message: str
    """The step's rendered message, what the person deciding reads."""
    requested_at: datetime
    expires_at: datetime | None
    """When the step's `timeout` ends (the reaper then decides by `on_timeout`); None: waits forever."""
    decided_by: str | None
    """Who decided: a person (the CLI's `--by`, by default the OS user; the API's caller), or
    `timeout` when the reaper decided; None while pending."""
    decided_at: datetime | None
    comment: str | None


@dataclass(frozen=True)
class InboxMessage:
    id: int
    run_id: str | None
    title: str
    body: str
    created_at: datetime
    read_at: datetime | None


@dataclass(frozen=True)
class LlmCallRecord:
    """One call to a language model, as traced (prompt and response already redacted)."""

    caller: str
    """Who asked, `area` or `area:detail`: `step:LLM_CALL`, `healing`, `authoring:<session>:<slot>`,
    `cli:chat`, `ui:test`."""
    model: str
    """The model that answered: the local model's name, the endpoint's model name, or `fake`."""
    prompt: str
    """System and user messages as one text, secret values masked."""
    response: str
    """The answer's text, masked; empty when the call failed."""
    prompt_tokens: int = 0
    completion_tokens: int = 0
    latency_ms: float = 0.0
    run_id: str | None = None
    """The run whose step asked (a plain reference: traces outlive runs); None outside runs."""
    step_id: str | None = None
    error: str | None = None
    """`<message> (fix: <fix>)` of the LlmError the call ended with; None when it answered."""
    id: int | None = None
    """Assigned by the store (`TraceStore.record_llm_call`); None before."""
    created_at: datetime | None = None
    """Assigned by the store from the `now` it is given; None before."""
    extra: dict[str, Any] = field(default_factory=dict)
    """Facts of the call that have no column: `provider` (or `custom` for an injected chat model),
    `temperature`, `max_tokens`, `structured`, and `finish_reason` or the error's `error_code`."""


@dataclass(frozen=True)
class RunFilter:
    workflow_name: str | None = None
    statuses: tuple[RunStatus, ...] = ()
    limit: int = 50


class FireOutcome(str, Enum):
    """What became of one claimed schedule fire.

    PENDING: claimed, its run not started yet (waiting for its jitter, a queued overlap, or a
    scheduler that crashed: the lease `acquired_until` tells). The others are final.
    """

    PENDING = "pending"
    STARTED = "started"
    SKIPPED = "skipped"
    FAILED = "failed"

    @property
    def is_final(self) -> bool:
        return self is not FireOutcome.PENDING


@dataclass(frozen=True)
class ScheduleSpec:
    """What a workflow version's cron trigger asks for, as the store keeps it (policies as strings of
    the spec's enums, so the store needs no knowledge of what they mean)."""

    cron: str
    timezone: str
    misfire: str
    overlap: str
    catch_up_window_s: float
    jitter_s: float
    start_at: datetime | None = None
    end_at: datetime | None = None


@dataclass(frozen=True)
class ScheduleRecord:
    """A workflow's schedule; `next_fire_at` is the stored next nominal fire (None: no more fires) and
    `next_due_at` the same plus its jitter: the schedule is due when `next_due_at <= now`.
    `updated_at` changes when the definition does (a version applied, a pause), not when it fires."""

    id: int
    workflow_id: int
    workflow_name: str
    spec: ScheduleSpec
    paused: bool
    enabled: bool
    next_fire_at: datetime | None
    next_due_at: datetime | None
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class FireClaim:
    """One fire to claim: its nominal time and when its run may start (the time plus jitter)."""

    fire_time: datetime
    due_at: datetime


@dataclass(frozen=True)
class ScheduleFireRecord:
    """One fire of a schedule: at most one row per (schedule, fire_time), whoever claims it."""

    id: int
    schedule_id: int
    workflow_name: str
    fire_time: datetime
    due_at: datetime
    outcome: FireOutcome
    run_id: str | None
    claimed_by: str
    claimed_at: datetime
    acquired_by: str | None
    acquired_until: datetime | None
    finished_at: datetime | None
    note: str


@dataclass(frozen=True)
class RunOutcome:
    """The few columns of one run that statistics need (no inputs, outputs or specs)."""

    run_id: str
    workflow_name: str
    status: RunStatus
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    error_type: str | None
    error_step: str | None


@dataclass(frozen=True)
class StepFailureCount:
    """How often one step of one workflow failed with one error type (every failed attempt, retried
    ones too), and when it last did."""

    workflow_name: str
    step_id: str
    step_type: str
    error_type: str
    attempts: int
    last_failed_at: datetime


class TokenScope(str, Enum):
    """What an API token may do; each scope includes the ones below it: read < write < admin.

    read: every GET; write: create, change, run, approve; admin: manage API tokens and secrets."""

    READ = "read"
    WRITE = "write"
    ADMIN = "admin"

    @property
    def rank(self) -> int:
        return _SCOPE_RANKS[self]

    def allows(self, needed: TokenScope) -> bool:
        """Whether a token with this scope may do what needs `needed`."""
        return self.rank >= needed.rank


_SCOPE_RANKS = {TokenScope.READ: 0, TokenScope.WRITE: 1, TokenScope.ADMIN: 2}


@dataclass(frozen=True)
class ApiTokenRecord:
    """An API token as stored: never its secret, only the public `token_id` that prefixes it."""

    id: int
    token_id: str
    name: str
    scope: TokenScope
    created_at: datetime
    last_used_at: datetime | None
    expires_at: datetime | None
    revoked_at: datetime | None

    def is_active(self, now: datetime) -> bool:
        """Neither revoked nor expired at `now`."""
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)


class HealingSource(str, Enum):
    """Who wrote a repair candidate: a deterministic fixer (cheap, certain) or the model."""

    FIXER = "fixer"
    MODEL = "model"


@dataclass(frozen=True)
class HealingAttemptRecord:
    """One candidate the repair loop tried on `subject` (e.g. `script:clean.py`, `run:<id>:<step>`).

    `repair_id` groups the attempts of one repair; `findings` are `Finding.as_dict()` of the candidate
    (after its dry run); `diff` is unified, against the code the repair started from; `note` says what
    the fixer assumed or why the candidate was rejected.
    """

    subject: str
    repair_id: str
    round: int
    candidate: int
    source: HealingSource
    findings: list[dict[str, Any]]
    diff: str
    accepted: bool
    model: str | None = None
    tokens: int = 0
    seconds: float = 0.0
    note: str = ""
    id: int | None = None
    created_at: datetime | None = None


class AuthoringStatus(str, Enum):
    """Life of an authoring session: working -> needs_clarification (answers resume it) | ready
    (a valid workflow waits for confirmation) | saved | failed (refused, or nothing valid)."""

    WORKING = "working"
    NEEDS_CLARIFICATION = "needs_clarification"
    READY = "ready"
    SAVED = "saved"
    FAILED = "failed"


@dataclass(frozen=True)
class AuthoringSessionRecord:
    """One request being turned into a workflow (`kind` create) or one edit of a saved workflow
    (`kind` edit, `workflow_name` set). `answers` are the clarifications given so far, by slot;
    `result` is the last outcome as the `--json` contract shows it."""

    id: str
    kind: str
    request: str
    workflow_name: str | None
    answers: dict[str, str]
    status: AuthoringStatus
    result: dict[str, Any] | None
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class AuthoringEventRecord:
    """One progress event of a session; `seq` counts from 1 within the session."""

    session_id: str
    seq: int
    stage: str
    message: str
    data: dict[str, Any]
    created_at: datetime


class RepairStatus(str, Enum):
    """Life of a run-time repair proposal: pending until a person (or `repair: auto`) decides it;
    not_fixed when the repair loop found no fix (kept so the run shows that repair was tried)."""

    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    AUTO_APPLIED = "auto_applied"
    NOT_FIXED = "not_fixed"

    @property
    def applied(self) -> bool:
        """Whether the fix became a version the run continued on."""
        return self in (RepairStatus.APPROVED, RepairStatus.AUTO_APPLIED)


@dataclass(frozen=True)
class RepairProposalRecord:
    """A fix for a step that failed in a run, found on the failing input.

    `original` / `proposed` are the step's code (PYTHON_SCRIPT) or its configuration as YAML
    (DATA_TRANSFORM); `proposed_spec` the whole workflow of `base_version_id` with only that step
    changed, saved as `new_version_id` once applied. `error` is the run's error as it would have failed
    without repair (redacted), `input` the failing input (redacted), `findings` the validator's
    findings of the proposed code. `repair_id` links to the repair loop's attempts (HealingStore).
    """

    run_id: str
    step_id: str
    step_type: str
    status: RepairStatus
    base_version_id: int
    error: dict[str, Any]
    input: Any
    original: str
    proposed: str | None = None
    proposed_spec: str | None = None
    diff: str = ""
    findings: list[dict[str, Any]] = field(default_factory=list)
    attempts: int = 0
    seconds: float = 0.0
    note: str = ""
    repair_id: str | None = None
    new_version_id: int | None = None
    decided_by: str | None = None
    decided_at: datetime | None = None
    comment: str | None = None
    id: int | None = None
    created_at: datetime | None = None


class DeliveryState(str, Enum):
    """Where one attempt's outside effect stands in the outbox (`OutboxStore`)."""

    PENDING = "pending"
    """The intent is recorded (with the attempt's start); no receipt yet. Seen after a crash, this is
    the window between sending and recording: the receiver may or may not have it."""
    DELIVERED = "delivered"
    """The receiver accepted it; `receipt` says what it answered. Never sent again in this run."""
    FAILED = "failed"
    """The attempt failed and said so (a refusal, an error before or while sending): not delivered
    as far as MWO knows; the next attempt sends with the same key."""
    UNKNOWN = "unknown"
    """A crash left it pending and its policy (at_most_once) would not send again: a person checks.
    The next attempt (a deliberate retry) sends under a new idempotency key."""


@dataclass(frozen=True)
class DeliveryIntent:
    """What is about to be sent, recorded before it is: never a secret value (the target is the
    step's unrendered template, e.g. `{{ secrets.HOOK_URL }}`, or a method and URL template)."""

    idempotency_key: str
    policy: DeliveryPolicy
    channel: str
    """`api_call`, or the NOTIFICATION channel (email, webhook, kakao, ...)."""
    target: str


@dataclass(frozen=True)
class DeliveryRecord:
    """One attempt's outside effect: its intent, then its outcome in the receiver's terms."""

    id: int
    run_id: str
    step_id: str
    attempt: int
    step_run_id: int
    idempotency_key: str
    policy: DeliveryPolicy
    channel: str
    target: str
    state: DeliveryState
    receipt: Any
    """DELIVERED: the step's output as the receiver answered it (message id, status, ...), redacted."""
    error: dict[str, Any] | None
    created_at: datetime
    finished_at: datetime | None

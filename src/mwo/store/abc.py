"""The store's interfaces: verbs only, the contract in the docstrings (implementations inherit them).

Every backend (SQLite, PostgreSQL) passes `tests/contract/`, and the in-memory store
(`mwo.store.memory`) the files of the interfaces it implements. Times are passed in by the caller
(`now`), so lease and expiry logic is testable without sleeping.

Each interface is a `Protocol` that implementations subclass explicitly (so, as with an ABC, a class
that leaves a method out cannot be instantiated). Being protocols lets a consumer that uses two or
three of them declare the join next to itself, `class RunsAndInbox(RunStore, InboxStore, Protocol)`,
and take exactly that: any `Store` satisfies it structurally, with nothing here knowing the consumer.
Only the services container and the faces (CLI, API, UI) hold the whole `Store`.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from datetime import datetime
from typing import Any, Protocol

from mwo.spec import Workflow
from mwo.store.records import (
    ApiTokenRecord,
    ApprovalRecord,
    ApprovalStatus,
    AuthoringEventRecord,
    AuthoringSessionRecord,
    AuthoringStatus,
    DeliveryIntent,
    DeliveryRecord,
    DeliveryState,
    FinishedAttempt,
    FireClaim,
    FireOutcome,
    FolderRecord,
    HealingAttemptRecord,
    InboxMessage,
    LlmCallRecord,
    LogLevel,
    RepairProposalRecord,
    RepairStatus,
    RunFilter,
    RunLease,
    RunOutcome,
    RunRecord,
    RunStatus,
    ScheduleFireRecord,
    ScheduleRecord,
    ScheduleSpec,
    StepFailureCount,
    StepLogRecord,
    StepRunRecord,
    StepStatus,
    TokenScope,
    VersionRecord,
    WorkflowRecord,
)


class WorkflowStore(Protocol):
    """Workflows, their immutable versions, folders and tags."""

    @abstractmethod
    def save_version(
        self, workflow: Workflow, spec_yaml: str, message: str = "", *, lease: RunLease | None = None
    ) -> tuple[VersionRecord, bool]:
        """Store `workflow` as the next version of the workflow of that name (created if new).

        Returns (version, created). When the content hash equals the latest version's, nothing is
        written and (latest, False) is returned. Versions are never modified afterwards. With `lease`
        (a `repair: auto` fix saved by the executor driving that run) it is fenced as
        `RunStore.add_log`: LeaseLost, nothing written, once the run has another tenure (checked in
        the save's transaction); people's saves pass none.
        """

    @abstractmethod
    def get_workflow(self, name: str) -> WorkflowRecord:
        """The workflow called `name`; raises NotFound."""

    @abstractmethod
    def list_workflows(
        self, folder: str | None = None, tag: str | None = None, search: str | None = None
    ) -> list[WorkflowRecord]:
        """Workflows sorted by name; `search` matches name or description (case-insensitive)."""

    @abstractmethod
    def get_version(self, name: str, number: int | None = None) -> VersionRecord:
        """Version `number` of workflow `name` (latest when None); raises NotFound."""

    @abstractmethod
    def get_version_by_id(self, version_id: int) -> VersionRecord:
        """Raises NotFound."""

    @abstractmethod
    def list_versions(self, name: str) -> list[VersionRecord]:
        """All versions, oldest first; raises NotFound for an unknown workflow."""

    @abstractmethod
    def list_latest_version_ids(self, enabled_only: bool = True) -> dict[str, int]:
        """{workflow name: id of its latest version} in one query, for callers that look at every
        workflow's trigger on a hot path (a run that finishes looks for event listeners)."""

    @abstractmethod
    def set_enabled(self, name: str, enabled: bool) -> WorkflowRecord:
        """Enable or disable triggers of a workflow; raises NotFound."""

    @abstractmethod
    def delete_workflow(self, name: str) -> None:
        """Delete a workflow, its versions, runs and everything under them; raises NotFound."""

    @abstractmethod
    def move_to_folder(self, name: str, folder: str | None) -> WorkflowRecord:
        """Put a workflow in folder `folder` (a '/'-separated path, created as needed), or none."""

    @abstractmethod
    def list_folders(self) -> list[FolderRecord]:
        """All folders sorted by path."""

    @abstractmethod
    def tag_workflow(self, name: str, add: Sequence[str] = (), remove: Sequence[str] = ()) -> WorkflowRecord:
        """Add and remove tags (created as needed); raises NotFound."""


class RunStore(Protocol):
    """Runs, step runs (one row per attempt) and step logs; leases for crash recovery."""

    @abstractmethod
    def create_run(
        self,
        version_id: int,
        inputs: dict[str, Any],
        trigger: str,
        now: datetime,
        retry_of: str | None = None,
    ) -> RunRecord:
        """A new run in state queued, pinned to `version_id`; its id is a new UUID string."""

    @abstractmethod
    def get_run(self, run_id: str) -> RunRecord:
        """Raises NotFound. A unique prefix of at least 6 characters of the id is accepted."""

    @abstractmethod
    def list_runs(self, run_filter: RunFilter) -> list[RunRecord]:
        """Newest first."""

    @abstractmethod
    def set_run_status(
        self,
        run_id: str,
        status: RunStatus,
        now: datetime,
        *,
        output: Any = None,
        error: dict[str, Any] | None = None,
        lease: RunLease | None = None,
    ) -> RunRecord:
        """Move a run to `status`; sets started_at on the first RUNNING and finished_at on a final state.

        A final state also ends the lease (nobody executes a finished run; releasing it after is a
        no-op). A run in a final state is never changed again: raises Conflict. With `lease` (the executor's
        writes) the change is made only while the run still has that owner and token, checked in
        the same transaction as the write: LeaseLost otherwise, before any other check. People's
        writes (cancel, a decided approval or repair) pass no lease.
        """

    @abstractmethod
    def is_cancel_requested(self, run_id: str) -> bool:
        """Whether a cancel was requested: a cheap read the engine makes before every step."""

    @abstractmethod
    def reopen_run(self, run_id: str, now: datetime) -> RunRecord:
        """Move a FAILED run back to QUEUED (error and finished_at cleared) for retry-from-failed.

        The only way out of a final state; raises Conflict for a run that is not FAILED.
        """

    @abstractmethod
    def request_cancel(self, run_id: str) -> RunRecord:
        """Flag the run; the engine stops it between steps. Raises Conflict if already final."""

    def acquire_run(self, run_id: str, owner: str, until: datetime, now: datetime) -> bool:
        """Take the run's lease if free or expired (acquired_until < now) or already ours; atomic.
        `acquire_run_lease` without the token, for callers that only ask whether they hold it."""
        return self.acquire_run_lease(run_id, owner, until, now) is not None

    @abstractmethod
    def acquire_run_lease(self, run_id: str, owner: str, until: datetime, now: datetime) -> RunLease | None:
        """Take the run's lease until `until` if it is free, expired (acquired_until < now) or already
        `owner`'s; None when another owner holds it live. One atomic statement. Raises NotFound.

        The fencing token grows by one when a new tenure starts (the lease was free or expired, whoever
        takes it) and stays when `owner` renews its live lease. The returned lease is what the
        executor's writes carry (`lease=`)."""

    @abstractmethod
    def extend_run_lease(self, lease: RunLease, until: datetime) -> bool:
        """Move the lease's end to `until` if the run still has this owner and token (even when it
        expired meanwhile: nobody took it over); False when it passed to another tenure."""

    @abstractmethod
    def check_run_lease(self, lease: RunLease) -> None:
        """Raise LeaseLost unless the run still has this owner and token (a read: for writes outside
        this store, such as LangGraph's checkpoints, made right after it)."""

    @abstractmethod
    def release_run(self, run_id: str, owner: str, *, token: int | None = None) -> None:
        """Drop the lease if `owner` holds it (and, with `token`, only in that tenure: a process that
        lost the run never drops the lease of the one that took it over, even under the same name)."""

    @abstractmethod
    def reap_abandoned_runs(self, now: datetime) -> list[RunRecord]:
        """Runs in RUNNING or QUEUED whose lease has expired (or was never taken and is stale)."""

    @abstractmethod
    def start_step(
        self,
        run_id: str,
        step_id: str,
        step_type: str,
        attempt: int,
        input: Any,
        now: datetime,
        *,
        version_id: int | None = None,
        lease: RunLease | None = None,
    ) -> StepRunRecord:
        """Write the step-run row (RUNNING) before the step's side effects happen; `version_id` is the
        workflow version the attempt runs with. LeaseLost as set_run_status when `lease` is given."""

    @abstractmethod
    def record_step(
        self,
        run_id: str,
        step_id: str,
        step_type: str,
        attempt: int,
        status: StepStatus,
        started_at: datetime,
        finished_at: datetime,
        *,
        input: Any = None,
        output: Any = None,
        error: dict[str, Any] | None = None,
        version_id: int | None = None,
        lease: RunLease | None = None,
    ) -> StepRunRecord:
        """Write a finished attempt in one go: for steps without side effects, which need no row
        before they run. `status` must be final (ValueError otherwise); Conflict and LeaseLost as
        start_step."""

    @abstractmethod
    def finish_step(
        self,
        step_run_id: int,
        status: StepStatus,
        now: datetime,
        *,
        output: Any = None,
        error: dict[str, Any] | None = None,
        input: Any = None,
        lease: RunLease | None = None,
    ) -> StepRunRecord:
        """Record the outcome of one attempt; `input`, when given, replaces the recorded input
        (the engine records the step's config first and its rendered, redacted input here).
        With `lease`, the attempt must be of the lease's run and the lease still held (LeaseLost)."""

    @abstractmethod
    def list_step_runs(self, run_id: str) -> list[StepRunRecord]:
        """All attempts of all steps of a run, in the order they started."""

    @abstractmethod
    def add_log(
        self,
        run_id: str,
        step_id: str | None,
        level: LogLevel,
        message: str,
        now: datetime,
        *,
        lease: RunLease | None = None,
    ) -> None:
        """Append a log line (already free of secret values); LeaseLost as set_run_status."""

    @abstractmethod
    def list_logs(self, run_id: str) -> list[StepLogRecord]:
        """In the order written."""


class CheckpointStore(Protocol):
    """The run's step rows and its LangGraph checkpoint in one transaction on one connection.

    The engine's hot path: a step's row and the checkpoint after it commit together or not at all,
    in one transaction instead of two (the checkpointer's tables live in the store's database), and
    the checkpoint write is fenced by the run's lease in that same transaction, leaving no window
    between the check and the write."""

    @abstractmethod
    def checkpoint_transaction(
        self, lease: RunLease | None, attempts: Sequence[FinishedAttempt] = ()
    ) -> AbstractContextManager[Any]:
        """Open a write transaction, insert a step-run row for each of `attempts` (final statuses
        only, ValueError otherwise), and yield the database driver's connection (sqlite3 or psycopg)
        for the caller's own statements in that transaction; commit when the block exits, roll back
        when it raises. With `lease`, every row is fenced as `record_step`'s, and the lease is
        checked even when there are no rows: LeaseLost (nothing written) once it is no longer the
        run's tenure. Conflict when an attempt's row already exists (nothing written)."""


class ApprovalStore(Protocol):
    """The decisions APPROVAL steps wait for: at most one approval per (run, step), requested by the
    step, decided once (ApprovalStatus). The run's own status (waiting_approval) is the RunStore's:
    the engine moves it; these verbs never change a run."""

    @abstractmethod
    def request_approval(
        self,
        run_id: str,
        step_id: str,
        message: str,
        now: datetime,
        expires_at: datetime | None,
        *,
        lease: RunLease | None = None,
    ) -> ApprovalRecord:
        """Create the PENDING approval of (run, step) with `requested_at` = now, or return the existing
        row unchanged, even if already decided (idempotent: a resumed run that asks again must see the
        decision, not a fresh request; two processes asking at once get the same row). NotFound for an
        unknown run. With `lease` (the APPROVAL step's request) it is fenced as `RunStore.add_log`:
        only while the run still has that owner and token, checked first and in the same
        transaction as the insert, else LeaseLost and nothing written (a process that lost the run
        asks nobody: the new holder's run may have ended, or be waiting on its own request);
        ValueError for a lease of another run."""

    @abstractmethod
    def decide_approval(
        self, run_id: str, status: ApprovalStatus, by: str, comment: str | None, now: datetime
    ) -> ApprovalRecord:
        """Set the run's pending approval to `status` (approved, rejected, expired), with `decided_by`,
        `decided_at` = now and `comment`, atomically: of two deciders at once exactly one wins, the
        other gets Conflict. With several pending (parallel branches), the oldest is decided.
        InvalidInput for `status` PENDING; NotFound when the run has no approval at all; Conflict when
        all of its approvals are already decided (a decision is final)."""

    @abstractmethod
    def get_approval(self, run_id: str, step_id: str) -> ApprovalRecord:
        """The approval of (run, step), whatever its status. Raises NotFound."""

    @abstractmethod
    def list_pending_approvals(self) -> list[ApprovalRecord]:
        """Every PENDING approval of every run, oldest request first (expired ones too, until the
        reaper decides them: compare `expires_at` with the time yourself)."""


class SecretStore(Protocol):
    """Named secrets, encrypted at rest; values leave only through `reveal_secret`."""

    @abstractmethod
    def set_secret(self, name: str, value: str, now: datetime) -> None:
        """Create or replace. Names match ^[A-Z][A-Z0-9_]*$ (ValueError otherwise)."""

    @abstractmethod
    def reveal_secret(self, name: str) -> str:
        """The decrypted value; NotFound or SecretKeyError."""

    @abstractmethod
    def list_secret_names(self) -> list[str]:
        """Sorted names, never values."""

    @abstractmethod
    def delete_secret(self, name: str) -> None:
        """Raises NotFound."""


class InboxStore(Protocol):
    """The offline notification channel."""

    @abstractmethod
    def post_message(self, title: str, body: str, now: datetime, run_id: str | None = None) -> InboxMessage:
        """Store a message; returns it."""

    @abstractmethod
    def list_messages(self, unread_only: bool = False, limit: int = 50) -> list[InboxMessage]:
        """Newest first."""

    @abstractmethod
    def mark_read(self, message_id: int, now: datetime) -> None:
        """Raises NotFound."""


class TraceStore(Protocol):
    """Traces of language-model calls (`llm_calls`), append-only: a row is never changed or deleted,
    and outlives its run (`run_id` is a plain reference, also None for calls outside runs).

    Not fenced by the run's lease, on purpose: a trace records a call that was made, whoever made it.
    A process paused past its lease that finishes its call after another took the run over has
    still spent the tokens and the minutes; refusing its trace would hide that cost and the call
    from whoever debugs the run. Traces are diagnostics, never read as a step's result (the step row
    is, and the late one is refused), so a second trace of a step says truthfully that the model was
    asked twice."""

    @abstractmethod
    def record_llm_call(self, call: LlmCallRecord, now: datetime) -> LlmCallRecord:
        """Append `call` as it is: the caller has masked secret values in prompt, response and error
        (the store cannot tell them apart). `call.id` and `call.created_at` are ignored; the returned
        record has the assigned id and `created_at` = now. `run_id` is not checked against runs."""

    @abstractmethod
    def list_llm_calls(self, run_id: str | None = None, limit: int = 50) -> list[LlmCallRecord]:
        """The `limit` newest calls, of one run or (None) of all, newest first (ties by id)."""


class ScheduleStore(Protocol):
    """Cron schedules and their fires. Exactly once: a fire is a row, UNIQUE(schedule_id, fire_time),
    inserted in the same transaction that moves the schedule's stored next fire on (`claim_fires`).
    A claimed fire carries a lease (`acquired_by`/`acquired_until`) until its run exists, so a
    scheduler that crashes in between loses nothing: `reap_abandoned_fires` hands the fire on.
    """

    @abstractmethod
    def save_schedule(
        self,
        workflow_name: str,
        spec: ScheduleSpec,
        next_fire_at: datetime | None,
        next_due_at: datetime | None,
        now: datetime,
    ) -> ScheduleRecord:
        """Create or update the workflow's schedule (one per workflow); raises NotFound.

        The stored next fire is replaced by (`next_fire_at`, `next_due_at`) only when the schedule is
        new or its cron, time zone or start/end changed: re-applying a version keeps the fire times.
        """

    @abstractmethod
    def delete_schedule(self, workflow_name: str) -> bool:
        """Remove the workflow's schedule (and its fires); False when it had none."""

    @abstractmethod
    def get_schedule(self, workflow_name: str) -> ScheduleRecord:
        """Raises NotFound."""

    @abstractmethod
    def list_schedules(self) -> list[ScheduleRecord]:
        """All schedules, by workflow name."""

    @abstractmethod
    def set_schedule_paused(
        self,
        workflow_name: str,
        paused: bool,
        now: datetime,
        next_fire_at: datetime | None = None,
        next_due_at: datetime | None = None,
    ) -> ScheduleRecord:
        """Pause or resume; on resume the caller passes the next fire from now (no catch-up of a
        deliberate pause). Raises NotFound."""

    @abstractmethod
    def due_schedules(self, now: datetime, limit: int = 500) -> list[ScheduleRecord]:
        """Schedules of enabled workflows, not paused, with `next_due_at <= now`, earliest first."""

    @abstractmethod
    def claim_fires(
        self,
        schedule_id: int,
        expected_next_fire_at: datetime,
        fires: Sequence[FireClaim],
        next_fire_at: datetime | None,
        next_due_at: datetime | None,
        owner: str,
        lease_until: datetime,
        now: datetime,
    ) -> list[ScheduleFireRecord]:
        """In one transaction: if the schedule's stored next fire still equals `expected_next_fire_at`,
        insert `fires` (PENDING, leased to `owner` until `lease_until`; a fire time already stored is
        left alone) and store the new next fire. Returns the fires this call inserted: [] when
        another scheduler advanced the schedule first. NotFound for a deleted schedule.
        """

    @abstractmethod
    def finish_fire(
        self,
        fire_id: int,
        owner: str,
        outcome: FireOutcome,
        now: datetime,
        run_id: str | None = None,
        note: str = "",
    ) -> ScheduleFireRecord:
        """Record a PENDING fire's outcome (final) and its run; the lease is dropped.

        Conflict when the fire is already final or leased to another owner (it was reaped)."""

    @abstractmethod
    def release_fire(self, fire_id: int, owner: str, until: datetime | None = None) -> None:
        """Keep the fire PENDING but let it go: to anyone at once (until=None), or hold it to `until`
        (waiting for its jitter). No-op when `owner` does not hold it."""

    @abstractmethod
    def start_fire_run(
        self, fire_id: int, owner: str, version_id: int, inputs: dict[str, Any], now: datetime
    ) -> RunRecord:
        """In one transaction: create the fire's run (QUEUED, trigger `schedule:<fire id>`) and mark
        the fire STARTED with it. Conflict when the fire is final or leased to another owner, so a
        fire whose lease was taken over never gets a second run. NotFound for an unknown version.
        """

    @abstractmethod
    def reap_abandoned_fires(
        self, owner: str, lease_until: datetime, now: datetime
    ) -> list[ScheduleFireRecord]:
        """Lease to `owner` and return PENDING fires whose lease expired or was released, oldest first."""

    @abstractmethod
    def list_fires(self, workflow_name: str | None = None, limit: int = 100) -> list[ScheduleFireRecord]:
        """Newest fire time first."""


class WebhookStore(Protocol):
    """Per-workflow webhook signing secrets (encrypted like secrets) and received deliveries.

    Several secrets may be active at once (rotation): a secret is active until its `expires_at`
    (None = no end). A delivery is a row with UNIQUE(workflow, webhook_id), inserted in the same
    transaction as its run, so a retried delivery never starts a second run.
    """

    @abstractmethod
    def add_webhook_secret(
        self, workflow_name: str, secret: str, now: datetime, retire_others_at: datetime | None = None
    ) -> None:
        """Store a new active secret; every other secret still valid at `retire_others_at` ends then
        (a shorter grace shortens earlier ones too, `now` revokes them at once; an end is never
        extended). None keeps them as they are. Raises NotFound for an unknown workflow."""

    @abstractmethod
    def list_webhook_secrets(self, workflow_name: str, now: datetime) -> list[str]:
        """The decrypted secrets active at `now`, newest first; [] when none. NotFound for an
        unknown workflow."""

    @abstractmethod
    def list_webhook_secret_ends(
        self, workflow_name: str, now: datetime
    ) -> list[tuple[str, datetime | None]]:
        """`list_webhook_secrets` with the time each one stops being valid (None: no end)."""

    @abstractmethod
    def start_webhook_run(
        self, workflow_name: str, webhook_id: str, version_id: int, inputs: dict[str, Any], now: datetime
    ) -> tuple[RunRecord, bool]:
        """In one transaction: create a QUEUED run (trigger `webhook:<webhook_id>`) of `version_id`
        and record the delivery. When (workflow, webhook_id) was already delivered, nothing is
        created and (that delivery's run, False) is returned; else (new run, True).
        NotFound for an unknown workflow or version; Conflict for a disabled workflow (checked in
        the same transaction, so a delivery never slips past a disable)."""


class StatsStore(Protocol):
    """What run statistics are computed from: narrow reads over many runs, filtered in the database."""

    @abstractmethod
    def list_run_outcomes(
        self, workflow_name: str | None = None, since: datetime | None = None
    ) -> list[RunOutcome]:
        """Runs created at or after `since` (all when None), of one workflow or all, oldest first.
        NotFound for an unknown workflow name."""

    @abstractmethod
    def count_step_failures(
        self, workflow_name: str | None = None, since: datetime | None = None
    ) -> list[StepFailureCount]:
        """Failed step attempts (retried ones included) of runs created at or after `since`, grouped
        by (workflow, step, step type, error type), most frequent first. NotFound as above."""


class TokenStore(Protocol):
    """API tokens: the store keeps a token's hash and metadata, never the token itself.

    A token is found by its public `token_id` (the part between `mwo_` and the secret); the caller
    compares the hash (`mwo.auth.tokens` does, in constant time).
    """

    @abstractmethod
    def create_api_token(
        self,
        name: str,
        token_id: str,
        secret_hash: str,
        scope: TokenScope,
        now: datetime,
        expires_at: datetime | None = None,
    ) -> ApiTokenRecord:
        """Store a new token. Conflict when `name` or `token_id` is taken (revoked tokens keep their
        name, for the audit trail)."""

    @abstractmethod
    def find_api_token(self, token_id: str) -> tuple[ApiTokenRecord, str]:
        """(record, secret hash) of the token with this public id; NotFound."""

    @abstractmethod
    def list_api_tokens(self) -> list[ApiTokenRecord]:
        """Every token (revoked and expired ones too), by name."""

    @abstractmethod
    def revoke_api_token(self, name: str, now: datetime) -> ApiTokenRecord:
        """Revoke the token called `name` from `now` on; revoking again keeps the first time.
        NotFound."""

    @abstractmethod
    def mark_api_token_used(self, token_id: str, now: datetime) -> None:
        """Set the token's last use to `now` (a no-op for an unknown id)."""


class HealingStore(Protocol):
    """The repair loop's attempts, append-only: every candidate, kept or not, with its findings and diff.

    A repair has a `repair_id` (the caller's uuid) and a `subject` naming what was repaired
    (`script:<file>`, `run:<run id>:<step id>`, `authoring:<session>`), so the CLI, the API and the UI
    can show one repair live (poll by repair) and every repair of a thing afterwards (by subject).
    """

    @abstractmethod
    def record_healing_attempt(self, attempt: HealingAttemptRecord, now: datetime) -> HealingAttemptRecord:
        """Store one attempt; `attempt.id` and `attempt.created_at` are ignored (the store assigns
        them: `created_at` is `now`). Returns the stored record."""

    @abstractmethod
    def list_healing_attempts(
        self, subject: str, repair_id: str | None = None, limit: int = 200
    ) -> list[HealingAttemptRecord]:
        """Attempts on `subject` (only those of `repair_id` when given), oldest first, at most `limit`
        (the newest `limit` when there are more); an unknown subject gives []."""


class AuthoringStore(Protocol):
    """Authoring sessions: a request (or an edit instruction), the answers given so far, the status and
    the last result, and the progress events the pipeline wrote, numbered per session so a client
    polls `list_authoring_events(id, after=last seen)`."""

    @abstractmethod
    def create_authoring_session(
        self, session_id: str, kind: str, request: str, now: datetime, workflow_name: str | None = None
    ) -> AuthoringSessionRecord:
        """A new session in status WORKING with no answers and no result; Conflict for a used id."""

    @abstractmethod
    def get_authoring_session(self, session_id: str) -> AuthoringSessionRecord:
        """Raises NotFound."""

    @abstractmethod
    def update_authoring_session(
        self,
        session_id: str,
        now: datetime,
        *,
        status: AuthoringStatus | None = None,
        answers: dict[str, str] | None = None,
        result: dict[str, Any] | None = None,
    ) -> AuthoringSessionRecord:
        """Replace the fields given (None leaves a field as it is) and set updated_at; NotFound."""

    @abstractmethod
    def list_authoring_sessions(self, limit: int = 50) -> list[AuthoringSessionRecord]:
        """Newest first (by creation)."""

    @abstractmethod
    def add_authoring_event(
        self, session_id: str, stage: str, message: str, now: datetime, data: dict[str, Any] | None = None
    ) -> AuthoringEventRecord:
        """Append an event with the next `seq` of the session (1, 2, ...); NotFound for no session."""

    @abstractmethod
    def list_authoring_events(self, session_id: str, after: int = 0) -> list[AuthoringEventRecord]:
        """Events with seq > `after`, in order; NotFound for an unknown session."""


class RepairStore(Protocol):
    """Run-time repair proposals: a fix found for a step that failed in a run. A run has at most one
    pending proposal at a time (its run waits in waiting_repair); its newest proposal is the one shown.
    """

    @abstractmethod
    def create_repair_proposal(
        self, proposal: RepairProposalRecord, now: datetime, *, lease: RunLease | None = None
    ) -> RepairProposalRecord:
        """Store a PENDING or NOT_FIXED proposal (ValueError for another status); `id`, `created_at`
        and the decision fields are assigned by the store (`created_at` is `now`). NotFound for an
        unknown run; Conflict when the run already has a pending proposal. With `lease` (the
        executor's repair desk) it is fenced as `RunStore.add_log`: LeaseLost, nothing written, once
        the run has another tenure (checked with the run row locked, in the insert's transaction)."""

    @abstractmethod
    def get_repair_proposal(self, run_id: str) -> RepairProposalRecord:
        """The run's newest proposal (whatever its status); NotFound when it has none."""

    @abstractmethod
    def list_pending_repairs(self) -> list[RepairProposalRecord]:
        """Pending proposals of runs that wait for them (waiting_repair), oldest first."""

    @abstractmethod
    def decide_repair(
        self,
        run_id: str,
        status: RepairStatus,
        by: str,
        comment: str | None,
        now: datetime,
        new_version_id: int | None = None,
        *,
        lease: RunLease | None = None,
    ) -> RepairProposalRecord:
        """Decide the run's pending proposal as APPROVED, AUTO_APPLIED (both need `new_version_id`,
        the saved fix) or REJECTED; ValueError for another status or a missing version. An applied
        decision re-pins the run to `new_version_id` in the same transaction (NotFound for a version
        of another workflow). NotFound when the run has no proposal; Conflict when its newest one is
        already decided. With `lease` (`repair: auto`, decided by the executor) it is fenced as
        `create_repair_proposal`; a person's decision passes none."""


class OutboxStore(Protocol):
    """The outbox: one row per attempt of a step with an outside effect (API_CALL, NOTIFICATION),
    so that a step run again after a crash knows whether its message or request already went out.

    Order of operations for one attempt: `start_delivery` (the step-run row and the PENDING intent,
    one transaction, before anything is sent), then exactly one of `mark_delivered` (the receiver
    accepted; its receipt), `post_delivered_message` (the in-app inbox: the message and the mark, one
    transaction) or `close_delivery` (FAILED: the attempt failed and said so; UNKNOWN: a crash left it
    pending and its policy forbids sending again). Only a PENDING row changes; a settled one never
    does (Conflict). Rows hold no secret values: the caller redacts the receipt.
    """

    @abstractmethod
    def start_delivery(
        self,
        run_id: str,
        step_id: str,
        step_type: str,
        attempt: int,
        input: Any,
        now: datetime,
        intent: DeliveryIntent,
        *,
        version_id: int | None = None,
        lease: RunLease | None = None,
    ) -> tuple[StepRunRecord, DeliveryRecord]:
        """Write the step-run row (RUNNING, as `start_step`) and the attempt's PENDING intent in one
        transaction: either both exist or neither. NotFound for an unknown run; Conflict when this
        attempt of the step was already started (and no intent is written); LeaseLost (nothing
        written) when `lease` is given and is no longer the run's tenure, as `start_step`."""

    @abstractmethod
    def mark_delivered(
        self, delivery_id: int, receipt: Any, now: datetime, *, lease: RunLease | None = None
    ) -> DeliveryRecord:
        """PENDING -> DELIVERED with the receiver's receipt (`finished_at` = now). NotFound for an
        unknown id; Conflict when the row is no longer PENDING (a receipt is never replaced);
        LeaseLost (nothing written) when `lease` is given and is no longer the run's tenure: a
        process that lost the run settles none of its deliveries."""

    @abstractmethod
    def post_delivered_message(
        self,
        delivery_id: int,
        title: str,
        body: str,
        now: datetime,
        receipt_of: Callable[[InboxMessage], Any],
        run_id: str | None = None,
        *,
        lease: RunLease | None = None,
    ) -> InboxMessage:
        """Post an inbox message (as `post_message`) and mark the delivery DELIVERED with
        `receipt_of(message)` in one transaction, so the in-app inbox is exactly once: a crash leaves
        either both or neither. NotFound / Conflict / LeaseLost as `mark_delivered`, and then no
        message exists."""

    @abstractmethod
    def close_delivery(
        self,
        delivery_id: int,
        state: DeliveryState,
        now: datetime,
        error: dict[str, Any] | None = None,
        *,
        lease: RunLease | None = None,
    ) -> DeliveryRecord:
        """PENDING -> FAILED or UNKNOWN (ValueError for another state), with the error that says why.
        NotFound for an unknown id; Conflict when the row is no longer PENDING; LeaseLost as
        `mark_delivered`."""

    @abstractmethod
    def last_delivery(self, run_id: str, step_id: str) -> DeliveryRecord | None:
        """The newest delivery of this step in this run (highest id), or None."""

    @abstractmethod
    def list_deliveries(self, run_id: str) -> list[DeliveryRecord]:
        """Every delivery of the run, in the order they were started."""


class Store(
    WorkflowStore,
    RunStore,
    CheckpointStore,
    ApprovalStore,
    SecretStore,
    InboxStore,
    TraceStore,
    ScheduleStore,
    WebhookStore,
    StatsStore,
    AuthoringStore,
    TokenStore,
    HealingStore,
    RepairStore,
    OutboxStore,
    ABC,
):
    """Everything MWO persists, behind one object with one connection pool."""

    @abstractmethod
    def close(self) -> None:
        """Release connections."""

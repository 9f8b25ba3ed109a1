"""The relational schema: one typed declarative class per table, shared by SQLite and PostgreSQL.

These classes stay inside the store; callers get the frozen records of `mwo.store.records`. The
migration in `migrations/versions/` must create exactly this metadata (a unit test compares them).

Two column types exist to keep one schema across both backends:
- `UtcDateTime` because SQLite drops the time zone: values go in aware, are stored as UTC, and come
  back aware in UTC whatever the backend.
- `EnumText` because statuses are enums everywhere in Python but plain strings in the database
  (no native ENUM types, so adding a state never needs a type migration).
"""

from __future__ import annotations

from datetime import datetime, timezone
from enum import Enum
from typing import Any, Generic, TypeVar

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

from mwo.spec.policies import DeliveryPolicy
from mwo.store.records import (
    ApprovalStatus,
    DeliveryState,
    FireOutcome,
    HealingSource,
    LogLevel,
    RepairStatus,
    RunStatus,
    StepStatus,
    TokenScope,
)

E = TypeVar("E", bound=Enum)

# Named constraints make migrations reproducible across backends (and alterable later on SQLite).
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UtcDateTime(TypeDecorator[datetime]):
    """A timestamp that is timezone-aware UTC on the way in and on the way out.

    Naive datetimes are refused: a store shared by processes in different zones cannot guess.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"naive datetime {value.isoformat()} given to the store; pass an aware datetime")
        value = value.astimezone(timezone.utc)
        # SQLite stores text without an offset; storing UTC keeps string order equal to time order.
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


class EnumText(TypeDecorator[E], Generic[E]):
    """An enum stored as its string value in a VARCHAR(20)."""

    impl = String(20)
    cache_ok = True

    def __init__(self, enum_type: type[E]) -> None:
        super().__init__()
        self.enum_type = enum_type

    def process_bind_param(self, value: E | str | None, dialect: Dialect) -> str | None:
        if value is None:
            return None
        return str(self.enum_type(value).value)

    def process_result_value(self, value: Any | None, dialect: Dialect) -> E | None:
        return None if value is None else self.enum_type(value)


class Base(DeclarativeBase):
    """The declarative base; the naming convention makes every constraint name predictable."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


workflow_tags = Table(
    "workflow_tags",
    Base.metadata,
    Column("workflow_id", Integer, ForeignKey("workflows.id", ondelete="CASCADE"), primary_key=True),
    Column("tag_id", Integer, ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True),
)


class FolderRow(Base):
    """A folder by its full '/'-separated path; each parent has its own row."""

    __tablename__ = "folders"

    id: Mapped[int] = mapped_column(primary_key=True)
    path: Mapped[str] = mapped_column(String(500), unique=True)


class TagRow(Base):
    """A tag name, shared by the workflows that carry it."""

    __tablename__ = "tags"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)


class WorkflowRow(Base):
    """A workflow by name; its content lives in its versions."""

    __tablename__ = "workflows"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    folder_id: Mapped[int | None] = mapped_column(ForeignKey("folders.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)

    folder: Mapped[FolderRow | None] = relationship(lazy="joined")
    tags: Mapped[list[TagRow]] = relationship(secondary=workflow_tags, lazy="selectin", order_by=TagRow.name)


class VersionRow(Base):
    """One immutable version of a workflow's spec; `number` counts from 1 per workflow."""

    __tablename__ = "workflow_versions"
    __table_args__ = (UniqueConstraint("workflow_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workflow_id: Mapped[int] = mapped_column(ForeignKey("workflows.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    spec_yaml: Mapped[str] = mapped_column(Text)
    content_hash: Mapped[str] = mapped_column(String(64))
    message: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)

    workflow: Mapped[WorkflowRow] = relationship(lazy="joined", innerjoin=True)


class RunRow(Base):
    """A run, pinned to one version; `acquired_by`/`acquired_until`/`lease_token` are the
    crash-recovery lease and its fencing token."""

    __tablename__ = "runs"
    __table_args__ = (
        Index("ix_runs_workflow_id_created_at", "workflow_id", "created_at"),
        Index("ix_runs_status", "status"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    workflow_id: Mapped[int] = mapped_column(ForeignKey("workflows.id", ondelete="CASCADE"))
    version_id: Mapped[int] = mapped_column(ForeignKey("workflow_versions.id", ondelete="CASCADE"))
    status: Mapped[RunStatus] = mapped_column(EnumText(RunStatus))
    trigger: Mapped[str] = mapped_column(String(50))
    inputs: Mapped[dict[str, Any]] = mapped_column(JSON)
    output: Mapped[Any | None] = mapped_column(JSON(none_as_null=True))
    error: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    started_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    cancel_requested: Mapped[bool] = mapped_column(Boolean, default=False)
    acquired_by: Mapped[str | None] = mapped_column(String(200))
    acquired_until: Mapped[datetime | None] = mapped_column(UtcDateTime)
    lease_token: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    """The fencing token: +1 for each new tenure of the lease; every write an executor makes for the
    run is conditional on it (store.records.RunLease)."""
    retry_of: Mapped[str | None] = mapped_column(ForeignKey("runs.id", ondelete="SET NULL"))


class StepRunRow(Base):
    """One attempt of one step of a run."""

    __tablename__ = "step_runs"
    __table_args__ = (UniqueConstraint("run_id", "step_id", "attempt"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[str] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"))
    step_id: Mapped[str] = mapped_column(String(200))
    step_type: Mapped[str] = mapped_column(String(50))
    attempt: Mapped[int] = mapped_column(Integer)
    status: Mapped[StepStatus] = mapped_column(EnumText(StepStatus))
    input: Mapped[Any | None] = mapped_column(JSON(none_as_null=True))
    output: Mapped[Any | None] = mapped_column(JSON(none_as_null=True))
    error: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))
    started_at: Mapped[datetime] = mapped_column(UtcDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    version_id: Mapped[int | None] = mapped_column(ForeignKey("workflow_versions.id", ondelete="CASCADE"))


class StepLogRow(Base):
    """A log line of a run (of one of its steps when `step_id` is set), ordered by id."""

    __tablename__ = "step_logs"

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[str] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"), index=True)
    step_id: Mapped[str | None] = mapped_column(String(200))
    level: Mapped[LogLevel] = mapped_column(EnumText(LogLevel))
    message: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class ApprovalRow(Base):
    """At most one approval per (run, step): re-requesting it after a resume finds the same row."""

    __tablename__ = "approvals"
    __table_args__ = (UniqueConstraint("run_id", "step_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[str] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"))
    step_id: Mapped[str] = mapped_column(String(200))
    status: Mapped[ApprovalStatus] = mapped_column(EnumText(ApprovalStatus), index=True)
    message: Mapped[str] = mapped_column(Text, default="")
    requested_at: Mapped[datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    decided_by: Mapped[str | None] = mapped_column(String(200))
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    comment: Mapped[str | None] = mapped_column(Text)


class SecretRow(Base):
    """Only the Fernet token is stored; the key lives outside the database."""

    __tablename__ = "secrets"

    name: Mapped[str] = mapped_column(String(200), primary_key=True)
    ciphertext: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class InboxMessageRow(Base):
    """A notification kept in the database; `run_id` is a plain reference so messages outlive runs."""

    __tablename__ = "inbox_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[str | None] = mapped_column(String(36), index=True)
    title: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    read_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class LlmCallRow(Base):
    """A traced model call; `run_id` is a plain reference so traces outlive runs (and calls outside runs)."""

    __tablename__ = "llm_calls"

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[str | None] = mapped_column(String(36), index=True)
    step_id: Mapped[str | None] = mapped_column(String(200))
    caller: Mapped[str] = mapped_column(String(100))
    model: Mapped[str] = mapped_column(String(200))
    prompt_tokens: Mapped[int] = mapped_column(Integer, default=0)
    completion_tokens: Mapped[int] = mapped_column(Integer, default=0)
    latency_ms: Mapped[float] = mapped_column(Float, default=0.0)
    prompt: Mapped[str] = mapped_column(Text)
    response: Mapped[str] = mapped_column(Text)
    error: Mapped[str | None] = mapped_column(Text)
    extra: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class ScheduleRow(Base):
    """A workflow's cron schedule (at most one per workflow), with its next fire stored, not derived."""

    __tablename__ = "schedules"
    __table_args__ = (Index("ix_schedules_next_due_at", "next_due_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workflow_id: Mapped[int] = mapped_column(ForeignKey("workflows.id", ondelete="CASCADE"), unique=True)
    cron: Mapped[str] = mapped_column(String(200))
    timezone: Mapped[str] = mapped_column(String(100))
    misfire: Mapped[str] = mapped_column(String(20))
    overlap: Mapped[str] = mapped_column(String(20))
    catch_up_window_s: Mapped[float] = mapped_column(Float)
    jitter_s: Mapped[float] = mapped_column(Float)
    start_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    end_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    paused: Mapped[bool] = mapped_column(Boolean, default=False)
    next_fire_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    next_due_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)

    workflow: Mapped[WorkflowRow] = relationship(lazy="joined", innerjoin=True)


class ScheduleFireRow(Base):
    """One claimed fire; UNIQUE(schedule_id, fire_time) is what makes a fire happen exactly once."""

    __tablename__ = "schedule_fires"
    __table_args__ = (
        UniqueConstraint("schedule_id", "fire_time"),
        Index("ix_schedule_fires_outcome", "outcome"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    schedule_id: Mapped[int] = mapped_column(ForeignKey("schedules.id", ondelete="CASCADE"))
    fire_time: Mapped[datetime] = mapped_column(UtcDateTime)
    due_at: Mapped[datetime] = mapped_column(UtcDateTime)
    outcome: Mapped[FireOutcome] = mapped_column(EnumText(FireOutcome))
    run_id: Mapped[str | None] = mapped_column(String(36))
    claimed_by: Mapped[str] = mapped_column(String(200))
    claimed_at: Mapped[datetime] = mapped_column(UtcDateTime)
    acquired_by: Mapped[str | None] = mapped_column(String(200))
    acquired_until: Mapped[datetime | None] = mapped_column(UtcDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    note: Mapped[str] = mapped_column(Text, default="")


class WebhookSecretRow(Base):
    """A workflow's webhook signing secret as a Fernet token; active until `expires_at` (None: open)."""

    __tablename__ = "webhook_secrets"

    id: Mapped[int] = mapped_column(primary_key=True)
    workflow_id: Mapped[int] = mapped_column(ForeignKey("workflows.id", ondelete="CASCADE"), index=True)
    ciphertext: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class WebhookDeliveryRow(Base):
    """A received delivery; UNIQUE(workflow_id, webhook_id) is what makes a retry start no second run."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (UniqueConstraint("workflow_id", "webhook_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workflow_id: Mapped[int] = mapped_column(ForeignKey("workflows.id", ondelete="CASCADE"))
    webhook_id: Mapped[str] = mapped_column(String(200))
    run_id: Mapped[str] = mapped_column(String(36))
    received_at: Mapped[datetime] = mapped_column(UtcDateTime)


class ApiTokenRow(Base):
    """An API token: its public `token_id` and the SHA-256 of its secret, never the secret itself."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_id: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    secret_hash: Mapped[str] = mapped_column(String(64))
    scope: Mapped[TokenScope] = mapped_column(EnumText(TokenScope))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    expires_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class HealingAttemptRow(Base):
    """One candidate of a repair (append-only); read back by subject or by repair."""

    __tablename__ = "healing_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    subject: Mapped[str] = mapped_column(String(300), index=True)
    repair_id: Mapped[str] = mapped_column(String(36), index=True)
    round: Mapped[int] = mapped_column(Integer)
    candidate: Mapped[int] = mapped_column(Integer)
    source: Mapped[HealingSource] = mapped_column(EnumText(HealingSource))
    findings: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    diff: Mapped[str] = mapped_column(Text)
    model: Mapped[str | None] = mapped_column(String(200))
    tokens: Mapped[int] = mapped_column(Integer)
    seconds: Mapped[float] = mapped_column(Float)
    accepted: Mapped[bool] = mapped_column(Boolean)
    note: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class RepairProposalRow(Base):
    """A run-time repair of one failed step; a run's newest proposal is the one `mwo repair` shows."""

    __tablename__ = "repair_proposals"
    __table_args__ = (Index("ix_repair_proposals_run_id_id", "run_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[str] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"))
    step_id: Mapped[str] = mapped_column(String(200))
    step_type: Mapped[str] = mapped_column(String(50))
    status: Mapped[RepairStatus] = mapped_column(EnumText(RepairStatus), index=True)
    base_version_id: Mapped[int] = mapped_column(ForeignKey("workflow_versions.id", ondelete="CASCADE"))
    new_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("workflow_versions.id", ondelete="SET NULL")
    )
    error: Mapped[dict[str, Any]] = mapped_column(JSON)
    input: Mapped[Any | None] = mapped_column(JSON(none_as_null=True))
    original: Mapped[str] = mapped_column(Text)
    proposed: Mapped[str | None] = mapped_column(Text)
    proposed_spec: Mapped[str | None] = mapped_column(Text)
    diff: Mapped[str] = mapped_column(Text)
    findings: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    attempts: Mapped[int] = mapped_column(Integer)
    seconds: Mapped[float] = mapped_column(Float)
    note: Mapped[str] = mapped_column(Text)
    repair_id: Mapped[str | None] = mapped_column(String(36))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    decided_by: Mapped[str | None] = mapped_column(String(200))
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    comment: Mapped[str | None] = mapped_column(Text)


class AuthoringSessionRow(Base):
    """An authoring session: the request (or edit instruction), answers by slot, status, last result.

    `status` holds an AuthoringStatus value (converted in `sql_authoring`)."""

    __tablename__ = "authoring_sessions"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    request: Mapped[str] = mapped_column(Text)
    workflow_name: Mapped[str | None] = mapped_column(String(80))
    answers: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(20))
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class AuthoringEventRow(Base):
    """One progress event; UNIQUE(session_id, seq) numbers them 1, 2, ... within a session."""

    __tablename__ = "authoring_events"
    __table_args__ = (UniqueConstraint("session_id", "seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[str] = mapped_column(ForeignKey("authoring_sessions.id", ondelete="CASCADE"))
    seq: Mapped[int] = mapped_column(Integer)
    stage: Mapped[str] = mapped_column(String(40))
    message: Mapped[str] = mapped_column(Text)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class OutboxRow(Base):
    """One attempt's outside effect (API_CALL, NOTIFICATION): the intent, written in the transaction
    that starts the attempt's step-run row, then delivered (with the receiver's receipt), failed or
    unknown. Looked up by (run, step) when a step runs again after a crash."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_run_id_step_id", "run_id", "step_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[str] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"))
    step_id: Mapped[str] = mapped_column(String(200))
    attempt: Mapped[int] = mapped_column(Integer)
    step_run_id: Mapped[int] = mapped_column(ForeignKey("step_runs.id", ondelete="CASCADE"), unique=True)
    idempotency_key: Mapped[str] = mapped_column(String(300))
    policy: Mapped[DeliveryPolicy] = mapped_column(EnumText(DeliveryPolicy))
    channel: Mapped[str] = mapped_column(String(40))
    target: Mapped[str] = mapped_column(Text)
    state: Mapped[DeliveryState] = mapped_column(EnumText(DeliveryState))
    receipt: Mapped[Any | None] = mapped_column(JSON(none_as_null=True))
    error: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

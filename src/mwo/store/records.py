"""What the store hands out: plain frozen records and the state enums, never ORM objects."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from typing import Any


class RunStatus(str, Enum):
    """Life of a run: queued -> running -> (waiting_approval -> running)* -> a final state."""

    QUEUED = "queued"
    RUNNING = "running"
    WAITING_APPROVAL = "waiting_approval"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"

    @property
    def is_final(self) -> bool:
        return self in (RunStatus.SUCCEEDED, RunStatus.FAILED, RunStatus.CANCELLED)


class StepStatus(str, Enum):
    """Life of one attempt of one step."""

    RUNNING = "running"
    WAITING_APPROVAL = "waiting_approval"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"


class ApprovalStatus(str, Enum):
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
    trigger: str
    inputs: dict[str, Any]
    output: Any
    error: dict[str, Any] | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    cancel_requested: bool
    acquired_by: str | None
    acquired_until: datetime | None
    retry_of: str | None


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
    started_at: datetime
    finished_at: datetime | None

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
    id: int
    run_id: str
    step_id: str
    status: ApprovalStatus
    message: str
    requested_at: datetime
    expires_at: datetime | None
    decided_by: str | None
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
    model: str
    prompt: str
    response: str
    prompt_tokens: int = 0
    completion_tokens: int = 0
    latency_ms: float = 0.0
    run_id: str | None = None
    step_id: str | None = None
    error: str | None = None
    id: int | None = None
    created_at: datetime | None = None
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class RunFilter:
    workflow_name: str | None = None
    statuses: tuple[RunStatus, ...] = ()
    limit: int = 50

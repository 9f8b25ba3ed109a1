"""Response models shared by several resources (runs appear in runs, events and approvals). Field
names follow the CLI's `--json` output, so scripts can switch between the two."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict

from mwo.store.records import (
    ApprovalStatus,
    LogLevel,
    RunRecord,
    RunStatus,
    StepLogRecord,
    StepRunRecord,
    StepStatus,
)

MAX_VERSION = 2**31 - 1
"""Version numbers above this cannot exist (a 32-bit integer column on PostgreSQL); bounding them
turns an absurd number into a 422 instead of a database overflow."""


class ApiModel(BaseModel):
    """Built from the store's frozen records by attribute."""

    model_config = ConfigDict(from_attributes=True)


class WorkflowOut(ApiModel):
    id: int
    name: str
    description: str
    enabled: bool
    folder: str | None
    tags: list[str]
    latest_version: int
    created_at: datetime
    updated_at: datetime


class RunOut(ApiModel):
    id: str
    workflow_name: str
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
    retry_of: str | None


class RunEnvelope(ApiModel):
    run: RunOut

    @classmethod
    def of(cls, run: RunRecord) -> RunEnvelope:
        return cls(run=RunOut.model_validate(run))


class StepRunOut(ApiModel):
    """One attempt of one step (the CLI's `mwo logs --json` step shape)."""

    step_id: str
    type: str
    version: int | None = None
    """The workflow version number this attempt ran with (a repaired run continues on a newer one)."""
    attempt: int
    status: StepStatus
    input: Any
    output: Any
    error: dict[str, Any] | None
    started_at: datetime
    finished_at: datetime | None
    duration_ms: float | None

    @classmethod
    def of(cls, r: StepRunRecord, version: int | None = None) -> StepRunOut:
        return cls(
            step_id=r.step_id,
            type=r.step_type,
            version=version,
            attempt=r.attempt,
            status=r.status,
            input=r.input,
            output=r.output,
            error=r.error,
            started_at=r.started_at,
            finished_at=r.finished_at,
            duration_ms=r.duration_ms,
        )


class LogOut(ApiModel):
    step_id: str | None
    level: LogLevel
    message: str
    created_at: datetime

    @classmethod
    def of(cls, r: StepLogRecord) -> LogOut:
        return cls.model_validate(r)


class ApprovalOut(ApiModel):
    run_id: str
    step_id: str
    status: ApprovalStatus
    message: str
    requested_at: datetime
    expires_at: datetime | None
    decided_by: str | None
    decided_at: datetime | None
    comment: str | None

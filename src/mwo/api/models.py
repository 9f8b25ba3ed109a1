"""Response models shared by several resources. A run, its step attempts and log lines are the views
both faces share (`mwo.views`: `RunOut`, `StepRunOut`, `LogOut`); the CLI's `--json` shows the
same fields and a few more, so scripts can switch between the two."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict

from mwo.store.records import ApprovalStatus, RunRecord
from mwo.views import RunOut

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


class RunEnvelope(ApiModel):
    run: RunOut

    @classmethod
    def of(cls, run: RunRecord) -> RunEnvelope:
        return cls(run=RunOut.of(run))


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

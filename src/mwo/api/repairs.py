"""`/runs/{id}/repair`, `/repairs`: the fix proposed for a run's failed step, and the decision on it
(the REST face of `mwo repair RUN [--approve | --reject]`).

Approving saves the fix as the workflow's next version (through the same checks as applying a spec)
and re-pins the run to it before answering 202; the run continues from the failed step on the
server's workers (if that is lost, `RunService.recover()` continues it). Rejecting fails the run at
once, with the error it had without repair.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, Field

from mwo.api.context import READ, AppServices, Context, WriteToken
from mwo.api.models import ApiModel
from mwo.services import Services
from mwo.store.records import ApiTokenRecord, RepairStatus, RunRecord
from mwo.views import RunOut


class RepairOut(ApiModel):
    """A proposed (or decided, or not found) fix; the same fields as `mwo repair RUN --json`'s `repair`."""

    run_id: str
    step_id: str
    step_type: str
    status: RepairStatus
    error: dict[str, Any]
    input: Any
    original: str
    proposed: str | None
    diff: str
    findings: list[dict[str, Any]]
    attempts: int
    seconds: float
    note: str
    repair_id: str | None
    base_version_id: int
    new_version_id: int | None
    created_at: datetime | None
    decided_by: str | None
    decided_at: datetime | None
    comment: str | None


class RunRepair(ApiModel):
    """A run and its newest repair proposal."""

    run: RunOut
    repair: RepairOut


class RepairList(ApiModel):
    repairs: list[RepairOut]


class RepairDecision(BaseModel):
    by: str | None = Field(
        default=None, max_length=200, description="Who decides (default: the API token's name)."
    )
    comment: str | None = Field(default=None, max_length=10_000)


router = APIRouter(tags=["runs"])


@router.get("/runs/{run_id}/repair", dependencies=[READ], summary="The fix proposed for a run's failed step")
def get_repair(run_id: str, services: AppServices) -> RunRepair:
    return _answer(services, services.store.get_run(run_id))


@router.post(
    "/runs/{run_id}/repair/approve",
    status_code=202,
    responses={202: {"description": "Accepted: the fix is saved; the run continues on the workers."}},
    summary="Approve the fix: saved as a new version; the run continues from the failed step",
)
def approve(
    run_id: str, ctx: Context, token: WriteToken, decision: RepairDecision | None = None
) -> RunRepair:
    run = _decide(ctx.services, run_id, RepairStatus.APPROVED, decision or RepairDecision(), token)
    ctx.execute_later(run)
    return _answer(ctx.services, run)


@router.post(
    "/runs/{run_id}/repair/reject",
    summary="Reject the fix: the run fails with the error it had without repair",
)
def reject(
    run_id: str, services: AppServices, token: WriteToken, decision: RepairDecision | None = None
) -> RunRepair:
    run = _decide(services, run_id, RepairStatus.REJECTED, decision or RepairDecision(), token)
    return _answer(services, run)


@router.get("/repairs", dependencies=[READ], summary="Fixes waiting for a decision, oldest first")
def pending(services: AppServices) -> RepairList:
    return RepairList(repairs=[RepairOut.model_validate(p) for p in services.store.list_pending_repairs()])


def _decide(
    services: Services, run_id: str, status: RepairStatus, decision: RepairDecision, token: ApiTokenRecord
) -> RunRecord:
    """Record the decision on the run's proposal, by the body's `by`, else the token's name."""
    run_id = services.store.get_run(run_id).id  # an id prefix names the run
    return services.runs.decide_repair(run_id, status, decision.by or token.name, decision.comment)


def _answer(services: Services, run: RunRecord) -> RunRepair:
    repair = RepairOut.model_validate(services.store.get_repair_proposal(run.id))
    return RunRepair(run=RunOut.of(run), repair=repair)

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

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

from mwo.api.context import ApiContext
from mwo.api.models import ApiModel, RunOut
from mwo.store.records import ApiTokenRecord, RepairStatus, RunRecord, TokenScope


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


def repairs_router(ctx: ApiContext) -> APIRouter:
    services = ctx.services
    store = services.store
    read = [ctx.scope(TokenScope.READ)]
    writer = Depends(ctx.auth.require(TokenScope.WRITE))
    router = APIRouter(tags=["runs"])

    def answer(run: RunRecord) -> RunRepair:
        repair = RepairOut.model_validate(store.get_repair_proposal(run.id))
        return RunRepair(run=RunOut.model_validate(run), repair=repair)

    @router.get(
        "/runs/{run_id}/repair", dependencies=read, summary="The fix proposed for a run's failed step"
    )
    def get_repair(run_id: str) -> RunRepair:
        return answer(store.get_run(run_id))

    @router.post(
        "/runs/{run_id}/repair/approve",
        status_code=202,
        responses={202: {"description": "Accepted: the fix is saved; the run continues on the workers."}},
        summary="Approve the fix: saved as a new version; the run continues from the failed step",
    )
    def approve(
        run_id: str, decision: RepairDecision | None = None, token: ApiTokenRecord = writer
    ) -> RunRepair:
        decision = decision or RepairDecision()
        run = services.runs.decide_repair(
            store.get_run(run_id).id, RepairStatus.APPROVED, decision.by or token.name, decision.comment
        )
        ctx.execute_later(run)
        return answer(run)

    @router.post(
        "/runs/{run_id}/repair/reject",
        summary="Reject the fix: the run fails with the error it had without repair",
    )
    def reject(
        run_id: str, decision: RepairDecision | None = None, token: ApiTokenRecord = writer
    ) -> RunRepair:
        decision = decision or RepairDecision()
        run = services.runs.decide_repair(
            store.get_run(run_id).id, RepairStatus.REJECTED, decision.by or token.name, decision.comment
        )
        return answer(run)

    @router.get("/repairs", dependencies=read, summary="Fixes waiting for a decision, oldest first")
    def pending() -> RepairList:
        return RepairList(repairs=[RepairOut.model_validate(p) for p in store.list_pending_repairs()])

    return router

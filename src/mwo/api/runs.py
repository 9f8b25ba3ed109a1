"""`/runs`, `/workflows/{name}/runs`, `/approvals`: start runs, follow them, decide approvals.

Nothing here waits for a run: starting, retrying and deciding an approval record what was asked,
hand the execution to the server's workers (`ApiContext.execute_later`) and answer 202 with the run as
it is then; clients poll `GET /runs/{id}`. A crash between the answer and the execution loses
nothing: the queued or decided run is picked up by `RunService.recover()`.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from mwo.api.bodies import ensure_text
from mwo.api.context import READ, WRITE, ApiContext, AppServices, Context, WriteToken
from mwo.api.models import MAX_VERSION, ApiModel, ApprovalOut, RunEnvelope
from mwo.store.records import ApiTokenRecord, ApprovalStatus, RunFilter, RunStatus
from mwo.views import LogOut, RunOut, StepRunOut, step_views


class StartRequest(BaseModel):
    inputs: dict[str, Any] = Field(default_factory=dict, description="The workflow's declared inputs.")
    version: int | None = Field(
        default=None, ge=1, le=MAX_VERSION, description="Run this version (default: latest)."
    )


class Decision(BaseModel):
    by: str | None = Field(
        default=None, max_length=200, description="Who decides (default: the API token's name)."
    )
    comment: str | None = Field(default=None, max_length=10_000)


class RunList(ApiModel):
    runs: list[RunOut]


class RunDetail(ApiModel):
    """A run with every step attempt and its log lines (the CLI's `mwo logs --json`)."""

    run: RunOut
    steps: list[StepRunOut]
    logs: list[LogOut]


class ApprovalList(ApiModel):
    approvals: list[ApprovalOut]


_ACCEPTED: dict[int | str, dict[str, Any]] = {
    202: {"description": "Accepted: the run executes on the server's workers; poll GET /runs/{id}."}
}


router = APIRouter(tags=["runs"])


@router.post(
    "/workflows/{name}/runs",
    dependencies=[WRITE],
    status_code=202,
    responses=_ACCEPTED,
    summary="Start a run (inputs checked now, executed on the workers)",
)
def start(name: str, ctx: Context, request: StartRequest | None = None) -> RunEnvelope:
    request = request or StartRequest()
    ensure_text(request.inputs, "the input data")
    run = ctx.services.runs.create_run(name, request.inputs, trigger="api", version=request.version)
    ctx.execute_later(run)
    return RunEnvelope.of(run)


@router.get("/runs", dependencies=[READ], summary="Recent runs, newest first")
def list_runs(
    services: AppServices,
    workflow: str | None = None,
    status: Annotated[list[RunStatus] | None, Query(description="Only these states (repeatable).")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 50,
) -> RunList:
    rows = services.store.list_runs(
        RunFilter(workflow_name=workflow, statuses=tuple(status or ()), limit=limit)
    )
    return RunList(runs=[RunOut.of(r) for r in rows])


@router.get("/runs/{run_id}", dependencies=[READ], summary="A run with its step runs and logs")
def get_run(run_id: str, services: AppServices) -> RunDetail:
    store = services.store
    run = store.get_run(run_id)
    return RunDetail(
        run=RunOut.of(run),
        steps=step_views(run, store.list_step_runs(run.id), store.list_versions),
        logs=[LogOut.of(r) for r in store.list_logs(run.id)],
    )


@router.post("/runs/{run_id}/cancel", dependencies=[WRITE], summary="Cancel (at once, or between steps)")
def cancel(run_id: str, services: AppServices) -> RunEnvelope:
    return RunEnvelope.of(services.runs.cancel(run_id))


@router.post(
    "/runs/{run_id}/retry",
    dependencies=[WRITE],
    status_code=202,
    responses=_ACCEPTED,
    summary="Run the same version and inputs again as a new run",
)
def retry(run_id: str, ctx: Context) -> RunEnvelope:
    run = ctx.services.runs.prepare_retry(run_id)
    ctx.execute_later(run)
    return RunEnvelope.of(run)


@router.post(
    "/runs/{run_id}/retry-from-failed",
    dependencies=[WRITE],
    status_code=202,
    responses=_ACCEPTED,
    summary="Re-run a failed run's failed step and what follows, on the same run",
)
def retry_from_failed(run_id: str, ctx: Context) -> RunEnvelope:
    run = ctx.services.runs.prepare_retry(run_id, from_failed=True)
    ctx.execute_later(run)
    return RunEnvelope.of(run)


@router.post(
    "/runs/{run_id}/approve",
    status_code=202,
    responses=_ACCEPTED,
    summary="Approve the run's waiting approval; the run continues on the workers",
)
def approve(run_id: str, ctx: Context, token: WriteToken, decision: Decision | None = None) -> RunEnvelope:
    return _decide(ctx, run_id, ApprovalStatus.APPROVED, decision or Decision(), token)


@router.post(
    "/runs/{run_id}/reject",
    status_code=202,
    responses=_ACCEPTED,
    summary="Reject the run's waiting approval; the run stops (cancelled)",
)
def reject(run_id: str, ctx: Context, token: WriteToken, decision: Decision | None = None) -> RunEnvelope:
    return _decide(ctx, run_id, ApprovalStatus.REJECTED, decision or Decision(), token)


@router.get("/approvals", dependencies=[READ], summary="Approvals waiting for a decision, oldest first")
def approvals(services: AppServices) -> ApprovalList:
    waiting = services.store.list_pending_approvals()
    return ApprovalList(approvals=[ApprovalOut.model_validate(a) for a in waiting])


def _decide(
    ctx: ApiContext, run_id: str, status: ApprovalStatus, decision: Decision, token: ApiTokenRecord
) -> RunEnvelope:
    """Record the decision (by the body's `by`, else the token's name) and resume the run on the workers."""
    by = decision.by or token.name
    run = ctx.services.runs.decide(run_id, status, by, decision.comment)
    ctx.resume_later(run, status, by)
    return RunEnvelope.of(run)

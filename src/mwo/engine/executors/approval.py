"""APPROVAL: the run pauses (LangGraph `interrupt`) until a person approves or rejects it.

The node re-runs from its start when resumed, so asking is idempotent: the approval row for
(run, step) is created once, and a decision already recorded is used without pausing again. The
request carries the run's lease (`StepContext.lease`): a process paused past its lease and resumed
after another took the run over creates no request (LeaseLost), so nobody sees one asked twice.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from langgraph.types import interrupt

from mwo.engine.executor import StepContext
from mwo.engine.failures import StepFailed
from mwo.errors import FailureKind
from mwo.spec import ApprovalStep, StepType
from mwo.store.abc import ApprovalStore
from mwo.store.records import ApprovalRecord, ApprovalStatus, LogLevel


class ApprovalExecutor:
    """Asks for approval through the store and waits; the decision arrives as the resume value."""

    step_type = StepType.APPROVAL
    step_class = ApprovalStep
    side_effects = True

    def __init__(self, approvals: ApprovalStore) -> None:
        self._approvals = approvals

    def execute(self, step: ApprovalStep, ctx: StepContext) -> Any:
        message = str(ctx.render(step.message))
        ctx.rendered_input = {"message": message, "approvers": step.approvers}
        now = ctx.now()
        expires = now + timedelta(seconds=step.expires_after_s) if step.expires_after_s else None
        record = self._approvals.request_approval(ctx.run_id, step.id, message, now, expires, lease=ctx.lease)
        if record.status is ApprovalStatus.PENDING:
            ctx.log(LogLevel.INFO, f"waiting for approval: {message}")
            interrupt({"kind": "approval", "step": step.id, "message": message})
            record = self._approvals.get_approval(ctx.run_id, step.id)
        return _outcome(record, ctx)


def _outcome(record: ApprovalRecord, ctx: StepContext) -> dict[str, Any]:
    output = {
        "approved": record.status is ApprovalStatus.APPROVED,
        "by": record.decided_by,
        "at": record.decided_at.isoformat() if record.decided_at else None,
        "comment": record.comment,
    }
    if record.status is ApprovalStatus.APPROVED:
        ctx.log(LogLevel.INFO, f"approved by {record.decided_by}" + _comment(record))
        return output
    if record.status is ApprovalStatus.PENDING:
        raise StepFailed(
            FailureKind.INTERNAL,
            "the run was resumed while its approval is still pending",
            "approve or reject it with `mwo approve RUN` / `mwo reject RUN`",
        )
    if record.status is ApprovalStatus.EXPIRED:
        raise StepFailed(
            FailureKind.TIMEOUT,
            "nobody answered the approval in time (on_timeout: fail)",
            "start a new run (`mwo run NAME`), or give the step a longer expires_after_s",
        )
    raise StepFailed(
        FailureKind.REJECTED,
        f"approval rejected by {record.decided_by}{_comment(record)}",
        "start a new run (`mwo run NAME`) if the work should still happen",
    )


def _comment(record: ApprovalRecord) -> str:
    return f": {record.comment}" if record.comment else ""

"""Approvals in memory: one per (run, step), decided once."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import cast

from mwo.store.abc import ApprovalStore, RunStore
from mwo.store.errors import Conflict, InvalidInput, NotFound
from mwo.store.memory.state import MemoryBase, utc, utc_or_none
from mwo.store.records import ApprovalRecord, ApprovalStatus, RunLease
from mwo.store.rules_runs import LIST_RUNS_FIX, lease_of_run

_WAITING_FIX = "see the runs waiting for a decision with `mwo runs`"


class MemoryApprovalStore(MemoryBase, ApprovalStore):
    """Approvals; the state's lock makes a decision atomic, as the SQL store's row lock does."""

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
        """The existing approval is returned as it is, even if decided (a resumed run sees the
        decision). The lease is checked under the state's lock, the one the run store takes a lease
        under, so a takeover cannot come between the check and the insert."""
        with self._state.lock:
            if lease is not None:
                cast(RunStore, self).check_run_lease(lease_of_run(lease, run_id))
            existing = self._find(run_id, step_id)
            if existing is not None:
                return existing
            if run_id not in self._state.runs:
                raise NotFound(f"no run with id {run_id!r}", fix=LIST_RUNS_FIX)
            approval = ApprovalRecord(
                id=self._state.next_id("approval"),
                run_id=run_id,
                step_id=step_id,
                status=ApprovalStatus.PENDING,
                message=message,
                requested_at=utc(now),
                expires_at=utc_or_none(expires_at),
                decided_by=None,
                decided_at=None,
                comment=None,
            )
            self._state.approvals[approval.id] = approval
            return approval

    def decide_approval(
        self, run_id: str, status: ApprovalStatus, by: str, comment: str | None, now: datetime
    ) -> ApprovalRecord:
        """When several approvals of a run are pending (parallel branches), the oldest is decided."""
        if status is ApprovalStatus.PENDING:
            raise InvalidInput(
                "an approval cannot be decided as pending", fix="decide it as approved, rejected or expired"
            )
        with self._state.lock:
            mine = [a for a in self._state.approvals.values() if a.run_id == run_id]
            pending = sorted(
                (a for a in mine if a.status is ApprovalStatus.PENDING), key=lambda a: (a.requested_at, a.id)
            )
            if not pending:
                raise _nothing_pending(run_id, mine)
            decided = replace(pending[0], status=status, decided_by=by, decided_at=utc(now), comment=comment)
            self._state.approvals[decided.id] = decided
            return decided

    def get_approval(self, run_id: str, step_id: str) -> ApprovalRecord:
        with self._state.lock:
            found = self._find(run_id, step_id)
        if found is None:
            raise NotFound(f"no approval for step {step_id!r} in run {run_id}", fix=_WAITING_FIX)
        return found

    def list_pending_approvals(self) -> list[ApprovalRecord]:
        with self._state.lock:
            pending = [a for a in self._state.approvals.values() if a.status is ApprovalStatus.PENDING]
        return sorted(pending, key=lambda a: (a.requested_at, a.id))

    def _find(self, run_id: str, step_id: str) -> ApprovalRecord | None:
        return next(
            (a for a in self._state.approvals.values() if (a.run_id, a.step_id) == (run_id, step_id)), None
        )


def _nothing_pending(run_id: str, approvals: list[ApprovalRecord]) -> NotFound | Conflict:
    """No approval at all (NotFound), or all already decided (Conflict, naming the latest decision)."""
    decided = [a for a in approvals if a.decided_at is not None]
    if not decided:
        return NotFound(f"run {run_id} has no approval waiting for a decision", fix=_WAITING_FIX)
    latest = max(decided, key=lambda a: (a.decided_at, a.id))
    return Conflict(
        f"the approval of step {latest.step_id!r} in run {run_id} was already {latest.status.value} "
        f"by {latest.decided_by}",
        fix="a decision is final; start a new run if the outcome must change",
    )

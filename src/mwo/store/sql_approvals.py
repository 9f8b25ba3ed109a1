"""Approvals in SQL: one row per (run, step), requested once, decided once."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from mwo.store.abc import ApprovalStore
from mwo.store.errors import Conflict, InvalidInput, NotFound, StoreError
from mwo.store.records import ApprovalRecord, ApprovalStatus, RunLease
from mwo.store.rules_runs import lease_of_run
from mwo.store.sql_common import SqlBase, insert_or_get, run_row, to_approval
from mwo.store.sql_run_rows import hold_lease
from mwo.store.tables import ApprovalRow


class SqlApprovalStore(SqlBase, ApprovalStore):
    """Approvals; a decision locks the pending row so two people deciding at once cannot both win."""

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
        """The existing row is returned as it is, even if decided: a resumed run that asks again
        must see the decision, not a fresh request. With `lease`, the run row is share-locked by the
        check (`hold_lease`) until the insert commits, so a takeover waits for it or refuses it:
        once per step, not on the per-step hot path, so a read then a write is fine here."""
        lookup = select(ApprovalRow).where(ApprovalRow.run_id == run_id, ApprovalRow.step_id == step_id)
        with self._db.session_scope() as session:
            if lease is not None:
                hold_lease(session.connection(), lease_of_run(lease, run_id))
            existing = session.scalars(lookup).one_or_none()
            if existing is not None:
                return to_approval(existing)
            run_row(session, run_id)
            candidate = ApprovalRow(
                run_id=run_id,
                step_id=step_id,
                status=ApprovalStatus.PENDING,
                message=message,
                requested_at=now,
                expires_at=expires_at,
            )
            row, _ = insert_or_get(session, candidate, lookup)
            return to_approval(row)

    def decide_approval(
        self, run_id: str, status: ApprovalStatus, by: str, comment: str | None, now: datetime
    ) -> ApprovalRecord:
        """When several approvals of a run are pending (parallel branches), the oldest is decided."""
        if status is ApprovalStatus.PENDING:
            raise InvalidInput(
                "an approval cannot be decided as pending", fix="decide it as approved, rejected or expired"
            )
        with self._db.session_scope() as session:
            pending = session.scalars(
                select(ApprovalRow)
                .where(ApprovalRow.run_id == run_id, ApprovalRow.status == ApprovalStatus.PENDING)
                .order_by(ApprovalRow.requested_at, ApprovalRow.id)
                .limit(1)
                .with_for_update()
            ).one_or_none()
            if pending is None:
                raise _nothing_pending(session, run_id)
            pending.status = status
            pending.decided_by = by
            pending.decided_at = now
            pending.comment = comment
            session.flush()
            return to_approval(pending)

    def get_approval(self, run_id: str, step_id: str) -> ApprovalRecord:
        with self._db.session_scope(read_only=True) as session:
            row = session.scalars(
                select(ApprovalRow).where(ApprovalRow.run_id == run_id, ApprovalRow.step_id == step_id)
            ).one_or_none()
            if row is None:
                raise NotFound(
                    f"no approval for step {step_id!r} in run {run_id}",
                    fix="see the runs waiting for a decision with `mwo runs`",
                )
            return to_approval(row)

    def list_pending_approvals(self) -> list[ApprovalRecord]:
        statement = (
            select(ApprovalRow)
            .where(ApprovalRow.status == ApprovalStatus.PENDING)
            .order_by(ApprovalRow.requested_at, ApprovalRow.id)
        )
        with self._db.session_scope(read_only=True) as session:
            return [to_approval(row) for row in session.scalars(statement)]


def _nothing_pending(session: Session, run_id: str) -> StoreError:
    """Why a decision cannot be taken: no approval at all (NotFound), or all already decided (Conflict)."""
    decided = session.scalars(
        select(ApprovalRow)
        .where(ApprovalRow.run_id == run_id)
        .order_by(ApprovalRow.decided_at.desc())
        .limit(1)
    ).one_or_none()
    if decided is None:
        return NotFound(
            f"run {run_id} has no approval waiting for a decision",
            fix="see the runs waiting for a decision with `mwo runs`",
        )
    return Conflict(
        f"the approval of step {decided.step_id!r} in run {run_id} was already {decided.status.value} "
        f"by {decided.decided_by}",
        fix="a decision is final; start a new run if the outcome must change",
    )

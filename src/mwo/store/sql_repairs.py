"""Run-time repair proposals in SQL: created when a repair ends, decided once, the run re-pinned to
the saved fix in the same transaction as an applied decision."""

from __future__ import annotations

from dataclasses import fields
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from mwo.store.abc import RepairStore
from mwo.store.errors import Conflict, NotFound
from mwo.store.records import RepairProposalRecord, RepairStatus, RunLease, RunStatus
from mwo.store.rules_repairs import NO_PROPOSAL_FIX, check_created_as, check_decision
from mwo.store.rules_runs import lease_of_run
from mwo.store.sql_common import SqlBase, run_row
from mwo.store.sql_run_rows import hold_lease
from mwo.store.tables import RepairProposalRow, RunRow, VersionRow

_ASSIGNED = ("id", "created_at", "decided_by", "decided_at", "comment", "new_version_id")
_RECORD_FIELDS = tuple(f.name for f in fields(RepairProposalRecord))


class SqlRepairStore(SqlBase, RepairStore):
    """Repair proposals; a decision locks the run's newest proposal so two deciders cannot both win."""

    def create_repair_proposal(
        self, proposal: RepairProposalRecord, now: datetime, *, lease: RunLease | None = None
    ) -> RepairProposalRecord:
        check_created_as(proposal.status)
        values = {name: getattr(proposal, name) for name in _RECORD_FIELDS if name not in _ASSIGNED}
        with self._db.session_scope() as session:
            run_row(session, proposal.run_id, for_update=True)  # NotFound; serialises two creators
            if lease is not None:
                hold_lease(session.connection(), lease_of_run(lease, proposal.run_id), locked=True)
            if proposal.status is RepairStatus.PENDING and _newest(session, proposal.run_id, pending=True):
                raise Conflict(
                    f"run {proposal.run_id} already has a repair waiting for a decision",
                    fix=f"approve or reject it first: `mwo repair {proposal.run_id[:8]} --approve`",
                )
            row = RepairProposalRow(**values, created_at=now)
            session.add(row)
            session.flush()
            return _to_record(row)

    def get_repair_proposal(self, run_id: str) -> RepairProposalRecord:
        with self._db.session_scope(read_only=True) as session:
            row = _newest(session, run_id)
            if row is None:
                raise NotFound(f"run {run_id} has no repair proposal", fix=NO_PROPOSAL_FIX)
            return _to_record(row)

    def list_pending_repairs(self) -> list[RepairProposalRecord]:
        statement = (
            select(RepairProposalRow)
            .join(RunRow, RunRow.id == RepairProposalRow.run_id)
            .where(
                RepairProposalRow.status == RepairStatus.PENDING,
                RunRow.status == RunStatus.WAITING_REPAIR,
            )
            .order_by(RepairProposalRow.created_at, RepairProposalRow.id)
        )
        with self._db.session_scope(read_only=True) as session:
            return [_to_record(row) for row in session.scalars(statement)]

    def decide_repair(
        self,
        run_id: str,
        status: RepairStatus,
        by: str,
        comment: str | None,
        now: datetime,
        new_version_id: int | None = None,
        *,
        lease: RunLease | None = None,
    ) -> RepairProposalRecord:
        check_decision(status, new_version_id)
        with self._db.session_scope() as session:
            run = run_row(session, run_id, for_update=True)
            if lease is not None:
                hold_lease(session.connection(), lease_of_run(lease, run_id), locked=True)
            row = _newest(session, run_id, for_update=True)
            if row is None:
                raise NotFound(f"run {run_id} has no repair proposal", fix=NO_PROPOSAL_FIX)
            if row.status is not RepairStatus.PENDING:
                raise Conflict(
                    f"the repair of step {row.step_id!r} in run {run_id} is already {row.status.value}"
                    + (f" by {row.decided_by}" if row.decided_by else ""),
                    fix="a decision is final; `mwo retry RUN` starts the run again",
                )
            if status.applied:
                _repin(session, run, new_version_id)
                row.new_version_id = new_version_id
            row.status = status
            row.decided_by = by
            row.decided_at = now
            row.comment = comment
            session.flush()
            return _to_record(row)


def _newest(
    session: Session, run_id: str, *, pending: bool = False, for_update: bool = False
) -> RepairProposalRow | None:
    statement = select(RepairProposalRow).where(RepairProposalRow.run_id == run_id)
    if pending:
        statement = statement.where(RepairProposalRow.status == RepairStatus.PENDING)
    statement = statement.order_by(RepairProposalRow.id.desc()).limit(1)
    if for_update:
        statement = statement.with_for_update()
    return session.scalars(statement).one_or_none()


def _repin(session: Session, run: RunRow, version_id: int | None) -> None:
    """Point the run at the saved fix: a version of the run's own workflow."""
    version = session.get(VersionRow, version_id)
    if version is None or version.workflow_id != run.workflow_id:
        raise NotFound(
            f"no version with id {version_id} of the workflow of run {run.id}",
            fix="save the fix as a version of the run's workflow first",
        )
    run.version_id = version.id


def _to_record(row: RepairProposalRow) -> RepairProposalRecord:
    """The record of a row: its columns are the record's fields, one to one."""
    return RepairProposalRecord(**{name: getattr(row, name) for name in _RECORD_FIELDS})

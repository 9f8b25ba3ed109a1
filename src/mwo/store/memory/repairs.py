"""Run-time repair proposals in memory: a run's newest proposal is the one shown, decided once, and
an applied decision re-pins the run to the saved fix under the same lock."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import cast

from mwo.store.abc import RepairStore, RunStore
from mwo.store.errors import Conflict, NotFound
from mwo.store.memory.state import MemoryBase, as_stored, utc
from mwo.store.records import RepairProposalRecord, RepairStatus, RunLease, RunRecord, RunStatus
from mwo.store.rules_repairs import NO_PROPOSAL_FIX, check_created_as, check_decision
from mwo.store.rules_runs import LIST_RUNS_FIX, lease_of_run


class MemoryRepairStore(MemoryBase, RepairStore):
    def create_repair_proposal(
        self, proposal: RepairProposalRecord, now: datetime, *, lease: RunLease | None = None
    ) -> RepairProposalRecord:
        check_created_as(proposal.status)
        with self._state.lock:
            self._run(proposal.run_id)
            if lease is not None:
                cast(RunStore, self).check_run_lease(lease_of_run(lease, proposal.run_id))
            if proposal.status is RepairStatus.PENDING and self._newest(proposal.run_id, pending=True):
                raise Conflict(
                    f"run {proposal.run_id} already has a repair waiting for a decision",
                    fix=f"approve or reject it first: `mwo repair {proposal.run_id[:8]} --approve`",
                )
            repair_id = self._state.next_id("repair")
            stored = replace(
                proposal,
                id=repair_id,
                created_at=utc(now),
                error=as_stored(proposal.error),
                input=as_stored(proposal.input),
                findings=as_stored(list(proposal.findings)),
                new_version_id=None,
                decided_by=None,
                decided_at=None,
                comment=None,
            )
            self._state.repairs[repair_id] = stored
            return stored

    def get_repair_proposal(self, run_id: str) -> RepairProposalRecord:
        with self._state.lock:
            newest = self._newest(run_id)
        if newest is None:
            raise NotFound(f"run {run_id} has no repair proposal", fix=NO_PROPOSAL_FIX)
        return newest

    def list_pending_repairs(self) -> list[RepairProposalRecord]:
        with self._state.lock:
            waiting = {i for i, run in self._state.runs.items() if run.status is RunStatus.WAITING_REPAIR}
            pending = [
                p
                for p in self._state.repairs.values()
                if p.status is RepairStatus.PENDING and p.run_id in waiting
            ]
        return sorted(pending, key=lambda p: (p.created_at, p.id))

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
        with self._state.lock:
            run = self._run(run_id)
            if lease is not None:
                cast(RunStore, self).check_run_lease(lease_of_run(lease, run_id))
            newest = self._newest(run_id)
            if newest is None:
                raise NotFound(f"run {run_id} has no repair proposal", fix=NO_PROPOSAL_FIX)
            if newest.status is not RepairStatus.PENDING:
                raise Conflict(
                    f"the repair of step {newest.step_id!r} in run {run_id} is already {newest.status.value}"
                    + (f" by {newest.decided_by}" if newest.decided_by else ""),
                    fix="a decision is final; `mwo retry RUN` starts the run again",
                )
            if status.applied:
                self._repin(run, new_version_id)
            assert newest.id is not None  # every stored proposal has one
            decided = replace(
                newest,
                status=status,
                decided_by=by,
                decided_at=utc(now),
                comment=comment,
                new_version_id=new_version_id if status.applied else None,
            )
            self._state.repairs[newest.id] = decided
            return decided

    def _newest(self, run_id: str, *, pending: bool = False) -> RepairProposalRecord | None:
        mine = [
            p
            for p in self._state.repairs.values()
            if p.run_id == run_id and (not pending or p.status is RepairStatus.PENDING)
        ]
        return max(mine, key=lambda p: p.id or 0, default=None)

    def _repin(self, run: RunRecord, version_id: int | None) -> None:
        """Point the run at the saved fix: a version of the run's own workflow."""
        version = None if version_id is None else self._state.versions.get(version_id)
        if version is None or version.workflow_id != run.workflow_id:
            raise NotFound(
                f"no version with id {version_id} of the workflow of run {run.id}",
                fix="save the fix as a version of the run's workflow first",
            )
        self._state.runs[run.id] = replace(run, version_id=version.id, version_number=version.number)

    def _run(self, run_id: str) -> RunRecord:
        run = self._state.runs.get(run_id)
        if run is None:
            raise NotFound(f"no run with id {run_id!r}", fix=LIST_RUNS_FIX)
        return run

"""Run-time repair of a failed step, for the run service: ask the repairer, record the proposal, and
act on the decision (a person's, or `repair: auto`).

The run's LangGraph checkpoint is left as the failure left it: the failed step is the thread's next
task. Applying a fix saves the workflow with only that step changed as a new version (the `mwo apply`
path), re-pins the run to it, and the run service invokes the new version's graph on the same thread:
LangGraph runs the failed step again (now the fixed one) and what follows, the earlier steps'
outputs kept in the checkpoint. Each step-run row records the version it ran with.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from enum import Enum
from typing import Any, Protocol

from mwo.engine.errors import RunCancelled, RunStateError, StepAborted
from mwo.engine.repair import (
    RepairOutcome,
    RepairRequest,
    RepairWiring,
    is_repairable,
    proposed_spec,
    source_diff,
    step_source,
)
from mwo.errors import FixableError
from mwo.spec import PythonScriptStep, RepairMode, SpecError, StepBase, Workflow, parse_workflow
from mwo.store.abc import RepairStore, RunStore, WorkflowStore
from mwo.store.errors import LeaseLost, NotFound
from mwo.store.records import (
    LogLevel,
    RepairProposalRecord,
    RepairStatus,
    RunLease,
    RunRecord,
    RunStatus,
    StepStatus,
    VersionRecord,
)

AUTO_DECIDER = "auto"
"""Who `decided_by` names when `repair: auto` applied a fix."""


class RepairVerdict(Enum):
    """What the run does after a failed step met the repair desk."""

    FAIL = "fail"
    """No repair (off, not repairable, nothing found): the run fails as it would have."""
    WAIT = "wait"
    """A fix is proposed: the run waits (waiting_repair) for a person."""
    APPLIED = "applied"
    """A fix was applied (auto): the run continues on the new version at once."""
    CANCELLED = "cancelled"
    """The run was cancelled while the repair ran."""


class WorkflowsRunsAndRepairs(WorkflowStore, RunStore, RepairStore, Protocol):
    """What the repair desk reads and writes: the versions (a fix is saved as the next one), the run,
    its step runs and lease, and the run's repair proposals."""


class RunRepairs:
    """The repair desk of one run service."""

    def __init__(
        self,
        store: WorkflowsRunsAndRepairs,
        wiring: RepairWiring | None,
        clock: Callable[[], datetime],
        owner: str,
    ) -> None:
        self._store = store
        self._wiring = wiring
        self._clock = clock
        self._owner = owner

    def after_failure(
        self,
        run: RunRecord,
        workflow: Workflow,
        aborted: StepAborted,
        run_error: dict[str, Any],
        lease: RunLease,
    ) -> RepairVerdict:
        """Look for a fix of the step that stopped the run, per the workflow's `settings.repair`.
        `run_error` is the run's error as recorded without repair (redacted); `lease` is the
        executor's: its log lines are fenced by it, and the run service's heartbeat keeps it while
        the repairer works (LeaseLost when another process took the run over meanwhile)."""
        mode = workflow.settings.repair
        step = workflow.step(aborted.step_id)
        if self._wiring is None or mode is RepairMode.OFF or not is_repairable(step, aborted.failure):
            return RepairVerdict.FAIL
        if self._repaired_before(run.id, step.id):
            self._log_for(
                lease,
                run,
                step.id,
                LogLevel.WARNING,
                "the step failed again after its repair; not repairing twice",
            )
            return RepairVerdict.FAIL
        self._log_for(
            lease,
            run,
            step.id,
            LogLevel.INFO,
            f"looking for a fix on the failing input (repair: {mode.value})",
        )
        request = RepairRequest(run.id, workflow, step, self._failing_input(run.id, step), run_error)
        try:
            outcome = self._run_repairer(request, lease)
        except RunCancelled:
            return RepairVerdict.CANCELLED
        if not outcome.fixed:
            self._record(request, outcome, RepairStatus.NOT_FIXED, lease)
            self._log_for(
                lease, run, step.id, LogLevel.WARNING, f"repair was tried and found no fix: {outcome.note}"
            )
            return RepairVerdict.FAIL
        proposal = self._record(request, outcome, RepairStatus.PENDING, lease)
        if mode is RepairMode.PROPOSE:
            self._log_for(
                lease,
                run,
                step.id,
                LogLevel.WARNING,
                f"a fix is proposed: review it with `mwo repair {run.id[:8]}`, then --approve or --reject",
            )
            return RepairVerdict.WAIT
        return self._apply_automatically(run, proposal, lease)

    def decide(self, run_id: str, status: RepairStatus, by: str, comment: str | None) -> RunRecord:
        """A person's decision on the run's proposed fix. Approved: the fix is saved as a new version
        and the run re-pinned to it (still waiting_repair until the run service executes it).
        Rejected: the run fails with the error it had before the repair."""
        run = self._store.get_run(run_id)
        if run.status is not RunStatus.WAITING_REPAIR:
            raise RunStateError(
                f"run {run.id} is {run.status.value}, not waiting for a repair decision",
                "list runs waiting for one with `mwo runs --status waiting_repair`",
            )
        proposal = self._store.get_repair_proposal(run.id)
        if status is RepairStatus.REJECTED:
            self._store.decide_repair(run.id, status, by, comment, self._clock())
            self._log(run, proposal.step_id, LogLevel.INFO, f"the proposed fix was rejected by {by}")
            return self._store.set_run_status(run.id, RunStatus.FAILED, self._clock(), error=proposal.error)
        version = self._save(run, proposal, None)  # a person's decision: not fenced
        self._store.decide_repair(run.id, status, by, comment, self._clock(), version.id)
        self._log(
            run,
            proposal.step_id,
            LogLevel.INFO,
            f"the fix was approved by {by} and saved as version {version.number}; "
            f"the run continues on it from step '{proposal.step_id}'",
        )
        return self._store.get_run(run.id)

    def finish_decided(self, run: RunRecord) -> RunRecord | None:
        """A waiting_repair run whose proposal was decided but not acted on (the deciding process
        stopped in between): a rejected one fails now; None when the run should be executed (the fix
        was applied) or still waits for a person."""
        proposal = self._store.get_repair_proposal(run.id)
        if proposal.status is RepairStatus.REJECTED:
            return self._store.set_run_status(run.id, RunStatus.FAILED, self._clock(), error=proposal.error)
        return None

    # --- helpers ------------------------------------------------------------------------------------

    def _run_repairer(self, request: RepairRequest, lease: RunLease) -> RepairOutcome:
        """The repairer (it may ask the model for minutes: the run service's heartbeat keeps the
        lease meanwhile); RunCancelled when the run was cancelled meanwhile, LeaseLost when another
        process took it over (nothing of the repair is recorded then)."""
        run_id, step_id = request.run_id, request.step.id

        def keep_going() -> None:
            if self._store.is_cancel_requested(run_id):
                raise RunCancelled(step_id)

        assert self._wiring is not None
        try:
            outcome = self._wiring.repairer.repair(request, keep_going)
        except RunCancelled:
            raise
        except Exception as exc:  # the repair boundary: a broken repairer must not strand the run
            outcome = RepairOutcome(None, note=f"the repair itself failed ({type(exc).__name__}: {exc})")
        self._store.check_run_lease(lease)
        keep_going()
        return outcome

    def _apply_automatically(
        self, run: RunRecord, proposal: RepairProposalRecord, lease: RunLease
    ) -> RepairVerdict:
        try:
            version = self._save(run, proposal, lease)
        except LeaseLost:  # another process runs the run now: nothing more is written from here
            raise
        except (SpecError, FixableError) as exc:  # refused by the checks or a newer version: a person looks
            self._log_for(
                lease,
                run,
                proposal.step_id,
                LogLevel.WARNING,
                f"the fix could not be applied ({exc}); it waits",
            )
            return RepairVerdict.WAIT
        self._store.decide_repair(
            run.id, RepairStatus.AUTO_APPLIED, AUTO_DECIDER, None, self._clock(), version.id, lease=lease
        )
        self._log_for(
            lease,
            run,
            proposal.step_id,
            LogLevel.WARNING,
            f"a fix was applied automatically (repair: auto) as version {version.number}; "
            f"the run continues on it from step '{proposal.step_id}' (`mwo repair {run.id[:8]}` shows it)",
        )
        return RepairVerdict.APPLIED

    def _save(
        self, run: RunRecord, proposal: RepairProposalRecord, lease: RunLease | None
    ) -> VersionRecord:
        """Save the proposed spec as the workflow's next version through the `mwo apply` path,
        unless the workflow got another version since the run's (that one would be overwritten);
        with `lease` (`repair: auto`) fenced like the decision that follows (LeaseLost, nothing saved)."""
        assert proposal.proposed_spec is not None
        fixed = parse_workflow(proposal.proposed_spec)
        latest = self._store.get_version(run.workflow_name)
        if latest.id != proposal.base_version_id and parse_workflow(latest.spec_yaml) != fixed:
            raise RunStateError(
                f"workflow {run.workflow_name} has changed since this run started (now version "
                f"{latest.number}); the fix was made for the run's version",
                f"reject it (`mwo repair {run.id[:8]} --reject`) and start a new run on the latest version",
            )
        message = f"repair of step {proposal.step_id} in run {run.id}"
        if self._wiring is None:  # a bare run service (tests): saved without the apply checks
            return self._store.save_version(fixed, proposal.proposed_spec, message, lease=lease)[0]
        return self._wiring.save_version(fixed, message, lease)

    def _record(
        self, request: RepairRequest, outcome: RepairOutcome, status: RepairStatus, lease: RunLease
    ) -> RepairProposalRecord:
        """The proposal (or the note that no fix was found), written only while `lease` holds."""
        step = request.step
        original = step_source(step)
        proposed = step_source(outcome.step) if outcome.step is not None else None
        base = self._store.get_run(request.run_id).version_id
        return self._store.create_repair_proposal(
            RepairProposalRecord(
                run_id=request.run_id,
                step_id=step.id,
                step_type=step.type.value,
                status=status,
                base_version_id=base,
                error=request.error,
                input=request.failing_input,
                original=original,
                proposed=proposed,
                proposed_spec=proposed_spec(request.workflow, outcome.step) if outcome.step else None,
                diff=source_diff(step.id, original, proposed) if proposed is not None else "",
                findings=outcome.findings,
                attempts=outcome.attempts,
                seconds=outcome.seconds,
                note=outcome.note,
                repair_id=outcome.repair_id,
            ),
            self._clock(),
            lease=lease,
        )

    def _repaired_before(self, run_id: str, step_id: str) -> bool:
        try:
            latest = self._store.get_repair_proposal(run_id)
        except NotFound:
            return False
        return latest.step_id == step_id and latest.status.applied

    def _failing_input(self, run_id: str, step: StepBase) -> Any:
        """The input of the step's last failed attempt as recorded (secret values masked)."""
        failed = [
            r
            for r in self._store.list_step_runs(run_id)
            if r.step_id == step.id and r.status is StepStatus.FAILED
        ]
        recorded = failed[-1].input if failed else None
        if isinstance(step, PythonScriptStep) and isinstance(recorded, dict):
            return recorded.get("inputs", {})
        return recorded

    def _log(self, run: RunRecord, step_id: str, level: LogLevel, message: str) -> None:
        self._store.add_log(run.id, step_id, level, message, self._clock())

    def _log_for(self, lease: RunLease, run: RunRecord, step_id: str, level: LogLevel, message: str) -> None:
        """A log line of the executor holding `lease` (refused with LeaseLost once it lost the run)."""
        self._store.add_log(run.id, step_id, level, message, self._clock(), lease=lease)


def awaits_repair_decision(store: RepairStore, run: RunRecord) -> bool:
    """Whether the run waits for a person's repair decision (so it must not be executed now)."""
    if run.status is not RunStatus.WAITING_REPAIR:
        return False
    try:
        return store.get_repair_proposal(run.id).status is RepairStatus.PENDING
    except NotFound:
        return False


__all__ = ["AUTO_DECIDER", "RepairVerdict", "RunRepairs", "awaits_repair_decision"]

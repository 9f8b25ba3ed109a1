"""RunService: start, resume, approve, reject, cancel, retry and recover runs (the engine's public face).

Order of truth (DESIGN.md): the run row exists (queued, pinned to a version) before the graph
starts; step rows are written around every step; the LangGraph thread (thread_id = run id) is how a
run continues after an approval, a failure or a crash of the process that was running it.
"""

from __future__ import annotations

import logging
import os
import socket
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any, Protocol

from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.types import Command

from mwo.clock import utc_now
from mwo.engine.checkpoints import PROOF_KEY, FencedCheckpointer
from mwo.engine.compiler import compile_workflow
from mwo.engine.errors import MissingSecrets, RunBusy, RunCancelled, RunError, RunStateError, StepAborted
from mwo.engine.executor import ExecutorRegistry
from mwo.engine.failures import FailureRecord
from mwo.engine.heartbeat import KeptLease, LeaseHeartbeat
from mwo.engine.inputs import resolve_inputs
from mwo.engine.redaction import Redactor
from mwo.engine.repair import RepairWiring
from mwo.engine.run_repairs import RepairVerdict, RunRepairs, awaits_repair_decision
from mwo.engine.scope import SecretsView
from mwo.engine.step_runner import RunContext, StepRunner
from mwo.engine.store_checkpointer import LEASE_KEY, STEPS_KEY, FinishedSteps, StoreCheckpointer
from mwo.errors import FailureKind
from mwo.llm.tracing import LangSmithWiring
from mwo.settings import Settings
from mwo.spec import (
    AbandonedRunPolicy,
    ApprovalStep,
    ApprovalTimeoutPolicy,
    StepType,
    Workflow,
    parse_workflow,
)
from mwo.store.abc import (
    ApprovalStore,
    InboxStore,
    OutboxStore,
    RepairStore,
    RunStore,
    SecretStore,
    WorkflowStore,
)
from mwo.store.errors import LeaseLost
from mwo.store.records import (
    ApprovalStatus,
    LogLevel,
    RepairStatus,
    RunFilter,
    RunLease,
    RunRecord,
    RunStatus,
    StepStatus,
    VersionRecord,
)

TRIGGERED_PREFIXES = ("event:", "file:", "schedule:", "webhook:")
"""Triggers of runs nobody starts by hand: a run of theirs is recorded even when it cannot start."""
_CANCELLED = "cancelled by request"
log = logging.getLogger(__name__)


def is_triggered(trigger: str) -> bool:
    """Whether `trigger` is a fire (schedule, webhook, event, watched file) rather than a person (CLI,
    API, UI, retry)."""
    return trigger.startswith(TRIGGERED_PREFIXES)


def default_owner() -> str:
    """Identifies this process as a lease holder."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class RunServiceStore(
    WorkflowStore, RunStore, ApprovalStore, SecretStore, InboxStore, RepairStore, OutboxStore, Protocol
):
    """What the run service reads and writes: versions, runs with their steps, logs and leases,
    approvals, the secrets a run reveals, the inbox (its step runner's executors post there),
    repair proposals (its repair desk's) and the outbox (its step runner's deliveries)."""


class RunService:
    """Runs workflow versions on LangGraph and keeps the store's run records true."""

    def __init__(
        self,
        store: RunServiceStore,
        registry: ExecutorRegistry,
        checkpointer: BaseCheckpointSaver[Any],
        settings: Settings,
        *,
        clock: Callable[[], datetime] = utc_now,
        sleep: Callable[[float], None] = time.sleep,
        owner: str | None = None,
        langsmith: LangSmithWiring | None = None,
        repair: RepairWiring | None = None,
        parsed: dict[int, Workflow] | None = None,
    ) -> None:
        """`parsed`: a parse cache (version id -> spec) to share with whoever else parses versions in
        this process (the services container), so each version is parsed once."""
        self._store = store
        self._registry = registry
        # Checkpoint writes of a run are fenced by its lease like the store's: in the store's own
        # transaction (StoreCheckpointer, which also writes the steps' rows), else checked before.
        self._checkpointer: BaseCheckpointSaver[Any] = (
            checkpointer
            if isinstance(checkpointer, StoreCheckpointer)
            else FencedCheckpointer(checkpointer, store)
        )
        self._settings = settings
        self._clock = clock
        self._owner = owner or default_owner()
        self._langsmith = langsmith if langsmith is not None else LangSmithWiring.from_env()
        self._runner = StepRunner(store, registry, settings, clock, sleep)
        self._heartbeat = LeaseHeartbeat(store, settings.run_lease_s, clock)
        self._graphs: dict[int, Any] = {}
        self._listeners: list[Callable[[RunRecord], None]] = []
        self._workflows: dict[int, Workflow] = parsed if parsed is not None else {}
        self._repairs = RunRepairs(store, repair, clock, self._owner)

    @property
    def owner(self) -> str:
        """The name this service holds run leases under (a server expires them when it stops)."""
        return self._owner

    @property
    def heartbeat(self) -> LeaseHeartbeat:
        """What keeps the leases of the runs this service drives alive while their steps run (one
        thread; `beat()` is one pass, for a test that moves the clock by hand)."""
        return self._heartbeat

    def close(self) -> None:
        """Stop keeping leases: runs still going here keep theirs only until they run out, so
        another process can take them over (a server expires them at once). Idempotent."""
        self._heartbeat.close()

    # --- starting -----------------------------------------------------------------------------------

    def create_run(
        self,
        name: str,
        inputs: Mapping[str, Any] | None = None,
        *,
        trigger: str = "manual",
        version: int | None = None,
    ) -> RunRecord:
        """A queued run of the latest (or given) version, inputs checked; nothing executes yet."""
        record = self._store.get_version(name, version)
        workflow = self.workflow_of(record)
        self._check_supported(workflow)
        if not is_triggered(trigger):  # a person is there to read the refusal; a fire fails its run
            self._require_secrets(workflow)
        resolved = resolve_inputs(workflow, inputs or {})
        return self._store.create_run(record.id, resolved, trigger, self._clock())

    def start(
        self,
        name: str,
        inputs: Mapping[str, Any] | None = None,
        *,
        trigger: str = "manual",
        version: int | None = None,
    ) -> RunRecord:
        """Create a run and execute it here until it finishes or waits for an approval."""
        run = self.create_run(name, inputs, trigger=trigger, version=version)
        return self._execute(run, None)

    def execute(self, run_id: str, resume: Any = None) -> RunRecord:
        """Drive the run from where its checkpoint left it (the start, a failure, an approval)."""
        return self._execute(self._store.get_run(run_id), resume)

    def _execute(self, run: RunRecord, resume: Any) -> RunRecord:
        if run.status.is_final:
            raise RunStateError(
                f"run {run.id} is already {run.status.value}", "start a new one with `mwo retry RUN`"
            )
        if awaits_repair_decision(self._store, run):
            raise RunStateError(
                f"run {run.id} waits for a decision on the fix proposed for its failed step",
                f"review it with `mwo repair {run.id[:8]}`, then --approve or --reject",
            )
        now = self._clock()
        until = now + timedelta(seconds=self._settings.run_lease_s)
        lease = self._store.acquire_run_lease(run.id, self._owner, until, now)
        if lease is None:
            raise RunBusy(
                f"run {run.id} is being executed by {run.acquired_by}",
                "wait for it, or cancel it with `mwo cancel RUN`",
            )
        kept = self._heartbeat.keep(lease, until)
        released = False
        try:
            result = self._drive(run, resume, kept)
            released = result.status.is_final  # the final status's write let go of the lease
        except LeaseLost as lost:
            return self._gave_up(lost)
        finally:
            self._heartbeat.drop(kept)
            if not released:
                self._store.release_run(run.id, self._owner, token=lease.token)
        self._announce(result)
        return result

    def _gave_up(self, lost: LeaseLost) -> RunRecord:
        """This process lost the run to another (it was paused or cut off past its lease): it stops
        without writing anything more, and says so in its own log; the run is the new holder's."""
        log.warning("stopped executing run %s here: %s", lost.run_id, lost.message)
        return self._store.get_run(lost.run_id)

    def on_finished(self, listener: Callable[[RunRecord], None]) -> None:
        """Call `listener` with every run this service brings to a final state (event triggers)."""
        self._listeners.append(listener)

    def _announce(self, run: RunRecord) -> None:
        if run.status.is_final:
            for listener in self._listeners:
                listener(run)

    # --- people's decisions ---------------------------------------------------------------------------

    def approve(self, run_id: str, by: str, comment: str | None = None) -> RunRecord:
        return self._decide(run_id, ApprovalStatus.APPROVED, by, comment)

    def reject(self, run_id: str, by: str, comment: str | None = None) -> RunRecord:
        return self._decide(run_id, ApprovalStatus.REJECTED, by, comment)

    def cancel(self, run_id: str) -> RunRecord:
        """Flag the run (`run_id` or a unique prefix, as everywhere); a run nobody is executing
        (queued, waiting) is cancelled at once."""
        run = self._store.request_cancel(self._store.get_run(run_id).id)
        waiting = (RunStatus.QUEUED, RunStatus.WAITING_APPROVAL, RunStatus.WAITING_REPAIR)
        if run.status in waiting or self._abandoned(run):
            run = self._store.set_run_status(
                run.id,
                RunStatus.CANCELLED,
                self._clock(),
                error=FailureRecord(FailureKind.CANCELLED, _CANCELLED).as_dict(),
            )
        return run

    def retry(self, run_id: str, *, from_failed: bool = False) -> RunRecord:
        """Run again: the whole version as a new run, or (from_failed) the failed step onwards."""
        return self.execute(self.prepare_retry(run_id, from_failed=from_failed).id)

    def prepare_retry(self, run_id: str, *, from_failed: bool = False) -> RunRecord:
        """The queued run a retry executes (a new run, or the failed run reopened), without executing
        it: the API answers at once and hands `execute(run.id)` to its worker pool."""
        run = self._store.get_run(run_id)
        self._require_secrets(self.workflow_of(self._store.get_version_by_id(run.version_id)))
        if not from_failed:
            return self._store.create_run(run.version_id, run.inputs, "retry", self._clock(), retry_of=run.id)
        if run.status is not RunStatus.FAILED:
            raise RunStateError(
                f"run {run.id} is {run.status.value}, not failed",
                "use `mwo retry RUN` (without --from-failed) to run it again",
            )
        return self._store.reopen_run(run.id, self._clock())

    def recover(self) -> list[RunRecord]:
        """Resume runs whose owner died, runs whose approval was decided but not yet acted on (the
        deciding process died in between), and apply time-out policies of expired approvals."""
        taken = (self.take_over(run) for run in self._store.reap_abandoned_runs(self._clock()))
        return [run for run in taken if run is not None] + self.recover_waiting()

    def take_over(self, run: RunRecord) -> RunRecord | None:
        """Take over one run `Store.reap_abandoned_runs` returned: cancel it, fail it or resume it,
        per its cancel flag and `on_abandoned`. None when another process took it first or it ended
        meanwhile (the list is a snapshot), so one busy run never stops a recovery pass."""
        try:
            return self._recover_one(run)
        except (RunBusy, RunStateError):
            return None

    def recover_waiting(self) -> list[RunRecord]:
        """The part of `recover` that is not abandoned runs: decided approvals and repairs nobody
        acted on, and the time-out policies of expired approvals."""
        results = self._resume_decided()
        results.extend(self._resume_repaired())
        results.extend(self._expire_approvals())
        return results

    def _resume_decided(self) -> list[RunRecord]:
        waiting = self._store.list_runs(RunFilter(statuses=(RunStatus.WAITING_APPROVAL,), limit=10_000))
        pending = {a.run_id for a in self._store.list_pending_approvals()}
        return [
            self.execute(run.id, resume={"decision": "recovered"}) for run in waiting if run.id not in pending
        ]

    # --- repairs of failed steps ---------------------------------------------------------------------

    def approve_repair(self, run_id: str, by: str, comment: str | None = None) -> RunRecord:
        """Save the fix proposed for the run's failed step as a new version and continue the run on it
        from that step."""
        run = self.decide_repair(run_id, RepairStatus.APPROVED, by, comment)
        return self.execute(run.id)

    def reject_repair(self, run_id: str, by: str, comment: str | None = None) -> RunRecord:
        """Refuse the proposed fix: the run fails with the error it had before the repair."""
        return self.decide_repair(run_id, RepairStatus.REJECTED, by, comment)

    def decide_repair(
        self, run_id: str, status: RepairStatus, by: str, comment: str | None = None
    ) -> RunRecord:
        """Record a decision on the run's proposed fix without executing the run: approved, the fix
        is saved and the run re-pinned to it (`execute(run.id)` continues it; the API does that on its
        workers, `recover()` if that never happens); rejected, the run fails."""
        run = self._repairs.decide(run_id, status, by, comment)
        self._announce(run)
        return run

    def _resume_repaired(self) -> list[RunRecord]:
        waiting = self._store.list_runs(RunFilter(statuses=(RunStatus.WAITING_REPAIR,), limit=10_000))
        results = []
        for run in waiting:
            if awaits_repair_decision(self._store, run):
                continue
            finished = self._repairs.finish_decided(run)
            results.append(finished if finished is not None else self.execute(run.id))
        return results

    def _require_secrets(self, workflow: Workflow) -> None:
        """MissingSecrets when `workflow` needs secrets that are not set (saving allows it, a run not)."""
        from mwo.engine.preflight import require_secrets

        require_secrets(workflow, self._store.list_secret_names)

    def _refuse_without_secrets(
        self, run: RunRecord, workflow: Workflow, lease: RunLease
    ) -> RunRecord | None:
        """A queued run about to start whose workflow's secrets are not all set fails at once, its
        error saying which and the `mwo secrets set` fix: a scheduled, webhook or event fire is not
        lost (its run is there to read and to retry once the secret is set) and no step runs half."""
        try:
            self._require_secrets(workflow)
        except MissingSecrets as missing:
            error = FailureRecord(FailureKind.MISSING_SECRETS, missing.message, missing.fix).as_dict()
            self._store.add_log(
                run.id,
                None,
                LogLevel.ERROR,
                f"{missing.message}; fix: {missing.fix}",
                self._clock(),
                lease=lease,
            )
            return self._store.set_run_status(
                run.id, RunStatus.FAILED, self._clock(), error=error, lease=lease
            )
        return None

    def _after_abort(
        self,
        run: RunRecord,
        workflow: Workflow,
        aborted: StepAborted,
        redactor: Redactor,
        kept: KeptLease,
    ) -> RunRecord:
        """A step stopped the run: repair it when the workflow says so, else fail (or cancel) the run."""
        lease = kept.lease
        stopped = aborted.failure.kind in (FailureKind.REJECTED, FailureKind.CANCELLED)
        error = redactor.tree(aborted.as_dict())
        verdict = (
            RepairVerdict.FAIL
            if stopped
            else self._repairs.after_failure(run, workflow, aborted, error, lease)
        )
        if verdict is RepairVerdict.WAIT:
            return self._store.set_run_status(run.id, RunStatus.WAITING_REPAIR, self._clock(), lease=lease)
        if verdict is RepairVerdict.APPLIED:  # re-pinned: the new version's graph, same thread
            return self._drive(self._store.get_run(run.id), None, kept)
        if verdict is RepairVerdict.CANCELLED:
            cancelled = FailureRecord(FailureKind.CANCELLED, _CANCELLED, step=aborted.step_id).as_dict()
            return self._store.set_run_status(
                run.id, RunStatus.CANCELLED, self._clock(), error=cancelled, lease=lease
            )
        status = RunStatus.CANCELLED if stopped else RunStatus.FAILED
        return self._store.set_run_status(run.id, status, self._clock(), error=error, lease=lease)

    # --- helpers --------------------------------------------------------------------------------------

    def workflow_of(self, version: VersionRecord) -> Workflow:
        if version.id not in self._workflows:
            self._workflows[version.id] = parse_workflow(version.spec_yaml)
        return self._workflows[version.id]

    def _drive(self, run: RunRecord, resume: Any, kept: KeptLease) -> RunRecord:
        """Run the graph under `kept.lease`: every write for the run carries it (LeaseLost once lost);
        the heartbeat keeps it alive meanwhile, whatever a step or the repair desk takes."""
        lease = kept.lease
        workflow, graph = self._compiled(run.version_id)
        config: Any = {
            "configurable": {"thread_id": run.id, LEASE_KEY: lease},
            "run_name": f"workflow:{workflow.name}",
        }
        fresh = run.status is RunStatus.QUEUED and run.started_at is None
        if fresh:
            refused = self._refuse_without_secrets(run, workflow, lease)
            if refused is not None:
                return refused
        resumed = not fresh and self._checkpointer.get_tuple(config) is not None
        run = self._store.set_run_status(run.id, RunStatus.RUNNING, self._clock(), lease=lease)
        redactor = Redactor()
        if self._langsmith is not None:  # the whole run, each step and each LLM call, secrets masked
            config["callbacks"] = [self._langsmith.tracer(redactor.text)]
        rc = RunContext(run, workflow, kept, redactor, SecretsView(self._store, redactor), resumed)
        if isinstance(self._checkpointer, StoreCheckpointer):
            rc.finished = FinishedSteps()  # succeeded steps' rows go with their checkpoint
            config["configurable"][STEPS_KEY] = rc.finished
        rc.lease_proof.fresh = True  # RUNNING was just written under the lease: covers the first checkpoint
        config["configurable"][PROOF_KEY] = rc.lease_proof
        rc.deadline = self._clock() + timedelta(seconds=workflow.settings.timeout_s)
        kept.stop_at = rc.deadline  # a step hung past the run's time limit stops being kept alive
        if not run.cancel_requested:  # as read by the RUNNING write just now: the first step needn't
            rc.cancel_checked_at = self._clock()
        graph_input: Any = (
            Command(resume=resume) if resume is not None else (None if resumed else {"outputs": {}})
        )
        try:
            try:
                result = graph.invoke(graph_input, config, context=rc, durability="sync")
            finally:
                if rc.finished is not None and isinstance(self._checkpointer, StoreCheckpointer):
                    self._checkpointer.write_finished(lease, rc.finished)  # rows no checkpoint took
        except StepAborted as aborted:
            return self._after_abort(run, workflow, aborted, redactor, kept)
        except RunCancelled as cancelled:
            return self._store.set_run_status(
                run.id,
                RunStatus.CANCELLED,
                self._clock(),
                error=FailureRecord(FailureKind.CANCELLED, str(cancelled), step=cancelled.step_id).as_dict(),
                lease=lease,
            )
        if rc.waiting or result.get("__interrupt__"):
            return self._store.set_run_status(run.id, RunStatus.WAITING_APPROVAL, self._clock(), lease=lease)
        return self._store.set_run_status(
            run.id,
            RunStatus.SUCCEEDED,
            self._clock(),
            output=redactor.tree(result.get("outputs", {})),
            lease=lease,
        )

    def _compiled(self, version_id: int) -> tuple[Workflow, Any]:
        """The version's workflow and graph, compiled once per process (versions never change)."""
        if version_id not in self._graphs:
            workflow = self.workflow_of(self._store.get_version_by_id(version_id))
            self._graphs[version_id] = compile_workflow(workflow, self._runner, self._checkpointer)
        return self._workflows[version_id], self._graphs[version_id]

    def _check_supported(self, workflow: Workflow) -> None:
        missing = sorted(
            {StepType(s.type).value for s in workflow.steps} - {t.value for t in self._registry.supported()}
        )
        if missing:
            raise RunError(
                f"this installation cannot run {', '.join(missing)} steps yet",
                "see `mwo doctor` for which step types are available",
            )

    def _decide(self, run_id: str, status: ApprovalStatus, by: str, comment: str | None) -> RunRecord:
        run = self.decide(run_id, status, by, comment)
        return self.resume_decided(run.id, status, by)

    def decide(self, run_id: str, status: ApprovalStatus, by: str, comment: str | None = None) -> RunRecord:
        """Record a person's decision on the run's waiting approval without acting on it (the run
        stays waiting_approval); `resume_decided` continues it. The API does the second half on its
        worker pool; if that never happens, `recover()` resumes decided runs."""
        run = self._store.get_run(run_id)
        if run.status is not RunStatus.WAITING_APPROVAL:
            raise RunStateError(
                f"run {run.id} is {run.status.value}, not waiting for approval",
                "list runs waiting for approval with `mwo runs --status waiting_approval`",
            )
        self._check_approver(run, by)
        self._store.decide_approval(run.id, status, by, comment, self._clock())
        return run

    def resume_decided(self, run_id: str, status: ApprovalStatus, by: str) -> RunRecord:
        """Continue a run after `decide`: approved runs go on, rejected ones stop."""
        return self.execute(run_id, resume={"decision": status.value, "by": by})

    def _check_approver(self, run: RunRecord, by: str) -> None:
        """Only the step's `approvers` (when it names any) may decide."""
        pending = [a for a in self._store.list_pending_approvals() if a.run_id == run.id]
        workflow, _ = self._compiled(run.version_id)
        for approval in pending:
            step = workflow.step(approval.step_id)
            if isinstance(step, ApprovalStep) and step.approvers and by not in step.approvers:
                raise RunStateError(
                    f"{by} may not decide step '{step.id}' of run {run.id}",
                    f"it is for: {', '.join(step.approvers)} (pass --by with one of them)",
                )

    def _abandoned(self, run: RunRecord) -> bool:
        return run.acquired_until is None or run.acquired_until < self._clock()

    def _recover_one(self, run: RunRecord) -> RunRecord:
        if run.cancel_requested:
            return self._store.set_run_status(
                run.id,
                RunStatus.CANCELLED,
                self._clock(),
                error=FailureRecord(FailureKind.CANCELLED, _CANCELLED).as_dict(),
            )
        workflow, _ = self._compiled(run.version_id)
        if run.status is RunStatus.RUNNING and workflow.settings.on_abandoned is AbandonedRunPolicy.FAIL:
            return self._fail_abandoned(run)
        return self.execute(run.id)

    def _fail_abandoned(self, run: RunRecord) -> RunRecord:
        """`on_abandoned: fail`: end the run (and its interrupted attempt) as failed under our lease,
        so exactly one reaper does it; `mwo retry RUN --from-failed` continues it later."""
        now = self._clock()
        lease = self._store.acquire_run_lease(run.id, self._owner, now + timedelta(seconds=60), now)
        if lease is None:
            return self._store.get_run(run.id)  # another reaper took it first
        try:
            interrupted = [r for r in self._store.list_step_runs(run.id) if r.status is StepStatus.RUNNING]
            error = FailureRecord(
                FailureKind.ABANDONED,
                f"the process running it ({run.acquired_by or 'unknown'}) stopped during the run",
                "check what the interrupted step did, then `mwo retry RUN --from-failed` continues it",
                step=interrupted[-1].step_id if interrupted else None,
            )
            for row in interrupted:
                attempt = replace(error, type=FailureKind.INTERRUPTED, step=None)
                self._store.finish_step(row.id, StepStatus.FAILED, now, error=attempt.as_dict(), lease=lease)
            failed = self._store.set_run_status(
                run.id, RunStatus.FAILED, now, error=error.as_dict(), lease=lease
            )
        except LeaseLost as lost:
            return self._gave_up(lost)
        finally:
            self._store.release_run(run.id, self._owner, token=lease.token)
        self._announce(failed)
        return failed

    def _expire_approvals(self) -> list[RunRecord]:
        now = self._clock()
        results = []
        for approval in self._store.list_pending_approvals():
            if approval.expires_at is None or approval.expires_at > now:
                continue
            run = self._store.get_run(approval.run_id)
            step = self.workflow_of(self._store.get_version_by_id(run.version_id)).step(approval.step_id)
            policy = step.on_timeout if isinstance(step, ApprovalStep) else ApprovalTimeoutPolicy.REJECT
            status = {
                ApprovalTimeoutPolicy.APPROVE: ApprovalStatus.APPROVED,
                ApprovalTimeoutPolicy.REJECT: ApprovalStatus.REJECTED,
                ApprovalTimeoutPolicy.FAIL: ApprovalStatus.EXPIRED,
            }[policy]
            self._store.decide_approval(run.id, status, "timeout", "no answer in time", now)
            results.append(self.execute(run.id, resume={"decision": status.value, "by": "timeout"}))
        return results

"""Runs one step of one run: rows before and after, retries by policy, cancel checks, redaction.

This is the engine's contract with the store (DESIGN.md, "How a run flows"): the step-run row is
written before the executor's side effects and updated after; each attempt is its own row.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

import jsonschema
from langgraph.errors import GraphInterrupt

from mwo.engine.checkpoints import LeaseProof
from mwo.engine.delivery import NOT_TRACKED, Deliveries, DeliveryPlan, StepDelivery
from mwo.engine.errors import RunCancelled, StepAborted
from mwo.engine.executor import ExecutorRegistry, StepContext
from mwo.engine.failures import FailureRecord, StepFailed
from mwo.engine.heartbeat import KeptLease
from mwo.engine.redaction import Redactor
from mwo.engine.scope import SecretsView, build_scope
from mwo.engine.store_checkpointer import FinishedSteps
from mwo.errors import FailureKind
from mwo.settings import Settings
from mwo.spec import OnFailure, RetryPolicy, StepBase, StepType, Templates, Workflow
from mwo.store.abc import InboxStore, OutboxStore, RunStore
from mwo.store.errors import LeaseLost, StoreUnavailable
from mwo.store.records import (
    DeliveryIntent,
    FinishedAttempt,
    LogLevel,
    RunLease,
    RunRecord,
    StepRunRecord,
    StepStatus,
)


@dataclass
class RunContext:
    """Per-execution facts handed to every node (LangGraph runtime context, never checkpointed)."""

    run: RunRecord
    workflow: Workflow
    kept: KeptLease
    """The executor's hold on the run (`kept.lease`): every write for the run carries it (refused
    once lost); the run service's heartbeat keeps it alive while a step runs."""
    redactor: Redactor
    secrets: SecretsView
    resumed: bool
    """True when continuing from a checkpoint: earlier rows of a step must be looked at."""
    lease_proof: LeaseProof = field(default_factory=LeaseProof)
    """Set once this step's row is written under the lease: its checkpoint writes need no check."""
    finished: FinishedSteps | None = None
    """Where a succeeded attempt's row waits for the checkpoint that follows it (one transaction,
    see StoreCheckpointer); None: rows are written at once."""
    cancel_checked_at: datetime | None = None
    deadline: datetime | None = None
    """When this stretch of execution must end (settings.timeout_s after it began; waiting for an
    approval does not count)."""
    waiting: list[str] = field(default_factory=list)

    @property
    def lease(self) -> RunLease:
        """The lease every write for the run carries (`kept.lease`)."""
        return self.kept.lease


class RunsAndInbox(RunStore, InboxStore, OutboxStore, Protocol):
    """What the step runner writes: attempts and log lines of runs, the inbox its executors post to,
    and the outbox of the attempts with an outside effect."""


class StepRunner:
    """Executes steps for the compiled graph's nodes."""

    def __init__(
        self,
        store: RunsAndInbox,
        registry: ExecutorRegistry,
        settings: Settings,
        clock: Callable[[], datetime],
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._store = store
        self._registry = registry
        self._settings = settings
        self._clock = clock
        self._sleep = sleep
        self._templates = Templates()
        self._deliveries = Deliveries(store, clock)

    def run_step(self, step: StepBase, outputs: Mapping[str, Any], rc: RunContext) -> Any:
        """Run `step` to success, or fail it for good (returning None under on_failure=continue)."""
        rc.lease_proof.fresh = False
        self._check_cancel(step.id, rc)
        self._keep_lease(rc)
        policy = self._policy(step, rc.workflow)
        attempt, reuse = self._first_attempt(step, rc)
        while True:
            try:
                return self._attempt(step, outputs, rc, attempt, reuse)
            except StepFailed as failure:
                reuse = None
                if attempt < policy.max_attempts and failure.retryable_under(policy.retry_on):
                    delay = policy.delay_before(attempt + 1)
                    self._log(
                        rc,
                        step.id,
                        LogLevel.WARNING,
                        f"attempt {attempt} failed ({failure.kind.value}); retrying in {delay:.1f}s",
                    )
                    self._sleep(delay)
                    self._check_cancel(step.id, rc)
                    self._keep_lease(rc)
                    attempt += 1
                    continue
                return self._give_up(step, rc, failure)

    def _attempt(
        self,
        step: StepBase,
        outputs: Mapping[str, Any],
        rc: RunContext,
        attempt: int,
        reuse: StepRunRecord | None,
    ) -> Any:
        executor = self._registry.for_step(step)
        attempt_row = _AttemptRow(self._store, rc, step, attempt, self._clock)
        plan = NOT_TRACKED
        if executor.side_effects:
            plan = self._deliveries.plan(step, rc.lease, attempt, rc.resumed or attempt > 1)
            if plan.replayed or plan.refusal is not None:
                return self._settled_before(step, rc, attempt_row, plan)
            attempt_row.open(reuse, plan.intent)
        if plan.note:
            self._log(rc, step.id, LogLevel.WARNING, plan.note)
        ctx = self._context(step, outputs, rc, attempt)
        ctx.delivery = attempt_row.delivery
        try:
            output = executor.execute(step, ctx)
            attempt_row.delivered(output)
            _check_output_shape(step, output)
        except GraphInterrupt:
            attempt_row.wait(ctx.rendered_input)
            rc.waiting.append(step.id)
            raise
        except LeaseLost:  # another process runs the step now: write nothing more (it would be refused)
            raise
        except StoreUnavailable:  # not the step's failure: the run continues from its last checkpoint
            raise
        except StepFailed as failure:
            attempt_row.close(StepStatus.FAILED, self._clock(), ctx.rendered_input, error=failure.as_dict())
            self._log(rc, step.id, LogLevel.ERROR, f"attempt {attempt} failed: {failure.message}")
            raise
        except Exception as exc:  # the step boundary: an executor bug must not leave a 'running' row
            bug = StepFailed(
                FailureKind.INTERNAL,
                f"{type(exc).__name__}: {exc}",
                "this is a bug in MWO; please report it with `mwo logs RUN`",
            )
            attempt_row.close(StepStatus.FAILED, self._clock(), ctx.rendered_input, error=bug.as_dict())
            raise bug from exc
        attempt_row.close(StepStatus.SUCCEEDED, self._clock(), ctx.rendered_input, output=output)
        rc.lease_proof.fresh = True  # the row above was written under the lease
        return output

    def _settled_before(
        self, step: StepBase, rc: RunContext, attempt_row: _AttemptRow, plan: DeliveryPlan
    ) -> Any:
        """The step's delivery was settled by an earlier attempt: return its receipt as the output
        (nothing is sent), or fail as the policy says (at_most_once after a crash)."""
        if plan.refusal is not None:
            attempt_row.close(StepStatus.FAILED, self._clock(), None, error=plan.refusal.as_dict())
            self._log(rc, step.id, LogLevel.ERROR, plan.refusal.message)
            raise plan.refusal
        self._log(rc, step.id, LogLevel.WARNING, plan.note or "already delivered: not sent again")
        try:
            _check_output_shape(step, plan.receipt)  # a receipt recorded before a failed check fails again
        except StepFailed as failure:
            attempt_row.close(StepStatus.FAILED, self._clock(), None, error=failure.as_dict())
            raise
        attempt_row.close(StepStatus.SUCCEEDED, self._clock(), None, output=plan.receipt)
        return plan.receipt

    def _context(
        self, step: StepBase, outputs: Mapping[str, Any], rc: RunContext, attempt: int
    ) -> StepContext:
        run = rc.run
        scope = build_scope(
            run.inputs,
            outputs,
            rc.secrets,
            {
                "id": run.id,
                "workflow": run.workflow_name,
                "version": run.version_number,
                "now": self._clock().isoformat(),
            },
        )
        ctx = StepContext(
            run_id=run.id,
            workflow=rc.workflow,
            attempt=attempt,
            scope=scope,
            templates=self._templates,
            settings=self._settings,
            inbox=self._store,
            log=lambda level, message: self._log(rc, step.id, level, message),
            now=self._clock,
            # A lost lease stops a long step too: another process runs it now (its writes are refused).
            is_cancelled=lambda: rc.kept.lost or self._store.is_cancel_requested(run.id),
            deadline=rc.deadline,
            redact=rc.redactor.text,
            lease=rc.lease,
        )
        ctx.current_step_id = step.id
        return ctx

    def _give_up(self, step: StepBase, rc: RunContext, failure: StepFailed) -> Any:
        on_failure = step.on_failure or rc.workflow.settings.on_failure
        stopped = failure.kind in (FailureKind.REJECTED, FailureKind.CANCELLED)  # never "continue"
        if on_failure is OnFailure.CONTINUE and not stopped:
            self._log(rc, step.id, LogLevel.WARNING, "step failed; continuing (on_failure: continue)")
            return None
        raise StepAborted(step.id, failure)

    def _first_attempt(self, step: StepBase, rc: RunContext) -> tuple[int, StepRunRecord | None]:
        """Attempt number to use, and a waiting approval row to reuse, after a resume."""
        if not rc.resumed:
            return 1, None
        rows = [r for r in self._store.list_step_runs(rc.run.id) if r.step_id == step.id]
        for row in rows:
            if row.status is StepStatus.RUNNING:
                self._store.finish_step(
                    row.id,
                    StepStatus.FAILED,
                    self._clock(),
                    error=FailureRecord(
                        FailureKind.INTERRUPTED,
                        "the process running this attempt stopped",
                        "none needed: the step was run again",
                    ).as_dict(),
                    lease=rc.lease,
                )
        waiting = next((r for r in rows if r.status is StepStatus.WAITING_APPROVAL), None)
        if waiting is not None:
            return waiting.attempt, waiting
        return (max((r.attempt for r in rows), default=0) + 1), None

    def _policy(self, step: StepBase, workflow: Workflow) -> RetryPolicy:
        if step.type is StepType.APPROVAL:
            return RetryPolicy(max_attempts=1)
        return step.retry or workflow.settings.retry

    def _check_cancel(self, step_id: str, rc: RunContext) -> None:
        """Stop before `step_id` if the run is out of time, or a cancel was requested (the flag is
        read at most every settings.cancel_poll_s)."""
        now = self._clock()
        if rc.deadline is not None and now > rc.deadline:
            limit = rc.workflow.settings.timeout_s
            raise StepAborted(
                step_id,
                StepFailed(
                    FailureKind.TIMEOUT,
                    f"the run went past its time limit of {limit:g} s before step '{step_id}'",
                    "raise `settings.timeout_s` in the workflow, or make the slow steps faster",
                ),
            )
        poll = timedelta(seconds=self._settings.cancel_poll_s)
        if rc.cancel_checked_at is not None and now - rc.cancel_checked_at < poll:
            return
        rc.cancel_checked_at = now
        if self._store.is_cancel_requested(rc.run.id):
            raise RunCancelled(step_id)

    def _keep_lease(self, rc: RunContext) -> None:
        """Before a step or attempt: LeaseLost when another process took the run over (this one was
        paused past its lease; the heartbeat may have found it already, then without a statement),
        else extend the lease once half of it is used. The heartbeat (`mwo.engine.heartbeat`) keeps
        it while a step runs; this keeps it, without a thread, along a chain of short steps, and
        follows the clock the run service was given."""
        kept = rc.kept
        now = self._clock()
        lease = timedelta(seconds=self._settings.run_lease_s)
        if kept.lost or (kept.until - now < lease / 2 and not kept.extend(self._store, now + lease)):
            raise LeaseLost(kept.lease.run_id, kept.lease.owner, kept.lease.token)

    def _log(self, rc: RunContext, step_id: str | None, level: LogLevel, message: str) -> None:
        self._store.add_log(
            rc.run.id, step_id, level, rc.redactor.text(message), self._clock(), lease=rc.lease
        )


class _AttemptRow:
    """The step-run row of one attempt: opened before a side effect, or written once at the end."""

    def __init__(
        self, store: RunsAndInbox, rc: RunContext, step: StepBase, attempt: int, clock: Callable[[], datetime]
    ) -> None:
        self._store = store
        self._rc = rc
        self._step = step
        self._attempt = attempt
        self._clock = clock
        self._started = clock()
        self._row: StepRunRecord | None = None
        self.delivery: StepDelivery | None = None
        """The attempt's outbox row, when its step's outside effect is tracked."""

    def open(self, reuse: StepRunRecord | None, intent: DeliveryIntent | None = None) -> None:
        """Write the row before the side effect; with an `intent`, the outbox row in the same
        transaction (`OutboxStore.start_delivery`)."""
        if reuse is not None:
            self._row = reuse
            return
        run, step = self._rc.run, self._step
        if intent is None:
            self._row = self._store.start_step(
                run.id,
                step.id,
                step.type.value,
                self._attempt,
                _config_of(step),
                self._started,
                version_id=run.version_id,
                lease=self._rc.lease,
            )
            return
        self._row, record = self._store.start_delivery(
            run.id,
            step.id,
            step.type.value,
            self._attempt,
            _config_of(step),
            self._started,
            intent,
            version_id=run.version_id,
            lease=self._rc.lease,
        )
        self.delivery = StepDelivery(self._store, record, self._rc.redactor.tree, self._clock, self._rc.lease)

    def delivered(self, output: Any) -> None:
        """The executor returned: record the receipt at once, before anything else can fail."""
        if self.delivery is not None:
            self.delivery.delivered(output)

    def wait(self, rendered_input: Any) -> None:
        row = self._require_open()
        self._store.finish_step(
            row.id,
            StepStatus.WAITING_APPROVAL,
            self._started,
            input=self._rc.redactor.tree(rendered_input),
            lease=self._rc.lease,
        )

    def close(
        self,
        status: StepStatus,
        now: datetime,
        rendered_input: Any,
        *,
        output: Any = None,
        error: dict[str, Any] | None = None,
    ) -> None:
        redact = self._rc.redactor.tree
        if self.delivery is not None and status is StepStatus.FAILED:
            self.delivery.failed(redact(error))
        if self._row is not None:
            self._store.finish_step(
                self._row.id,
                status,
                now,
                output=redact(output),
                error=redact(error),
                input=redact(rendered_input),
                lease=self._rc.lease,
            )
            return
        attempt = FinishedAttempt(
            self._rc.run.id,
            self._step.id,
            self._step.type.value,
            self._attempt,
            status,
            self._started,
            now,
            input=redact(rendered_input) if rendered_input is not None else _config_of(self._step),
            output=redact(output),
            error=redact(error),
            version_id=self._rc.run.version_id,
        )
        if status is StepStatus.SUCCEEDED and self._rc.finished is not None:
            self._rc.finished.add(attempt)  # written with the step's checkpoint
            return
        self._store.record_step(
            attempt.run_id,
            attempt.step_id,
            attempt.step_type,
            attempt.attempt,
            attempt.status,
            attempt.started_at,
            attempt.finished_at,
            input=attempt.input,
            output=attempt.output,
            error=attempt.error,
            version_id=attempt.version_id,
            lease=self._rc.lease,
        )

    def _require_open(self) -> StepRunRecord:
        if self._row is None:
            raise RuntimeError(
                f"step {self._step.id} paused without an open row: its executor must declare side_effects"
            )
        return self._row


def _config_of(step: StepBase) -> dict[str, Any]:
    """The step's configuration as written (templates unrendered, so no secret values)."""
    return step.model_dump(
        mode="json",
        by_alias=True,
        exclude_none=True,
        exclude={"id", "name", "description", "retry", "on_failure", "output", "next"},
    )


def _check_output_shape(step: StepBase, output: Any) -> None:
    if step.output is None:
        return
    try:
        jsonschema.validate(output, step.output)
    except jsonschema.ValidationError as exc:
        path = "/".join(str(p) for p in exc.absolute_path) or "(root)"
        raise StepFailed(
            FailureKind.OUTPUT_SHAPE,
            f"output does not match the declared shape at {path}: {exc.message}",
            "fix the step or its declared `output` schema",
        ) from None
    except jsonschema.SchemaError as exc:
        raise StepFailed(
            FailureKind.CONFIG,
            f"the declared `output` schema is invalid: {exc.message}",
            "write a valid JSON Schema under `output`",
        ) from None


__all__ = ["RunContext", "StepRunner"]

"""Run statistics per workflow and overall: how often runs succeed, how long they take, why they fail.

Computed from two narrow store reads (`StatsStore`), so the same figures reach the CLI, the API and
the UI. Durations are from a run's start to its end (queue time excluded); the 95th percentile uses
the nearest-rank method, which needs no interpolation and is exact on small samples.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable
from datetime import datetime

from pydantic import BaseModel

from mwo.store.abc import StatsStore
from mwo.store.records import RunOutcome, RunStatus, StepFailureCount

_FINISHED = (RunStatus.SUCCEEDED, RunStatus.FAILED, RunStatus.CANCELLED)


class DurationSummary(BaseModel):
    """Seconds from start to end of finished runs."""

    count: int
    mean_s: float | None
    p95_s: float | None
    max_s: float | None


class FailureCause(BaseModel):
    """Failed runs that ended on one step with one error type."""

    workflow: str
    step: str | None
    error_type: str
    runs: int


class StepFailures(BaseModel):
    """Failed attempts of one step with one error type, retried ones included."""

    workflow: str
    step: str
    step_type: str
    error_type: str
    attempts: int
    last_failed_at: datetime


class WorkflowStatistics(BaseModel):
    """The figures of one workflow (or of all together, with `workflow` None)."""

    workflow: str | None
    total: int
    by_status: dict[str, int]
    success_rate: float | None  # succeeded / finished; None before any run finished
    duration: DurationSummary
    last_run_at: datetime | None


class RunStatistics(BaseModel):
    """Overall figures, one row per workflow, and the causes of failures."""

    since: datetime | None
    overall: WorkflowStatistics
    workflows: list[WorkflowStatistics]
    failure_causes: list[FailureCause]
    failed_attempts: list[StepFailures]


def run_statistics(
    store: StatsStore, workflow_name: str | None = None, since: datetime | None = None
) -> RunStatistics:
    """Statistics of one workflow's runs (or all runs) created at or after `since`; NotFound for an
    unknown workflow."""
    outcomes = store.list_run_outcomes(workflow_name, since)
    by_workflow: dict[str, list[RunOutcome]] = defaultdict(list)
    for outcome in outcomes:
        by_workflow[outcome.workflow_name].append(outcome)
    return RunStatistics(
        since=since,
        overall=_summarise(workflow_name, outcomes),
        workflows=[_summarise(name, rows) for name, rows in sorted(by_workflow.items())],
        failure_causes=_failure_causes(outcomes),
        failed_attempts=[_step_failures(c) for c in store.count_step_failures(workflow_name, since)],
    )


def _summarise(workflow: str | None, outcomes: list[RunOutcome]) -> WorkflowStatistics:
    counts = Counter(o.status.value for o in outcomes)
    finished = sum(counts[s.value] for s in _FINISHED)
    return WorkflowStatistics(
        workflow=workflow,
        total=len(outcomes),
        by_status=dict(sorted(counts.items())),
        success_rate=counts[RunStatus.SUCCEEDED.value] / finished if finished else None,
        duration=_durations(o for o in outcomes if o.status in _FINISHED),
        last_run_at=max((o.created_at for o in outcomes), default=None),
    )


def _durations(outcomes: Iterable[RunOutcome]) -> DurationSummary:
    seconds = sorted(
        (o.finished_at - o.started_at).total_seconds()
        for o in outcomes
        if o.started_at is not None and o.finished_at is not None
    )
    if not seconds:
        return DurationSummary(count=0, mean_s=None, p95_s=None, max_s=None)
    rank = math.ceil(0.95 * len(seconds))  # nearest rank, 1-based
    return DurationSummary(
        count=len(seconds),
        mean_s=sum(seconds) / len(seconds),
        p95_s=seconds[rank - 1],
        max_s=seconds[-1],
    )


def _failure_causes(outcomes: list[RunOutcome]) -> list[FailureCause]:
    causes = Counter(
        (o.workflow_name, o.error_step, o.error_type or "unknown")
        for o in outcomes
        if o.status is RunStatus.FAILED
    )
    return [
        FailureCause(workflow=workflow, step=step, error_type=error_type, runs=runs)
        for (workflow, step, error_type), runs in sorted(
            causes.items(), key=lambda item: (-item[1], item[0][0], item[0][1] or "", item[0][2])
        )
    ]


def _step_failures(count: StepFailureCount) -> StepFailures:
    return StepFailures(
        workflow=count.workflow_name,
        step=count.step_id,
        step_type=count.step_type,
        error_type=count.error_type,
        attempts=count.attempts,
        last_failed_at=count.last_failed_at,
    )

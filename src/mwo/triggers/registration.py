"""Keeping a workflow's schedule in step with its latest version: a cron trigger registers (or
updates) the schedule, any other trigger removes it. Called when a version is applied."""

from __future__ import annotations

from datetime import datetime

from mwo.spec import CronTrigger, Workflow
from mwo.spec.errors import SpecErrorCode, SpecFinding
from mwo.store.abc import ScheduleStore
from mwo.store.records import ScheduleRecord, ScheduleSpec
from mwo.triggers.cron import CronSchedule
from mwo.triggers.errors import CronError
from mwo.triggers.policies import first_fire, jitter_delay


def schedule_spec(trigger: CronTrigger) -> ScheduleSpec:
    """The store's copy of a cron trigger."""
    return ScheduleSpec(
        cron=trigger.cron,
        timezone=trigger.timezone,
        misfire=trigger.misfire.value,
        overlap=trigger.overlap.value,
        catch_up_window_s=trigger.catch_up_window_s,
        jitter_s=trigger.jitter_s,
        start_at=trigger.start_at(),
        end_at=trigger.end_at(),
    )


def sync_schedule(store: ScheduleStore, workflow: Workflow, now: datetime) -> ScheduleRecord | None:
    """Register the workflow's cron trigger, or drop its schedule when it has none. The stored next
    fire is kept when only policies changed (`ScheduleStore.save_schedule`)."""
    trigger = workflow.trigger
    if not isinstance(trigger, CronTrigger):
        store.delete_schedule(workflow.name)
        return None
    spec = schedule_spec(trigger)
    cron = CronSchedule.parse(spec.cron, spec.timezone)
    next_at = first_fire(cron, now, spec.start_at, spec.end_at)
    due_at = None if next_at is None else next_at + jitter_delay(workflow.name, next_at, spec.jitter_s)
    return store.save_schedule(workflow.name, spec, next_at, due_at, now)


def schedule_findings(workflow: Workflow, now: datetime) -> list[SpecFinding]:
    """A cron trigger that passes the spec's checks but never fires (e.g. '0 0 31 2 *') as a finding,
    so applying it fails before anything is saved."""
    trigger = workflow.trigger
    if not isinstance(trigger, CronTrigger):
        return []
    try:
        first_fire(CronSchedule.parse(trigger.cron, trigger.timezone), now)
    except CronError as exc:
        return [SpecFinding(SpecErrorCode.SCHEMA, str(exc), exc.fix, field="trigger.cron")]
    return []


def upcoming_fires(trigger: CronTrigger, after: datetime, count: int) -> list[datetime]:
    """The trigger's next `count` fires after `after` within its start and end dates: the preview of
    a saved workflow, by the same `first_fire` the scheduler registers with."""
    cron = CronSchedule.parse(trigger.cron, trigger.timezone)
    start_at, end_at = trigger.start_at(), trigger.end_at()
    fires: list[datetime] = []
    cursor: datetime | None = after
    while cursor is not None and len(fires) < count:
        cursor = first_fire(cron, cursor, start_at, end_at)
        if cursor is not None:
            fires.append(cursor)
    return fires


def resume_schedule(store: ScheduleStore, workflow_name: str, now: datetime) -> ScheduleRecord:
    """Resume a paused schedule from `now`: fires during the pause are not caught up."""
    spec = store.get_schedule(workflow_name).spec
    next_at = first_fire(CronSchedule.parse(spec.cron, spec.timezone), now, spec.start_at, spec.end_at)
    due_at = None if next_at is None else next_at + jitter_delay(workflow_name, next_at, spec.jitter_s)
    return store.set_schedule_paused(workflow_name, False, now, next_at, due_at)

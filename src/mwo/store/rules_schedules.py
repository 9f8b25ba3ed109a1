"""What every store (SQL and memory) does the same with schedules: which of a schedule's settings
decide its fire times, the trigger of a fire's run, and the fix its errors point to."""

from __future__ import annotations

from mwo.store.records import ScheduleSpec

FIRE_TRIGGER_PREFIX = "schedule:"
LIST_SCHEDULES_FIX = "list schedules with `mwo schedule list`"


def fire_trigger(fire_id: int) -> str:
    """The `trigger` of the run started for a fire: how a reaper finds a run its claimer created."""
    return f"{FIRE_TRIGGER_PREFIX}{fire_id}"


def timing(spec: ScheduleSpec) -> tuple[object, ...]:
    """The settings that decide when a schedule fires: saving a schedule whose timing is unchanged
    keeps its stored next fire."""
    return (spec.cron, spec.timezone, spec.start_at, spec.end_at)

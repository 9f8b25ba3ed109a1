"""`/schedules`: cron schedules of saved workflows, their next fire times (by exactly the rules the
scheduler uses, DST included, as `mwo schedule preview` prints them), pause and resume."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Annotated

from fastapi import APIRouter, Query

from mwo.api.context import READ, WRITE, AppServices
from mwo.api.models import ApiModel
from mwo.api.problems import Problem
from mwo.spec import CronTrigger
from mwo.store.records import ScheduleRecord
from mwo.triggers import CronSchedule, next_fires
from mwo.triggers.registration import resume_schedule

Count = Annotated[int, Query(ge=1, le=1000, description="How many fire times.")]
After = Annotated[
    datetime | None, Query(description="An ISO instant with a zone to start from (default: now).")
]


class ScheduleOut(ApiModel):
    """A schedule as `mwo schedule list --json` shows it (times in UTC)."""

    workflow: str
    cron: str
    timezone: str
    misfire: str
    overlap: str
    catch_up_window_s: float
    jitter_s: float
    paused: bool
    enabled: bool
    next_fire_at: datetime | None

    @classmethod
    def of(cls, r: ScheduleRecord) -> ScheduleOut:
        return cls(
            workflow=r.workflow_name,
            cron=r.spec.cron,
            timezone=r.spec.timezone,
            misfire=r.spec.misfire,
            overlap=r.spec.overlap,
            catch_up_window_s=r.spec.catch_up_window_s,
            jitter_s=r.spec.jitter_s,
            paused=r.paused,
            enabled=r.enabled,
            next_fire_at=r.next_fire_at,
        )


class ScheduleList(ApiModel):
    schedules: list[ScheduleOut]


class ScheduleEnvelope(ApiModel):
    schedule: ScheduleOut


class Preview(ApiModel):
    cron: str
    timezone: str
    fires: list[datetime]


router = APIRouter(tags=["schedules"])


@router.get("/schedules", dependencies=[READ], summary="Every schedule with its stored next fire")
def list_schedules(services: AppServices) -> ScheduleList:
    return ScheduleList(schedules=[ScheduleOut.of(r) for r in services.store.list_schedules()])


@router.get("/schedules/preview", dependencies=[READ], summary="Next fire times of a cron expression")
def preview_expression(
    services: AppServices,
    cron: Annotated[str, Query(description='A cron expression, e.g. "0 9 * * *".')],
    count: Count = 10,
    after: After = None,
    tz: Annotated[str, Query(description="IANA time zone.")] = "UTC",
) -> Preview:
    return _preview(CronSchedule.parse(cron, tz), count, after or services.clock())


@router.get("/schedules/{name}/preview", dependencies=[READ], summary="Next fire times of a saved workflow")
def preview_workflow(name: str, services: AppServices, count: Count = 10, after: After = None) -> Preview:
    trigger = services.workflow_of(services.store.get_version(name)).trigger
    if not isinstance(trigger, CronTrigger):
        raise Problem(
            404,
            "No schedule",
            f"workflow {name!r} has a {trigger.type} trigger, not a cron schedule",
            code="no_schedule",
            fix="give it `trigger: {type: cron, cron: ..., timezone: ...}` and save it",
        )
    return _preview(CronSchedule.parse(trigger.cron, trigger.timezone), count, after or services.clock())


@router.post("/schedules/{name}/pause", dependencies=[WRITE], summary="Stop firing until resumed")
def pause(name: str, services: AppServices) -> ScheduleEnvelope:
    paused = services.store.set_schedule_paused(name, True, services.clock())
    return ScheduleEnvelope(schedule=ScheduleOut.of(paused))


@router.post(
    "/schedules/{name}/resume",
    dependencies=[WRITE],
    summary="Fire again from now (no catch-up of the pause)",
)
def resume(name: str, services: AppServices) -> ScheduleEnvelope:
    resumed = resume_schedule(services.store, name, services.clock())
    return ScheduleEnvelope(schedule=ScheduleOut.of(resumed))


def _preview(schedule: CronSchedule, count: int, after: datetime) -> Preview:
    if after.tzinfo is None:
        raise Problem(
            422,
            "Instant without a zone",
            f"after={after.isoformat()} has no time zone",
            code="bad_instant",
            fix="add Z or an offset, e.g. 2026-03-08T00:00:00Z",
        )
    try:
        fires = next_fires(schedule, after, count)
    except OverflowError:  # the fires run past year 9999 (or start before year 1)
        raise Problem(
            422,
            "Instant out of range",
            f"no fire times can be computed after {after.isoformat()}",
            code="bad_instant",
            fix="give an instant between the years 1970 and 9000",
        ) from None
    return Preview(
        cron=schedule.expression,
        timezone=schedule.timezone,
        fires=[f.astimezone(timezone.utc) for f in fires],
    )

"""A cron trigger's start and end dates: read in the trigger's time zone, stored with the schedule,
honoured by the scheduler, by the preview and across a round trip through YAML."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError

from mwo.spec import CronTrigger, dump_workflow, parse_workflow, workflow_from_data
from mwo.triggers.registration import upcoming_fires
from tests.integration.triggers.conftest import SchedulerEnv, cron_workflow

UTC = timezone.utc
SEOUL = ZoneInfo("Asia/Seoul")


def trigger(**fields: object) -> CronTrigger:
    return CronTrigger.model_validate(
        {"type": "cron", "cron": "0 9 * * *", "timezone": "Asia/Seoul", **fields}
    )


def test_dates_are_whole_days_in_the_trigger_zone_and_offsets_are_kept() -> None:
    t = trigger(start="2026-03-01", end="2026-03-03")
    assert t.start == date(2026, 3, 1)
    assert t.start_at() == datetime(2026, 3, 1, 0, 0, tzinfo=SEOUL)
    end = t.end_at()
    assert end is not None and end.date() == date(2026, 3, 3) and end.tzinfo == SEOUL
    assert end > datetime(2026, 3, 3, 23, 59, 59, tzinfo=SEOUL)  # the end day is included
    naive = trigger(start="2026-03-01T12:30").start_at()
    assert naive == datetime(2026, 3, 1, 12, 30, tzinfo=SEOUL)
    aware = trigger(start="2026-03-01T12:30:00Z").start_at()
    assert aware == datetime(2026, 3, 1, 12, 30, tzinfo=UTC)


def test_an_end_before_the_start_is_refused_with_the_fix() -> None:
    with pytest.raises(ValidationError, match="before its start"):
        trigger(start="2026-03-05", end="2026-03-01")


def test_the_preview_of_a_saved_trigger_stays_within_its_dates() -> None:
    t = trigger(start="2026-03-02", end="2026-03-04")
    fires = upcoming_fires(t, datetime(2026, 2, 1, tzinfo=UTC), 10)
    assert fires == [datetime(2026, 3, d, 9, 0, tzinfo=SEOUL) for d in (2, 3, 4)]
    assert upcoming_fires(t, datetime(2026, 3, 5, tzinfo=UTC), 10) == []


def test_dates_survive_the_yaml_round_trip() -> None:
    data = cron_workflow(cron="0 9 * * *", tz="Asia/Seoul", start="2026-03-02", end="2026-03-04T18:00")
    again = parse_workflow(dump_workflow(workflow_from_data(data)))
    assert isinstance(again.trigger, CronTrigger)
    assert again.trigger.start_at() == datetime(2026, 3, 2, tzinfo=SEOUL)
    assert again.trigger.end_at() == datetime(2026, 3, 4, 18, 0, tzinfo=SEOUL)


def test_the_scheduler_fires_only_between_start_and_end(sched: SchedulerEnv) -> None:
    data = cron_workflow(cron="0 9 * * *", tz="Asia/Seoul", start="2026-03-02", end="2026-03-03")
    registered_at = datetime(2026, 2, 20, tzinfo=UTC)
    sched.apply(data, registered_at)
    schedule = sched.services.store.get_schedule("hourly")
    assert schedule.spec.start_at == datetime(2026, 3, 2, tzinfo=SEOUL)
    assert schedule.next_fire_at == datetime(2026, 3, 2, 9, 0, tzinfo=SEOUL)
    scheduler = sched.scheduler()
    day = timedelta(days=1)
    for n in range(6):  # a tick a few seconds after each day's 09:00 from 1 to 6 March
        scheduler.tick(datetime(2026, 3, 1, 9, 0, 5, tzinfo=SEOUL) + n * day)
    assert sched.fire_times("hourly") == [datetime(2026, 3, d, 9, 0, tzinfo=SEOUL) for d in (2, 3)]
    assert sched.services.store.get_schedule("hourly").next_fire_at is None  # ended

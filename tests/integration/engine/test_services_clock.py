"""The services container reads one clock, the one it is given: apply stamps and schedules by it, runs
are created at its time (no part reads the wall clock behind its back)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from mwo.services import Services
from mwo.settings import Settings
from mwo.spec import workflow_from_data
from tests.clocks import ManualClock


def test_apply_and_runs_take_the_time_of_the_clock_passed_in(settings: Settings, clock: ManualClock) -> None:
    services = Services.open(settings, clock)
    try:
        services.applier.apply_workflow(
            workflow_from_data(
                {
                    "name": "daily",
                    "trigger": {"type": "cron", "cron": "30 6 * * *", "timezone": "UTC"},
                    "steps": [{"id": "noop", "type": "APPROVAL"}],
                }
            )
        )
        schedule = services.store.get_schedule("daily")
        clock.advance(timedelta(hours=2))
        run = services.runs.create_run("daily")
    finally:
        services.close()
    assert schedule.next_fire_at == datetime(2026, 11, 25, 6, 30, tzinfo=timezone.utc)
    assert schedule.created_at == datetime(2026, 11, 25, 0, 0, tzinfo=timezone.utc)
    assert run.created_at == datetime(2026, 11, 25, 2, 0, tzinfo=timezone.utc)

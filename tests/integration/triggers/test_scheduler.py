"""The scheduler on a real SQLite store with the clock passed in: exactly-once fires across three
schedulers, downtime catch-up per misfire policy, overlap policies, jitter, pause, crash takeover and
DST days."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone

import pytest

from mwo.services import Services
from mwo.spec import workflow_from_data
from mwo.store import Conflict, FireClaim, FireOutcome, RunStatus
from mwo.store.rules_schedules import fire_trigger
from tests.integration.triggers.conftest import SchedulerEnv, cron_workflow

UTC = timezone.utc
T0 = datetime(2026, 6, 1, 0, 0, tzinfo=UTC)
H = timedelta(hours=1)


def test_applying_a_version_registers_updates_and_removes_the_schedule(sched: SchedulerEnv) -> None:
    services = sched.services
    services.applier.apply_workflow(workflow_from_data(cron_workflow(cron="0 9 * * *", tz="Asia/Seoul")))
    first = services.store.get_schedule("hourly")
    assert first.next_fire_at is not None and first.next_fire_at.astimezone(UTC).hour == 0
    services.applier.apply_workflow(
        workflow_from_data(cron_workflow(cron="0 9 * * *", tz="Asia/Seoul", overlap="allow"))
    )
    again = services.store.get_schedule("hourly")
    assert (again.next_fire_at, again.spec.overlap) == (first.next_fire_at, "allow")
    manual = cron_workflow()
    del manual["trigger"]
    services.applier.apply_workflow(workflow_from_data(manual))
    assert services.store.list_schedules() == []


def test_a_fire_starts_one_run_and_a_second_tick_does_nothing(sched: SchedulerEnv) -> None:
    sched.apply(cron_workflow(), T0 - timedelta(minutes=5))
    scheduler = sched.scheduler()
    assert scheduler.tick(T0 - timedelta(seconds=1)).claimed == 0
    report = scheduler.tick(T0 + timedelta(seconds=2))
    assert (report.claimed, len(report.started)) == (1, 1)
    assert scheduler.tick(T0 + timedelta(seconds=3)).claimed == 0
    sched.deferred.run_all()
    (run,) = sched.runs("hourly")
    assert (run.status, run.trigger) == (
        RunStatus.SUCCEEDED,
        fire_trigger(sched.services.store.list_fires()[0].id),
    )
    assert sched.services.store.get_schedule("hourly").next_fire_at == T0 + H


@pytest.mark.slow
def test_three_schedulers_on_one_database_never_double_fire(sched: SchedulerEnv) -> None:
    for i in range(4):
        sched.apply(cron_workflow(f"wf{i}", cron=f"{i * 7} * * * *", overlap="allow"), T0 - H / 60)
    others = [Services.open(sched.services.settings) for _ in range(2)]
    schedulers = [sched.scheduler("s0"), *(sched.scheduler(f"s{i + 1}", s) for i, s in enumerate(others))]
    ticks = [T0 + timedelta(minutes=m) for m in range(0, 6 * 60, 1)]

    barrier = threading.Barrier(3)

    def drive(index: int) -> int:  # the three tick together at each simulated minute, as real ones would
        started = 0
        for now in ticks:
            barrier.wait()
            started += len(schedulers[index].tick(now).started)
        return started

    try:
        with ThreadPoolExecutor(3) as pool:
            started = sum(pool.map(drive, range(3)))
    finally:
        for s in others:
            s.close()
    runs = sched.runs()
    assert started == len(runs) == 4 * 6
    assert len({r.trigger for r in runs}) == len(runs)
    for i in range(4):
        assert sched.fire_times(f"wf{i}") == [T0 + timedelta(hours=h, minutes=i * 7) for h in range(6)]


@pytest.mark.parametrize(
    ("misfire", "window_s", "expected"),
    [
        ("skip", 3600, []),
        ("run_once", 3600, [T0 + 5 * H]),
        ("run_all", 3 * 3600 + 60, [T0 + 3 * H, T0 + 4 * H, T0 + 5 * H]),
    ],
)
def test_downtime_catch_up_follows_the_misfire_policy(
    sched: SchedulerEnv, misfire: str, window_s: float, expected: list[datetime]
) -> None:
    sched.apply(cron_workflow(misfire=misfire, catch_up_window_s=window_s, overlap="allow"), T0 - H / 2)
    scheduler = sched.scheduler()
    back = T0 + 6 * H - timedelta(minutes=10)  # down from before T0 until 05:50
    report = scheduler.tick(back)
    assert sched.fire_times("hourly") == expected
    assert len(report.started) == len(expected)
    assert report.dropped == 6 - len(expected)
    assert sched.services.store.get_schedule("hourly").next_fire_at == T0 + 6 * H


def test_overlap_skip_and_allow(sched: SchedulerEnv) -> None:
    sched.apply(cron_workflow("skips", overlap="skip"), T0 - H / 2)
    sched.apply(cron_workflow("allows", overlap="allow"), T0 - H / 2)
    scheduler = sched.scheduler()
    scheduler.tick(T0)  # both start a run that stays queued (not executed)
    report = scheduler.tick(T0 + H)
    assert (report.skipped, len(report.started)) == (1, 1)
    outcomes = {
        f.workflow_name: f.outcome for f in sched.services.store.list_fires() if f.fire_time == T0 + H
    }
    assert outcomes == {"skips": FireOutcome.SKIPPED, "allows": FireOutcome.STARTED}


def test_overlap_queue_waits_for_the_previous_run(sched: SchedulerEnv) -> None:
    sched.apply(cron_workflow(overlap="queue"), T0 - H / 2)
    scheduler = sched.scheduler()
    scheduler.tick(T0)
    assert scheduler.tick(T0 + H).waiting == 1
    assert scheduler.tick(T0 + H + timedelta(seconds=10)).waiting == 1
    sched.deferred.run_all()  # the first run finishes
    report = scheduler.tick(T0 + H + timedelta(seconds=20))
    assert len(report.started) == 1
    assert len(sched.runs("hourly")) == 2


def test_overlap_cancel_previous_cancels_then_starts(sched: SchedulerEnv) -> None:
    sched.apply(cron_workflow(overlap="cancel_previous"), T0 - H / 2)
    scheduler = sched.scheduler()
    (first,) = scheduler.tick(T0).started
    (second,) = scheduler.tick(T0 + H).started
    store = sched.services.store
    assert store.get_run(first).status is RunStatus.CANCELLED
    assert store.get_run(second).status is RunStatus.QUEUED


def test_jitter_delays_the_run_but_not_the_claim(sched: SchedulerEnv) -> None:
    sched.apply(cron_workflow(jitter_s=600), T0 - H / 2)
    due = sched.services.store.get_schedule("hourly").next_due_at
    assert due is not None and T0 < due < T0 + timedelta(seconds=600)
    scheduler = sched.scheduler()
    assert scheduler.tick(T0 + timedelta(seconds=1)).claimed == 0  # not due before its jitter
    report = scheduler.tick(due)
    assert (report.claimed, len(report.started)) == (1, 1)


def test_pause_resume_and_disable(sched: SchedulerEnv) -> None:
    from mwo.triggers.registration import resume_schedule

    sched.apply(cron_workflow(misfire="run_all", catch_up_window_s=86400), T0 - H / 2)
    store = sched.services.store
    scheduler = sched.scheduler()
    store.set_schedule_paused("hourly", True, T0)
    assert scheduler.tick(T0 + 3 * H).claimed == 0
    resume_schedule(store, "hourly", T0 + 3 * H)  # the paused hours are not caught up
    assert store.get_schedule("hourly").next_fire_at == T0 + 4 * H
    store.set_enabled("hourly", False)
    assert scheduler.tick(T0 + 4 * H).claimed == 0
    store.set_enabled("hourly", True)
    assert len(scheduler.tick(T0 + 4 * H + timedelta(seconds=5)).started) == 1


def test_a_crashed_claimer_loses_nothing(sched: SchedulerEnv) -> None:
    sched.apply(cron_workflow("lost"), T0 - H / 2)
    store = sched.services.store
    schedule = store.get_schedule("lost")  # a scheduler claims the fire, then dies before its run
    store.claim_fires(
        schedule.id, T0, [FireClaim(T0, T0)], T0 + H, T0 + H, "dead", T0 + timedelta(minutes=2), T0
    )
    scheduler = sched.scheduler("alive", lease_s=60)
    assert scheduler.tick(T0 + timedelta(seconds=30)).started == []  # the dead one's lease holds
    report = scheduler.tick(T0 + timedelta(minutes=3))
    assert len(report.started) == 1
    assert [f.run_id for f in store.list_fires("lost")] == report.started


def test_a_slow_claimer_whose_lease_was_taken_over_starts_nothing(sched: SchedulerEnv) -> None:
    sched.apply(cron_workflow(), T0 - H / 2)
    store = sched.services.store
    schedule = store.get_schedule("hourly")
    (fire,) = store.claim_fires(schedule.id, T0, [FireClaim(T0, T0)], T0 + H, T0 + H, "slow", T0, T0)
    assert len(sched.scheduler("fast").tick(T0 + timedelta(seconds=1)).started) == 1
    version = store.get_version("hourly")
    with pytest.raises(Conflict):
        store.start_fire_run(fire.id, "slow", version.id, {}, T0 + timedelta(seconds=2))
    assert len(sched.runs()) == 1


@pytest.mark.parametrize(
    ("cron", "tz", "day_start", "expected_local"),
    [
        ("30 2 * * *", "America/New_York", datetime(2026, 3, 8, 5, tzinfo=UTC), ["03:00 EDT"]),
        ("30 1 * * *", "America/New_York", datetime(2026, 11, 1, 4, tzinfo=UTC), ["01:30 EDT"]),
        (
            "0 * * * *",
            "America/New_York",
            datetime(2026, 11, 1, 4, tzinfo=UTC),
            ["00:00 EDT", "01:00 EDT", "01:00 EST", "02:00 EST"],
        ),
        ("0 */2 * * *", "Europe/Berlin", datetime(2026, 3, 28, 23, tzinfo=UTC), ["00:00 CET", "04:00 CEST"]),
    ],
)
def test_dst_days_fire_once_by_the_rules(
    sched: SchedulerEnv, cron: str, tz: str, day_start: datetime, expected_local: list[str]
) -> None:
    sched.apply(cron_workflow(cron=cron, tz=tz, overlap="allow"), day_start - timedelta(minutes=30))
    scheduler = sched.scheduler()
    for minute in range(0, 4 * 60, 1):
        scheduler.tick(day_start + timedelta(minutes=minute, seconds=1))
    zone = sched.services.store.get_schedule("hourly").spec.timezone
    from zoneinfo import ZoneInfo

    local = [t.astimezone(ZoneInfo(zone)).strftime("%H:%M %Z") for t in sched.fire_times("hourly")]
    assert local == expected_local
    assert len(sched.runs("hourly")) == len(expected_local)


def test_a_cron_that_never_fires_is_refused_before_anything_is_saved(sched: SchedulerEnv) -> None:
    from mwo.validation import ValidationFailed

    with pytest.raises(ValidationFailed, match="never matches"):
        sched.services.applier.apply_workflow(workflow_from_data(cron_workflow("never", cron="0 0 31 2 *")))
    assert sched.services.store.list_workflows() == []

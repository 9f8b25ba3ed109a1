"""The scheduler's policies as pure functions: misfire, overlap, jitter, first fire."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from mwo.spec import MisfirePolicy, OverlapPolicy
from mwo.triggers import CronSchedule
from mwo.triggers.policies import OverlapAction, first_fire, jitter_delay, overlap_action, plan_fires

UTC = timezone.utc
T0 = datetime(2026, 6, 1, tzinfo=UTC)
H = timedelta(hours=1)
HOURLY = CronSchedule.parse("0 * * * *", "UTC")
GRACE = timedelta(seconds=60)


def plan(misfire: MisfirePolicy, now: datetime, window: timedelta = 3 * H) -> tuple[list[datetime], int]:
    result = plan_fires(HOURLY, misfire, window, T0, now, GRACE)
    assert result.next_fire_at == T0 + H * ((now - T0) // H + 1)
    return list(result.fires), result.dropped


@pytest.mark.parametrize("misfire", list(MisfirePolicy))
def test_a_fire_within_the_grace_runs_whatever_the_policy(misfire: MisfirePolicy) -> None:
    assert plan(misfire, T0 + timedelta(seconds=59)) == ([T0], 0)


def test_missed_fires_follow_the_policy() -> None:
    late = T0 + 5 * H + timedelta(minutes=30)  # T0 .. T0+5h missed
    assert plan(MisfirePolicy.SKIP, late) == ([], 6)
    assert plan(MisfirePolicy.RUN_ONCE, late) == ([T0 + 5 * H], 5)
    assert plan(MisfirePolicy.RUN_ALL, late) == ([T0 + 3 * H, T0 + 4 * H, T0 + 5 * H], 3)


def test_run_once_does_not_add_a_missed_fire_to_an_on_time_one() -> None:
    assert plan(MisfirePolicy.RUN_ONCE, T0 + 2 * H + timedelta(seconds=10)) == ([T0 + 2 * H], 2)


def test_end_at_bounds_the_fires_and_ends_the_schedule() -> None:
    result = plan_fires(HOURLY, MisfirePolicy.RUN_ALL, 9 * H, T0, T0 + 3 * H, GRACE, end_at=T0 + H)
    assert (list(result.fires), result.next_fire_at) == ([T0, T0 + H], None)


def test_first_fire_respects_start_and_end() -> None:
    assert first_fire(HOURLY, T0) == T0 + H
    assert first_fire(HOURLY, T0, start_at=T0 + 5 * H) == T0 + 5 * H
    assert first_fire(HOURLY, T0, end_at=T0 + H / 2) is None


def test_jitter_is_deterministic_bounded_and_spread() -> None:
    delays = [jitter_delay("wf", T0 + i * H, 600) for i in range(200)]
    assert delays == [jitter_delay("wf", T0 + i * H, 600) for i in range(200)]
    assert all(timedelta(0) <= d < timedelta(seconds=600) for d in delays)
    assert len(set(delays)) > 150
    assert jitter_delay("wf", T0, 0) == timedelta(0)


@pytest.mark.parametrize(
    ("policy", "active", "action"),
    [
        (OverlapPolicy.SKIP, 0, OverlapAction.START),
        (OverlapPolicy.ALLOW, 2, OverlapAction.START),
        (OverlapPolicy.SKIP, 1, OverlapAction.SKIP),
        (OverlapPolicy.QUEUE, 1, OverlapAction.WAIT),
        (OverlapPolicy.CANCEL_PREVIOUS, 1, OverlapAction.CANCEL_THEN_START),
    ],
)
def test_overlap_actions(policy: OverlapPolicy, active: int, action: OverlapAction) -> None:
    assert overlap_action(policy, active) is action

"""Property: for any cron x zone x start instant, the wrapper's fires equal a brute-force reference
that walks real time minute by minute (so they are strictly increasing, never doubled, never missed).

The reference applies the rules literally: an interval schedule fires at every real minute whose wall
clock matches; a fixed-time schedule fires at the first real minute showing a matching wall time, and
at the first minute after a spring-forward jump for every matching wall time the jump skipped.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import datetime, timedelta, timezone

from croniter import croniter
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mwo.triggers import CronSchedule, fires_between

UTC = timezone.utc
MINUTE = timedelta(minutes=1)
WINDOW = timedelta(hours=30)
LOOKBACK = timedelta(hours=4)  # so a wall time's first occurrence before the window is known

NY, BERLIN, LORD_HOWE, SEOUL, SAO_PAULO = (
    "America/New_York",
    "Europe/Berlin",
    "Australia/Lord_Howe",
    "Asia/Seoul",
    "America/Sao_Paulo",
)
# (zone, an instant near one of its transitions): most examples cross a gap or a repeated hour.
ZONE_ANCHORS = [
    (NY, datetime(2026, 3, 8, 7, tzinfo=UTC)),  # spring forward 02:00 -> 03:00
    (NY, datetime(2026, 11, 1, 6, tzinfo=UTC)),  # fall back 02:00 -> 01:00
    (NY, datetime(2031, 3, 9, 7, tzinfo=UTC)),
    (BERLIN, datetime(2026, 3, 29, 1, tzinfo=UTC)),
    (BERLIN, datetime(2026, 10, 25, 1, tzinfo=UTC)),
    (BERLIN, datetime(2033, 10, 30, 1, tzinfo=UTC)),
    (LORD_HOWE, datetime(2026, 4, 4, 15, tzinfo=UTC)),  # 02:00 -> 01:30
    (LORD_HOWE, datetime(2026, 10, 3, 15, 30, tzinfo=UTC)),  # 02:00 -> 02:30
    (SEOUL, datetime(1987, 5, 9, 17, tzinfo=UTC)),
    (SEOUL, datetime(1987, 10, 10, 18, tzinfo=UTC)),
    (SEOUL, datetime(2026, 6, 15, 12, tzinfo=UTC)),  # no DST any more
    (SAO_PAULO, datetime(2017, 10, 15, 3, tzinfo=UTC)),  # spring forward at midnight
    (SAO_PAULO, datetime(2018, 2, 18, 2, tzinfo=UTC)),
]
MINUTES = st.sampled_from(["0", "30", "*/15", "0,45", "*/7", "59"])
HOURS = st.sampled_from(["*", "*/2", "*/3", "0", "1", "2", "3", "1-3", "2,14", "0-23/5"])
# Day of month and weekday are never both restricted, so matching is a plain AND of the fields.
DAY_PARTS = st.sampled_from(["* * *", "* * *", "1-10 * *", "*/2 * *", "* * 0", "* * 1-5"])


def matcher(expr: str) -> Callable[[datetime], bool]:
    """Whether a wall time matches `expr`, from croniter's expanded fields (fast: no croniter walk)."""
    fields = [None if values == ["*"] else set(values) for values in croniter(expr).expanded]

    def match(wall: datetime) -> bool:
        values = (wall.minute, wall.hour, wall.day, wall.month, (wall.weekday() + 1) % 7)
        return all(allowed is None or value in allowed for allowed, value in zip(fields, values, strict=True))

    return match


def reference(expr: str, tz: str, start: datetime, end: datetime) -> list[datetime]:
    """Fires in (start, end] by walking every real minute from `start - LOOKBACK`."""
    schedule = CronSchedule.parse(expr, tz)
    zone = schedule.zone
    matches = matcher(expr)
    seen: set[datetime] = set()
    fires = []
    t = start - LOOKBACK
    previous_wall = t.astimezone(zone).replace(tzinfo=None)
    while t < end:
        t += MINUTE
        wall = t.astimezone(zone).replace(tzinfo=None)
        fire = matches(wall) and (schedule.interval or wall not in seen)
        if not schedule.interval:
            skipped = previous_wall + MINUTE
            while skipped < wall and not fire:
                fire = matches(skipped)
                skipped += MINUTE
        seen.add(wall)
        previous_wall = wall
        if fire and t > start:
            fires.append(t)
    return fires


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    minute=MINUTES,
    hour=HOURS,
    days=DAY_PARTS,
    zone_anchor=st.sampled_from(ZONE_ANCHORS),
    shift_min=st.integers(min_value=-20 * 60, max_value=2 * 60),
)
def test_fires_match_a_minute_by_minute_reference(
    minute: str, hour: str, days: str, zone_anchor: tuple[str, datetime], shift_min: int
) -> None:
    zone, anchor = zone_anchor
    expr = f"{minute} {hour} {days}"
    start = anchor + timedelta(minutes=shift_min)
    end = start + WINDOW
    fires = list(fires_between(CronSchedule.parse(expr, zone), start, end))

    assert all(a < b for a, b in itertools.pairwise(fires)), "not strictly increasing"
    assert fires == reference(expr, zone, start, end)

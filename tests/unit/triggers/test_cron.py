"""The DST rules of `mwo.triggers.cron` (the wrapper, not croniter), in four zones over years."""

from __future__ import annotations

import itertools
from datetime import date, datetime, timedelta, timezone

import pytest

from mwo.triggers import CronError, CronSchedule, fires_between, next_fire, next_fires

UTC = timezone.utc


def local(schedule: CronSchedule, instants: list[datetime]) -> list[str]:
    """Instants as local wall time with the zone abbreviation, e.g. '03-08 03:00 EDT'."""
    return [i.astimezone(schedule.zone).strftime("%m-%d %H:%M %Z") for i in instants]


def day_fires(expr: str, tz: str, day: date) -> list[str]:
    """Every fire whose local date is `day` (scanning the UTC day either side)."""
    schedule = CronSchedule.parse(expr, tz)
    start = datetime(day.year, day.month, day.day, tzinfo=UTC) - timedelta(days=1)
    fires = fires_between(schedule, start, start + timedelta(days=3))
    return local(schedule, [i for i in fires if i.astimezone(schedule.zone).date() == day])


# --- New York: spring forward 2026-03-08 02:00 -> 03:00, fall back 2026-11-01 02:00 -> 01:00 -----------


def test_fixed_time_in_the_spring_gap_fires_once_at_the_end_of_the_gap() -> None:
    assert day_fires("30 2 * * *", "America/New_York", date(2026, 3, 8)) == ["03-08 03:00 EDT"]


def test_two_fixed_times_in_the_gap_and_one_after_it_fire_once() -> None:
    assert day_fires("0,30 2,3 * * *", "America/New_York", date(2026, 3, 8)) == [
        "03-08 03:00 EDT",
        "03-08 03:30 EDT",
    ]


def test_interval_schedule_has_no_fire_in_the_gap() -> None:
    assert day_fires("0 */2 * * *", "America/New_York", date(2026, 3, 8)) == [
        f"03-08 {h:02d}:00 {'EST' if h < 2 else 'EDT'}" for h in range(0, 24, 2) if h != 2
    ]


def test_fixed_time_in_the_repeated_hour_fires_once_at_its_first_occurrence() -> None:
    assert day_fires("30 1 * * *", "America/New_York", date(2026, 11, 1)) == ["11-01 01:30 EDT"]


def test_hourly_schedule_fires_at_both_occurrences_of_the_repeated_hour() -> None:
    fires = day_fires("0 * * * *", "America/New_York", date(2026, 11, 1))
    assert fires[:4] == ["11-01 00:00 EDT", "11-01 01:00 EDT", "11-01 01:00 EST", "11-01 02:00 EST"]
    assert len(fires) == 25


def test_every_minute_schedule_counts_real_minutes_on_dst_days() -> None:
    assert len(day_fires("* * * * *", "America/New_York", date(2026, 3, 8))) == 23 * 60
    assert len(day_fires("* * * * *", "America/New_York", date(2026, 11, 1))) == 25 * 60


@pytest.mark.parametrize("year", range(2024, 2036))
def test_new_york_daily_9am_fires_once_a_day_at_9_local_for_years(year: int) -> None:
    schedule = CronSchedule.parse("0 9 * * *", "America/New_York")
    start = datetime(year, 1, 1, tzinfo=UTC)
    fires = list(fires_between(schedule, start, datetime(year + 1, 1, 1, tzinfo=UTC)))
    assert len({f.astimezone(schedule.zone).date() for f in fires}) == len(fires)
    assert all(f.astimezone(schedule.zone).strftime("%H:%M") == "09:00" for f in fires)
    assert len(fires) in (365, 366)


# --- Berlin: spring forward last Sunday of March 02:00 -> 03:00; fall back last Sunday of October ------


@pytest.mark.parametrize("year", range(2024, 2036))
def test_berlin_dst_days_over_years(year: int) -> None:
    spring = max(date(year, 3, d) for d in range(25, 32) if date(year, 3, d).weekday() == 6)
    autumn = max(date(year, 10, d) for d in range(25, 32) if date(year, 10, d).weekday() == 6)
    md = spring.strftime("%m-%d")
    assert day_fires("15 2 * * *", "Europe/Berlin", spring) == [f"{md} 03:00 CEST"]
    assert len(day_fires("*/30 * * * *", "Europe/Berlin", spring)) == 46
    ma = autumn.strftime("%m-%d")
    assert day_fires("15 2 * * *", "Europe/Berlin", autumn) == [f"{ma} 02:15 CEST"]
    assert len(day_fires("*/30 * * * *", "Europe/Berlin", autumn)) == 50


# --- Lord Howe: 30-minute DST; 02:00 -> 02:30 in October, 02:00 -> 01:30 in April ---------------------


def test_lord_howe_half_hour_gap_and_repetition() -> None:
    tz = "Australia/Lord_Howe"
    assert day_fires("0 2 * * *", tz, date(2026, 10, 4)) == ["10-04 02:30 +11"]
    assert day_fires("15 2 * * *", tz, date(2026, 10, 4)) == ["10-04 02:30 +11"]
    assert day_fires("0,30 2 * * *", tz, date(2026, 10, 4)) == ["10-04 02:30 +11"]
    assert day_fires("45 1 * * *", tz, date(2026, 4, 5)) == ["04-05 01:45 +11"]
    assert day_fires("*/15 1 * * *", tz, date(2026, 4, 5)) == [
        "04-05 01:00 +11",
        "04-05 01:15 +11",
        "04-05 01:30 +11",
        "04-05 01:45 +11",
    ]
    hourly_quarter = day_fires("*/15 * * * *", tz, date(2026, 4, 5))
    assert hourly_quarter.count("04-05 01:45 +11") == 1
    assert hourly_quarter.count("04-05 01:45 +1030") == 1
    assert len(hourly_quarter) == 24 * 4 + 2


@pytest.mark.parametrize("year", range(2024, 2036, 3))
def test_lord_howe_daily_fires_once_every_day_for_years(year: int) -> None:
    schedule = CronSchedule.parse("10 2 * * *", "Australia/Lord_Howe")
    fires = list(
        fires_between(schedule, datetime(year, 1, 1, tzinfo=UTC), datetime(year + 1, 1, 1, tzinfo=UTC))
    )
    days = [f.astimezone(schedule.zone).date() for f in fires]
    assert len(set(days)) == len(days) == (date(year + 1, 1, 1) - date(year, 1, 1)).days


# --- Seoul: no DST today (UTC+9), DST in 1987 and 1988 -----------------------------------------------


def test_seoul_has_no_dst_today_so_fires_are_nine_hours_before_utc() -> None:
    schedule = CronSchedule.parse("0 9 * * *", "Asia/Seoul")
    fires = next_fires(schedule, datetime(2026, 3, 7, tzinfo=UTC), 400)
    assert all(f.hour == 0 and f.minute == 0 for f in fires)
    assert [b - a for a, b in itertools.pairwise(fires)] == [timedelta(days=1)] * 399


def test_seoul_1987_dst_gap_and_repetition() -> None:
    # 1987-05-10 02:00 -> 03:00 KDT, 1987-10-11 03:00 KDT -> 02:00 KST.
    assert day_fires("30 2 * * *", "Asia/Seoul", date(1987, 5, 10)) == ["05-10 03:00 KDT"]
    assert day_fires("30 2 * * *", "Asia/Seoul", date(1987, 10, 11)) == ["10-11 02:30 KDT"]
    assert len(day_fires("30 * * * *", "Asia/Seoul", date(1987, 10, 11))) == 25


# --- parsing and the contract of the functions ----------------------------------------------------------


def test_aliases_expand_and_classify() -> None:
    assert CronSchedule.parse("@daily", "UTC") == CronSchedule("0 0 * * *", "UTC", interval=False)
    assert CronSchedule.parse("@hourly", "UTC").interval
    assert CronSchedule.parse("*/5 */2 * * *", "UTC").interval
    assert not CronSchedule.parse("0 1-3 * * *", "UTC").interval


@pytest.mark.parametrize(
    ("expr", "tz"), [("0 9 * *", "UTC"), ("61 * * * *", "UTC"), ("0 9 * * *", "Mars/Olympus")]
)
def test_bad_expressions_and_zones_raise_cron_error_with_a_fix(expr: str, tz: str) -> None:
    with pytest.raises(CronError) as info:
        CronSchedule.parse(expr, tz)
    assert info.value.fix
    assert info.value.code == "cron_invalid"


def test_a_date_that_never_exists_raises_cron_error() -> None:
    with pytest.raises(CronError):
        next_fire(CronSchedule.parse("0 0 31 2 *", "UTC"), datetime(2026, 1, 1, tzinfo=UTC))


def test_next_fire_is_strictly_after_and_naive_instants_are_refused() -> None:
    schedule = CronSchedule.parse("0 9 * * *", "UTC")
    assert next_fire(schedule, datetime(2026, 1, 1, 9, tzinfo=UTC)) == datetime(2026, 1, 2, 9, tzinfo=UTC)
    with pytest.raises(ValueError, match="naive"):
        next_fire(schedule, datetime(2026, 1, 1))

"""The schedule tests' shared check: a phrase read by the grammar is compared by meaning (its next
20 fire times from one fixed instant), with the questions it must raise, and is always schedulable."""

from __future__ import annotations

from datetime import datetime, timezone

from mwo.authoring.intents import ScheduleParse
from mwo.authoring.schedule import next_fire_times, parse_schedule
from mwo.triggers.cron import CronSchedule

K = "Asia/Seoul"
NOW = datetime(2026, 3, 1, 12, 0, tzinfo=timezone.utc)  # before the US and EU DST changes of 2026


def fires(cron: str, zone: str) -> list[datetime]:
    """The next 20 fire times of `cron` in `zone` after NOW."""
    return next_fire_times(cron, zone, 20, NOW)


def assert_schedule(text: str, cron: str, zone: str, slots: tuple[str, ...]) -> ScheduleParse:
    """`text` parses (default zone K) to a schedule firing as `cron` in `zone`, asking `slots`;
    returns it for further checks."""
    parsed = parse_schedule(text, default_timezone=K)
    assert parsed is not None
    assert parsed.timezone == zone
    assert fires(parsed.cron, parsed.timezone) == fires(cron, zone), parsed.cron
    assert tuple(q.slot for q in parsed.questions) == slots
    assert CronSchedule.parse(parsed.cron, parsed.timezone)  # always schedulable, even when provisional
    return parsed

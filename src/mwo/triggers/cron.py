"""Cron fire instants in an IANA time zone, with the classic cron rules for DST.

croniter walks the *wall clock* (naive local times that match the expression); this module turns each
matching wall time into real instants, because croniter alone fires a repeated fixed time twice and
moves a `0 */2 * * *` 02:00 fire to 03:00 on a spring-forward day. The rules (docs/configuration.md):

- A wall time that exists once fires once.
- Spring-forward gap: a *fixed-time* schedule fires once, at the first valid instant after the gap
  (the transition itself); an *interval* schedule simply has no fire there.
- Fall-back repetition: a fixed-time schedule fires once, at the first occurrence; an interval
  schedule fires at every real occurrence (`0 * * * *` fires at 01:00 EDT and at 01:00 EST).

A schedule is an *interval* schedule when its hour field is `*` or `*/n`; every other hour field
(`9`, `1-3`, `2,14`) makes it fixed-time. Everything here is a pure function of (schedule, instant).
"""

from __future__ import annotations

import heapq
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from itertools import islice
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from croniter import CroniterBadDateError, croniter

from mwo.triggers.errors import CronError

ALIASES = {
    "@yearly": "0 0 1 1 *",
    "@annually": "0 0 1 1 *",
    "@monthly": "0 0 1 * *",
    "@weekly": "0 0 * * 0",
    "@daily": "0 0 * * *",
    "@midnight": "0 0 * * *",
    "@hourly": "0 * * * *",
}
_INTERVAL_HOUR = re.compile(r"^\*(/\d+)?$")
# Near a transition, wall times are scanned from this far before `after`, and an instant is handed out
# only once no later wall time can map before it: larger than any DST shift (1 h, 30 min on Lord Howe,
# 2 h historically).
_MARGIN = timedelta(hours=3)
_UTC = timezone.utc


@dataclass(frozen=True)
class CronSchedule:
    """A parsed cron expression in a zone; build it with `CronSchedule.parse`."""

    expression: str
    """The 5-field form (aliases expanded)."""
    timezone: str
    """The IANA zone name the wall clock is read in."""
    interval: bool
    """True when the hour field is `*` or `*/n`: fires once per real elapsed matching wall time."""

    @classmethod
    def parse(cls, expression: str, tz: str = "UTC") -> CronSchedule:
        """Validate `expression` (5 fields or an @alias) and `tz`; raises CronError with the fix."""
        text = ALIASES.get(expression.strip().lower(), expression.strip())
        fields = text.split()
        if len(fields) != 5:
            raise CronError(
                f"cron expression {expression!r} must have 5 fields (minute hour day month weekday)",
                fix="write e.g. '0 9 * * *' for every day at 09:00, or an alias such as @daily",
            )
        if not croniter.is_valid(text):
            raise CronError(
                f"cron expression {expression!r} is not valid",
                fix="check each field's range, e.g. '0 9 * * 1-5' for weekdays at 09:00",
            )
        _zone(tz)
        return cls(" ".join(fields), tz, bool(_INTERVAL_HOUR.match(fields[1])))

    @property
    def zone(self) -> ZoneInfo:
        """The ZoneInfo of `timezone` (zoneinfo caches instances, so this is cheap)."""
        return _zone(self.timezone)


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise CronError(
            f"unknown time zone {name!r}", fix="use an IANA name such as Asia/Seoul or Europe/Berlin"
        ) from exc


def iter_fires(schedule: CronSchedule, after: datetime) -> Iterator[datetime]:
    """Every fire instant strictly after `after` (aware), in increasing UTC order, without end.

    Raises CronError for an expression that never matches a real date (e.g. '0 0 31 2 *').
    """
    _require_aware(after)
    zone = schedule.zone
    after = after.astimezone(_UTC)
    start_wall = after.astimezone(zone).replace(tzinfo=None) - _slack(zone, after)
    walls = croniter(schedule.expression, start_wall)
    pending: list[datetime] = []
    last = after
    while True:
        wall = _next_wall(walls, schedule.expression)
        for instant in instants_of(wall, zone, interval=schedule.interval):
            if instant > after:
                heapq.heappush(pending, instant)
        # No wall time from here on maps to an instant before `floor`: hand out what lies below it.
        mapped = wall.replace(tzinfo=zone, fold=0).astimezone(_UTC)
        floor = mapped - _slack(zone, mapped)
        while pending and pending[0] <= floor:
            instant = heapq.heappop(pending)
            if instant > last:  # a gap fire can coincide with a real fire at the transition
                last = instant
                yield instant


def _slack(zone: ZoneInfo, instant: datetime) -> timedelta:
    """How far wall order and time order may disagree around `instant`: _MARGIN near a transition
    (offsets differ across it), nothing elsewhere, so the common case walks no extra wall times."""
    before = (instant - _MARGIN).astimezone(zone).utcoffset()
    return _MARGIN if before != (instant + _MARGIN).astimezone(zone).utcoffset() else timedelta(0)


def _next_wall(walls: croniter, expression: str) -> datetime:
    try:
        wall: datetime = walls.get_next(datetime)
    except CroniterBadDateError as exc:
        raise CronError(
            f"cron expression {expression!r} never matches a real date",
            fix="check the day and month fields, e.g. '0 0 29 2 *' fires only on 29 February",
        ) from exc
    return wall


def next_fires(schedule: CronSchedule, after: datetime, count: int) -> list[datetime]:
    """The first `count` fire instants strictly after `after`, in UTC."""
    return list(islice(iter_fires(schedule, after), count))


def next_fire(schedule: CronSchedule, after: datetime) -> datetime:
    """The first fire instant strictly after `after`, in UTC."""
    return next(iter_fires(schedule, after))


def fires_between(schedule: CronSchedule, after: datetime, until: datetime) -> Iterator[datetime]:
    """Fire instants in (after, until], in UTC: what a scheduler missed while it was down."""
    _require_aware(until)
    for instant in iter_fires(schedule, after):
        if instant > until:
            return
        yield instant


def instants_of(wall: datetime, zone: ZoneInfo, *, interval: bool) -> tuple[datetime, ...]:
    """The UTC instants at which a matching naive `wall` time fires, by the DST rules above."""
    first = wall.replace(tzinfo=zone, fold=0).astimezone(_UTC)
    second = wall.replace(tzinfo=zone, fold=1).astimezone(_UTC)
    if first == second:
        return (first,)
    earlier, later = min(first, second), max(first, second)
    if earlier.astimezone(zone).replace(tzinfo=None) == wall:  # repeated: both instants show `wall`
        return (earlier, later) if interval else (earlier,)
    return () if interval else (_transition(zone, earlier, later),)


def _transition(zone: ZoneInfo, before: datetime, after: datetime) -> datetime:
    """The first whole second in (before, after] with the offset `after` has: where a gap ends."""
    target = after.astimezone(zone).utcoffset()
    low, high = int(before.timestamp()), int(after.timestamp())
    while high - low > 1:
        middle = (low + high) // 2
        if datetime.fromtimestamp(middle, zone).utcoffset() == target:
            high = middle
        else:
            low = middle
    return datetime.fromtimestamp(high, _UTC)


def _require_aware(instant: datetime) -> None:
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError(f"naive datetime {instant.isoformat()}: pass an aware datetime (e.g. in UTC)")

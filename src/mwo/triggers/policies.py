"""The scheduler's policies as pure functions of (schedule, now): which missed fires still run
(misfire), what a fire does while the previous run is going (overlap), the jitter of a fire, and the
first fire of a schedule. The scheduler loop only calls these; it decides nothing itself.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum
from itertools import islice

from mwo.spec import MisfirePolicy, OverlapPolicy
from mwo.triggers.cron import CronSchedule, fires_between, iter_fires

# RUN_ONCE looks this far back at most for the last missed fire (an every-minute schedule down for
# years would otherwise mean scanning millions of fires for one).
_RUN_ONCE_HORIZON = timedelta(days=366)
_COUNT_BOUND = 100_000


@dataclass(frozen=True)
class FirePlan:
    """What to claim now and where the schedule goes next."""

    fires: tuple[datetime, ...]
    """Nominal fire times to claim, oldest first."""
    next_fire_at: datetime | None
    """The first fire after `now`; None when the schedule has ended."""
    dropped: int
    """Missed fires the misfire policy let go."""


def first_fire(
    schedule: CronSchedule, now: datetime, start_at: datetime | None = None, end_at: datetime | None = None
) -> datetime | None:
    """The first fire strictly after `now` and at or after `start_at`; None when past `end_at`."""
    after = now if start_at is None else max(now, start_at - timedelta(microseconds=1))
    return _bounded(next(iter_fires(schedule, after)), end_at)


def plan_fires(
    schedule: CronSchedule,
    misfire: MisfirePolicy,
    catch_up_window: timedelta,
    stored_next: datetime,
    now: datetime,
    grace: timedelta,
    end_at: datetime | None = None,
) -> FirePlan:
    """The fires due at `now`, given the stored next fire (`stored_next <= now`).

    A fire at most `grace` old is on time and always runs. Older (missed) ones follow `misfire`:
    SKIP drops them; RUN_ONCE runs the latest one, and only when no fire is on time; RUN_ALL runs
    those within `catch_up_window` of now. `dropped` counts the missed fires let go (up to a bound).
    """
    horizon = now - _look_back(misfire, catch_up_window, grace)
    due = [stored_next] if stored_next >= horizon else []
    due += fires_between(schedule, max(stored_next, horizon - timedelta(microseconds=1)), now)
    due = [t for t in due if end_at is None or t <= end_at]
    on_time = [t for t in due if now - t <= grace]
    late = [t for t in due if now - t > grace]
    kept = _apply_misfire(misfire, catch_up_window, late, on_time, now)
    dropped = _count_late(schedule, stored_next, now - grace) - (len(kept) - len(on_time))
    return FirePlan(tuple(kept), _bounded(next(iter_fires(schedule, now)), end_at), dropped)


def _look_back(misfire: MisfirePolicy, catch_up_window: timedelta, grace: timedelta) -> timedelta:
    """How far before `now` missed fires matter to the policy."""
    if misfire is MisfirePolicy.RUN_ONCE:
        return _RUN_ONCE_HORIZON
    if misfire is MisfirePolicy.RUN_ALL:
        return max(grace, catch_up_window)
    return grace


def _apply_misfire(
    misfire: MisfirePolicy, window: timedelta, late: list[datetime], on_time: list[datetime], now: datetime
) -> list[datetime]:
    if misfire is MisfirePolicy.SKIP or not late:
        return on_time
    if misfire is MisfirePolicy.RUN_ONCE:
        return on_time or late[-1:]
    return [t for t in late if now - t <= window] + on_time


def _count_late(schedule: CronSchedule, stored_next: datetime, late_until: datetime) -> int:
    """How many fires in [stored_next, late_until] there were, counted up to _COUNT_BOUND."""
    if stored_next > late_until:
        return 0
    return 1 + sum(1 for _ in islice(fires_between(schedule, stored_next, late_until), _COUNT_BOUND))


def _bounded(instant: datetime, end_at: datetime | None) -> datetime | None:
    return None if end_at is not None and instant > end_at else instant


def jitter_delay(key: str, fire_time: datetime, jitter_s: float) -> timedelta:
    """A delay in [0, jitter_s) that every scheduler computes alike for the same (key, fire)."""
    if jitter_s <= 0:
        return timedelta(0)
    digest = hashlib.sha256(f"{key}|{fire_time.isoformat()}".encode()).digest()
    fraction = int.from_bytes(digest[:8], "big") / 2**64
    return timedelta(seconds=round(fraction * jitter_s, 3))


class OverlapAction(Enum):
    """What to do with a due fire, given the schedule's runs still going."""

    START = "start"
    SKIP = "skip"
    WAIT = "wait"
    CANCEL_THEN_START = "cancel_then_start"


def overlap_action(policy: OverlapPolicy, active_runs: int) -> OverlapAction:
    """ALLOW starts anyway, SKIP drops the fire, QUEUE waits for the runs to end, CANCEL_PREVIOUS
    cancels them and starts; with no run going, every policy starts."""
    if active_runs == 0 or policy is OverlapPolicy.ALLOW:
        return OverlapAction.START
    if policy is OverlapPolicy.SKIP:
        return OverlapAction.SKIP
    if policy is OverlapPolicy.QUEUE:
        return OverlapAction.WAIT
    return OverlapAction.CANCEL_THEN_START

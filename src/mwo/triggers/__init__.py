"""What starts workflows by itself: cron schedules (with the DST rules of `cron`), and the scheduler
that claims each fire exactly once across processes."""

from __future__ import annotations

from mwo.triggers.cron import CronSchedule, fires_between, iter_fires, next_fire, next_fires
from mwo.triggers.errors import CronError, TriggerError

__all__ = [
    "CronError",
    "CronSchedule",
    "TriggerError",
    "fires_between",
    "iter_fires",
    "next_fire",
    "next_fires",
]

"""Trigger errors: each carries a stable `code` and the `fix` a user can act on."""

from __future__ import annotations


class TriggerError(Exception):
    """Base of trigger errors; `code` is stable, `fix` tells the user what to do."""

    code = "trigger_error"

    def __init__(self, message: str, fix: str) -> None:
        super().__init__(message)
        self.fix = fix


class CronError(TriggerError, ValueError):
    """A cron expression or time zone that cannot be scheduled; a ValueError."""

    code = "cron_invalid"

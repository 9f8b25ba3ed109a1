"""Trigger errors: each carries a stable `code` and the `fix` a user can act on."""

from __future__ import annotations

from mwo.errors import FixableError


class TriggerError(FixableError):
    """Base of trigger errors; `code` is stable, `fix` tells the user what to do."""

    code = "trigger_error"


class CronError(TriggerError, ValueError):
    """A cron expression or time zone that cannot be scheduled; a ValueError."""

    code = "cron_invalid"

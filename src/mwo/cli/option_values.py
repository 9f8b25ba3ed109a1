"""Values that command options offer or default to, taken from the store and the triggers
(`mwo runs --status`, `mwo tokens create --scope`, `mwo webhooks rotate --grace`) and spelled here so
that building the commands (`mwo --help`) imports neither, nor SQLAlchemy and the spec models with them.
tests/unit/cli/test_cli_startup.py keeps each equal to its source."""

from __future__ import annotations

from enum import Enum


class RunStatusChoice(str, Enum):
    """The values of `mwo.store.records.RunStatus`, in its order (Typer offers an enum's values)."""

    QUEUED = "queued"
    RUNNING = "running"
    WAITING_APPROVAL = "waiting_approval"
    WAITING_REPAIR = "waiting_repair"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"


class TokenScopeChoice(str, Enum):
    """The values of `mwo.store.records.TokenScope`, in its order."""

    READ = "read"
    WRITE = "write"
    ADMIN = "admin"


WEBHOOK_GRACE_S = 24 * 60 * 60
"""`mwo.triggers.webhooks.ROTATION_GRACE` in seconds."""

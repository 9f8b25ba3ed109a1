"""What starts a workflow: by hand, on a schedule, on an event or on a webhook call."""

from __future__ import annotations

from enum import Enum
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from croniter import croniter
from pydantic import BaseModel, ConfigDict, Field, field_validator


class MisfirePolicy(str, Enum):
    """What a schedule does about fires missed while nothing was running."""

    SKIP = "skip"
    RUN_ONCE = "run_once"
    RUN_ALL = "run_all"


class OverlapPolicy(str, Enum):
    """What a schedule does when its previous run is still going."""

    ALLOW = "allow"
    SKIP = "skip"
    QUEUE = "queue"
    CANCEL_PREVIOUS = "cancel_previous"


class _TriggerBase(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ManualTrigger(_TriggerBase):
    """Runs only when someone asks (CLI, UI, API)."""

    type: Literal["manual"]


class CronTrigger(_TriggerBase):
    """A 5-field cron expression (or @daily-style alias) in an IANA time zone."""

    type: Literal["cron"]
    cron: str = Field(description="5-field cron expression or alias such as @daily.", examples=["0 9 * * *"])
    timezone: str = Field(default="UTC", description="IANA time zone name.", examples=["Asia/Seoul"])
    misfire: MisfirePolicy = MisfirePolicy.RUN_ONCE
    overlap: OverlapPolicy = OverlapPolicy.SKIP
    catch_up_window_s: float = Field(default=3600.0, ge=0, description="How far back run_all catches up.")
    jitter_s: float = Field(default=0.0, ge=0, le=3600, description="Random delay added to each fire.")

    @field_validator("cron")
    @classmethod
    def _valid_cron(cls, value: str) -> str:
        fields = value.split()
        if not value.startswith("@") and len(fields) != 5:
            raise ValueError(
                f"cron expression {value!r} must have 5 fields (minute hour day month weekday), "
                "e.g. '0 9 * * *' for every day at 09:00"
            )
        if not croniter.is_valid(value):
            raise ValueError(
                f"cron expression {value!r} is not valid; e.g. '0 9 * * 1-5' for weekdays at 09:00"
            )
        return value

    @field_validator("timezone")
    @classmethod
    def _valid_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}; use an IANA name such as Asia/Seoul") from exc
        return value


class EventTrigger(_TriggerBase):
    """Runs when a named event is emitted (e.g. `run.succeeded`, a custom name)."""

    type: Literal["event"]
    event: str = Field(min_length=1, description="Event name to listen for.")
    filter: str | None = Field(default=None, description="Expression over `event` that must be true.")


class WebhookTrigger(_TriggerBase):
    """Runs when a signed POST arrives at /hooks/{workflow}."""

    type: Literal["webhook"]


Trigger = Annotated[ManualTrigger | CronTrigger | EventTrigger | WebhookTrigger, Field(discriminator="type")]

"""What starts a workflow: by hand, on a schedule, on an event or on a webhook call."""

from __future__ import annotations

from datetime import date, datetime, time
from enum import Enum
from pathlib import Path
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from croniter import croniter
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator


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
    start: date | datetime | None = Field(
        default=None,
        description=(
            "No fire before this date (its 00:00) or date-time; a value without an offset is read in "
            "`timezone`."
        ),
        examples=["2026-01-01", "2026-01-01T09:00"],
    )
    end: date | datetime | None = Field(
        default=None,
        description=(
            "No fire after this date (inclusive: up to its 23:59:59) or date-time; a value without an "
            "offset is read in `timezone`."
        ),
        examples=["2026-12-31"],
    )

    def start_at(self) -> datetime | None:
        """`start` as an aware instant: a date means its first moment in the trigger's zone."""
        return None if self.start is None else _instant(self.start, self.timezone, time.min)

    def end_at(self) -> datetime | None:
        """`end` as an aware instant: a date includes the whole day in the trigger's zone."""
        return None if self.end is None else _instant(self.end, self.timezone, time.max)

    @model_validator(mode="after")
    def _start_before_end(self) -> CronTrigger:
        start, end = self.start_at(), self.end_at()
        if start is not None and end is not None and end < start:
            raise ValueError(
                f"trigger end {self.end} is before its start {self.start}; swap them or drop `end`"
            )
        return self

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


def _instant(value: date | datetime, zone: str, at: time) -> datetime:
    """A date (at `at`) or a naive date-time in `zone`; an aware date-time as given."""
    if not isinstance(value, datetime):
        value = datetime.combine(value, at)
    return value if value.tzinfo is not None else value.replace(tzinfo=ZoneInfo(zone))


class EventTrigger(_TriggerBase):
    """Runs when a named event is emitted (e.g. `run.succeeded`, a custom name)."""

    type: Literal["event"]
    event: str = Field(min_length=1, description="Event name to listen for.")
    filter: str | None = Field(default=None, description="Expression over `event` that must be true.")


class WebhookTrigger(_TriggerBase):
    """Runs when a signed POST arrives at /hooks/{workflow}."""

    type: Literal["webhook"]


class FileTrigger(_TriggerBase):
    """Runs once for each file that appears in a watched folder, once it is completely written.

    A file counts when its size and modification time have not changed for `settle_s` (a copy in
    progress keeps changing them). Each file starts one run, once: a file written again later (new
    size or modification time) counts as a new arrival. The run gets the declared inputs among
    `path`, `name`, `size` (bytes), `modified` (ISO instant) and `file` (all four as an object).
    """

    type: Literal["file"]
    path: str = Field(
        min_length=1, description="Absolute path of the folder to watch (~ allowed).", examples=["~/inbox"]
    )
    pattern: str = Field(
        default="*", min_length=1, description="Glob the file name must match.", examples=["*.csv"]
    )
    recursive: bool = Field(default=False, description="Also watch the folder's subfolders.")
    settle_s: float = Field(
        default=2.0, ge=0, le=3600, description="How long size and mtime must stay unchanged."
    )
    include_existing: bool = Field(
        default=False,
        description=(
            "Also start runs for files already there when the folder is first watched (by default "
            "they are only noted; files arriving while the server is down still count)."
        ),
    )

    @field_validator("path")
    @classmethod
    def _absolute(cls, value: str) -> str:
        if not Path(value).expanduser().is_absolute():
            raise ValueError(
                f"watched folder {value!r} is not an absolute path; "
                "write it in full, e.g. /srv/inbox or ~/inbox"
            )
        return value

    def folder(self) -> Path:
        """The watched folder, with ~ expanded."""
        return Path(self.path).expanduser()


Trigger = Annotated[
    ManualTrigger | CronTrigger | EventTrigger | WebhookTrigger | FileTrigger, Field(discriminator="type")
]

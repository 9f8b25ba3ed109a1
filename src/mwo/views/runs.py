"""A run, its step attempts and its log lines as the faces show them: one declaration each.

Two faces, two contracts that grew apart before these views existed, both kept exactly:
- run: the CLI's `--json` prints `RunRecordView`, every field of the record; the REST API answers
  `RunOut`, the same without the store's ids (`workflow_id`, `version_id`) and the lease
  (`acquired_by`, `acquired_until`);
- step attempt: `StepRunOut` on both;
- log line: the CLI prints `LogRecordView`, every field; the API answers `LogOut`, without the
  row's `id` and `run_id`;
- timestamps: the API writes pydantic's ISO 8601 (UTC as `Z`); the CLI dumps with
  `context=TimestampForm.ISOFORMAT`: `datetime.isoformat()` (UTC as `+00:00`).

The API's models are the CLI's with fields excluded (`Field(exclude=True)`), so both keep the
record's field order and the OpenAPI document lists only what the API answers.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from enum import Enum
from typing import Annotated, Any, Self

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SerializationInfo,
    SerializerFunctionWrapHandler,
    WithJsonSchema,
    WrapSerializer,
)

from mwo.store.records import (
    LogLevel,
    RunRecord,
    RunStatus,
    StepLogRecord,
    StepRunRecord,
    StepStatus,
    VersionRecord,
)


class TimestampForm(Enum):
    """How a `Timestamp` is written in JSON; passed as the serialization context,
    `view.model_dump(mode="json", context=TimestampForm.ISOFORMAT)`. Without a context: `PYDANTIC`."""

    PYDANTIC = "pydantic"
    """ISO 8601 as pydantic writes it, UTC as `Z` (the REST API's answers)."""
    ISOFORMAT = "isoformat"
    """`datetime.isoformat()`, UTC as `+00:00` (what `mwo ... --json` has always printed)."""


def _write_timestamp(value: datetime, default: SerializerFunctionWrapHandler, info: SerializationInfo) -> Any:
    if info.context is TimestampForm.ISOFORMAT:
        return value.isoformat()
    return default(value)


Timestamp = Annotated[
    datetime,
    WrapSerializer(_write_timestamp, when_used="json"),
    # The serializer hides the type from the JSON Schema; say what both forms are.
    WithJsonSchema({"type": "string", "format": "date-time"}, mode="serialization"),
]
"""A datetime written in the caller's `TimestampForm`."""


class View(BaseModel):
    """Built from the store's frozen records by attribute."""

    model_config = ConfigDict(from_attributes=True)


class RunRecordView(View):
    """A run with every field of its record: the `run` (and `runs`) of the CLI's `--json`."""

    id: str
    workflow_id: int
    workflow_name: str
    version_id: int
    version_number: int
    status: RunStatus
    trigger: str
    inputs: dict[str, Any]
    output: Any
    error: dict[str, Any] | None
    created_at: Timestamp
    started_at: Timestamp | None
    finished_at: Timestamp | None
    cancel_requested: bool
    acquired_by: str | None
    """Which process holds the run's lease (executes it) now."""
    acquired_until: Timestamp | None
    retry_of: str | None

    @classmethod
    def of(cls, run: RunRecord) -> Self:
        """The view of `run` (`RunOut.of` gives the API's)."""
        return cls.model_validate(run)


class RunOut(RunRecordView):
    """A run as the REST API answers it: the store's internal ids and the lease stay inside."""

    workflow_id: int = Field(exclude=True)
    version_id: int = Field(exclude=True)
    acquired_by: str | None = Field(exclude=True)
    acquired_until: Timestamp | None = Field(exclude=True)


class StepRunOut(View):
    """One attempt of one step (the CLI's `mwo logs --json` step shape)."""

    step_id: str
    type: str
    version: int | None = None
    """The workflow version number this attempt ran with (a repaired run continues on a newer one)."""
    attempt: int
    status: StepStatus
    input: Any
    output: Any
    error: dict[str, Any] | None
    started_at: Timestamp
    finished_at: Timestamp | None
    duration_ms: float | None

    @classmethod
    def of(cls, r: StepRunRecord, version: int | None = None) -> StepRunOut:
        """The view of attempt `r`, which ran with workflow version number `version`."""
        return cls(
            step_id=r.step_id,
            type=r.step_type,
            version=version,
            attempt=r.attempt,
            status=r.status,
            input=r.input,
            output=r.output,
            error=r.error,
            started_at=r.started_at,
            finished_at=r.finished_at,
            duration_ms=r.duration_ms,
        )


def step_views(
    run: RunRecord, steps: Sequence[StepRunRecord], versions_of: Callable[[str], Iterable[VersionRecord]]
) -> list[StepRunOut]:
    """`steps` with the version number each ran with. Only a repaired run's attempts ran with more than
    the run's own version; only then are the workflow's versions read (`versions_of(name)`)."""
    numbers = {run.version_id: run.version_number}
    if any(r.version_id not in (None, run.version_id) for r in steps):
        numbers = {v.id: v.number for v in versions_of(run.workflow_name)}
    return [StepRunOut.of(r, numbers.get(r.version_id or 0)) for r in steps]


class LogRecordView(View):
    """A log line with every field of its record: the CLI's `mwo logs --json` `logs`."""

    id: int
    run_id: str
    step_id: str | None
    level: LogLevel
    message: str
    created_at: Timestamp

    @classmethod
    def of(cls, r: StepLogRecord) -> Self:
        """The view of log line `r` (`LogOut.of` gives the API's)."""
        return cls.model_validate(r)


class LogOut(LogRecordView):
    """A log line as the REST API answers it (without the row's id and run id)."""

    id: int = Field(exclude=True)
    run_id: str = Field(exclude=True)

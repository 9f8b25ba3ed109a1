"""What the memory store's parts share: one state object behind one lock, and the rules every part
applies to what comes in (aware times kept in UTC, JSON values copied through JSON as a database
column would)."""

from __future__ import annotations

import itertools
import json
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

from mwo.clock import utc_now
from mwo.store.records import (
    ApprovalRecord,
    DeliveryRecord,
    InboxMessage,
    LlmCallRecord,
    RepairProposalRecord,
    RunRecord,
    ScheduleFireRecord,
    ScheduleSpec,
    StepLogRecord,
    StepRunRecord,
    VersionRecord,
)


@dataclass
class WorkflowEntry:
    """A workflow as the memory store keeps it (its record is built on every read)."""

    id: int
    name: str
    description: str
    enabled: bool
    created_at: datetime
    updated_at: datetime
    folder: str | None = None
    tags: set[str] = field(default_factory=set)


@dataclass
class ScheduleEntry:
    """A schedule as the memory store keeps it; its record is built on every read (the workflow's
    switch and id come from the workflow)."""

    id: int
    workflow_name: str
    spec: ScheduleSpec
    paused: bool
    next_fire_at: datetime | None
    next_due_at: datetime | None
    created_at: datetime
    updated_at: datetime


@dataclass
class MemoryState:
    """Every table of the memory store. Ids count up from 1 per kind, as database sequences do."""

    lock: threading.RLock = field(default_factory=threading.RLock)
    workflows: dict[str, WorkflowEntry] = field(default_factory=dict)
    versions: dict[int, VersionRecord] = field(default_factory=dict)
    folders: dict[str, int] = field(default_factory=dict)
    runs: dict[str, RunRecord] = field(default_factory=dict)
    lease_tokens: dict[str, int] = field(default_factory=dict)
    """Each run's fencing token (`runs.lease_token` in SQL); 0 until its lease is first taken."""
    step_runs: dict[int, StepRunRecord] = field(default_factory=dict)
    logs: list[StepLogRecord] = field(default_factory=list)
    approvals: dict[int, ApprovalRecord] = field(default_factory=dict)
    messages: dict[int, InboxMessage] = field(default_factory=dict)
    llm_calls: list[LlmCallRecord] = field(default_factory=list)
    secrets: dict[str, str] = field(default_factory=dict)
    repairs: dict[int, RepairProposalRecord] = field(default_factory=dict)
    deliveries: dict[int, DeliveryRecord] = field(default_factory=dict)
    schedules: dict[str, ScheduleEntry] = field(default_factory=dict)
    fires: dict[int, ScheduleFireRecord] = field(default_factory=dict)
    _ids: dict[str, Iterator[int]] = field(default_factory=dict)

    def next_id(self, kind: str) -> int:
        return next(self._ids.setdefault(kind, itertools.count(1)))


class MemoryBase:
    """The state every part of MemoryStore works with, set once by MemoryStore's constructor."""

    def __init__(
        self,
        state: MemoryState | None = None,
        *,
        run_lease_s: float = 300.0,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self._state = state or MemoryState()
        self._run_lease = timedelta(seconds=run_lease_s)
        # Only for verbs whose signature has no `now` (saving versions, tagging), as in SqlStore.
        self._clock = clock


def utc(value: datetime) -> datetime:
    """`value` in UTC; a naive time is refused as the SQL store's column type refuses it."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"naive datetime {value.isoformat()} given to the store; pass an aware datetime")
    return value.astimezone(timezone.utc)


def utc_or_none(value: datetime | None) -> datetime | None:
    return None if value is None else utc(value)


def as_stored(value: Any) -> Any:
    """`value` as a JSON column gives it back: a copy (the caller may change its own), JSON types only."""
    return None if value is None else json.loads(json.dumps(value))

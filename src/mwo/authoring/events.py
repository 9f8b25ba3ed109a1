"""Progress events: each stage of the pipeline is written to the session before the caller sees it.

The CLI prints them live through `on_event`, the API serves them by polling `after=N`, and the UI
reads the same rows, so a session is followed the same way from anywhere (and after a restart).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from mwo.store.abc import AuthoringStore
from mwo.store.records import AuthoringEventRecord


@dataclass(frozen=True)
class ProgressEvent:
    """One stage: `stage` is a stable word (understanding, domains, retrieving, planning, building,
    validating, repairing, explaining, saved, needs_clarification, refused, failed), `message` is
    for people, in the request's language."""

    session: str
    seq: int
    stage: str
    message: str
    at: datetime
    data: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def of(cls, record: AuthoringEventRecord) -> ProgressEvent:
        return cls(
            record.session_id, record.seq, record.stage, record.message, record.created_at, record.data
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "session": self.session,
            "seq": self.seq,
            "stage": self.stage,
            "message": self.message,
            "at": self.at.isoformat(),
            "data": self.data,
        }


OnEvent = Callable[[ProgressEvent], None]


class EventLog:
    """Writes a session's events to the store, then hands each to the caller's `on_event`."""

    def __init__(
        self,
        store: AuthoringStore,
        session_id: str,
        clock: Callable[[], datetime],
        on_event: OnEvent | None = None,
    ) -> None:
        self._store = store
        self._session = session_id
        self._clock = clock
        self._on_event = on_event

    def emit(self, stage: str, message: str, **data: Any) -> ProgressEvent:
        record = self._store.add_authoring_event(self._session, stage, message, self._clock(), data)
        event = ProgressEvent.of(record)
        if self._on_event is not None:
            self._on_event(event)
        return event

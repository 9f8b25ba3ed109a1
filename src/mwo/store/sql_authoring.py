"""Authoring sessions and their progress events in SQL: one row per session, one per event.

An event's `seq` is the session's next number, taken inside the transaction that inserts it; the
UNIQUE(session_id, seq) constraint makes a racing second writer fail instead of reusing a number.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mwo.store.abc import AuthoringStore
from mwo.store.errors import Conflict, NotFound
from mwo.store.records import AuthoringEventRecord, AuthoringSessionRecord, AuthoringStatus
from mwo.store.sql_common import SqlBase
from mwo.store.tables import AuthoringEventRow, AuthoringSessionRow

_SESSION_FIX = 'start a new one with `mwo create "..."` (sessions are listed by the API)'


class SqlAuthoringStore(SqlBase, AuthoringStore):
    def create_authoring_session(
        self, session_id: str, kind: str, request: str, now: datetime, workflow_name: str | None = None
    ) -> AuthoringSessionRecord:
        row = AuthoringSessionRow(
            id=session_id,
            kind=kind,
            request=request,
            workflow_name=workflow_name,
            answers={},
            status=AuthoringStatus.WORKING.value,
            result=None,
            created_at=now,
            updated_at=now,
        )
        with self._db.session_scope() as session:
            if session.get(AuthoringSessionRow, session_id) is not None:
                raise Conflict(f"authoring session {session_id!r} already exists", "use a new id")
            session.add(row)
            session.flush()
            return _to_session(row)

    def get_authoring_session(self, session_id: str) -> AuthoringSessionRecord:
        with self._db.session_scope(read_only=True) as session:
            return _to_session(_session_row(session, session_id))

    def update_authoring_session(
        self,
        session_id: str,
        now: datetime,
        *,
        status: AuthoringStatus | None = None,
        answers: dict[str, str] | None = None,
        result: dict[str, Any] | None = None,
    ) -> AuthoringSessionRecord:
        with self._db.session_scope() as session:
            row = _session_row(session, session_id)
            if status is not None:
                row.status = status.value
            if answers is not None:
                row.answers = dict(answers)
            if result is not None:
                row.result = result
            row.updated_at = now
            session.flush()
            return _to_session(row)

    def list_authoring_sessions(self, limit: int = 50) -> list[AuthoringSessionRecord]:
        query = (
            select(AuthoringSessionRow)
            .order_by(AuthoringSessionRow.created_at.desc(), AuthoringSessionRow.id)
            .limit(limit)
        )
        with self._db.session_scope(read_only=True) as session:
            return [_to_session(row) for row in session.scalars(query)]

    def add_authoring_event(
        self, session_id: str, stage: str, message: str, now: datetime, data: dict[str, Any] | None = None
    ) -> AuthoringEventRecord:
        with self._db.session_scope() as session:
            _session_row(session, session_id)
            last = session.scalar(
                select(func.max(AuthoringEventRow.seq)).where(AuthoringEventRow.session_id == session_id)
            )
            row = AuthoringEventRow(
                session_id=session_id,
                seq=(last or 0) + 1,
                stage=stage,
                message=message,
                data=dict(data or {}),
                created_at=now,
            )
            session.add(row)
            session.flush()
            return _to_event(row)

    def list_authoring_events(self, session_id: str, after: int = 0) -> list[AuthoringEventRecord]:
        query = (
            select(AuthoringEventRow)
            .where(AuthoringEventRow.session_id == session_id, AuthoringEventRow.seq > after)
            .order_by(AuthoringEventRow.seq)
        )
        with self._db.session_scope(read_only=True) as session:
            _session_row(session, session_id)
            return [_to_event(row) for row in session.scalars(query)]


def _session_row(session: Session, session_id: str) -> AuthoringSessionRow:
    row = session.get(AuthoringSessionRow, session_id)
    if row is None:
        raise NotFound(f"no authoring session {session_id!r}", _SESSION_FIX)
    return row


def _to_session(row: AuthoringSessionRow) -> AuthoringSessionRecord:
    return AuthoringSessionRecord(
        id=row.id,
        kind=row.kind,
        request=row.request,
        workflow_name=row.workflow_name,
        answers={str(k): str(v) for k, v in (row.answers or {}).items()},
        status=AuthoringStatus(row.status),
        result=dict(row.result) if row.result is not None else None,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def _to_event(row: AuthoringEventRow) -> AuthoringEventRecord:
    return AuthoringEventRecord(
        session_id=row.session_id,
        seq=row.seq,
        stage=row.stage,
        message=row.message,
        data=dict(row.data or {}),
        created_at=row.created_at,
    )

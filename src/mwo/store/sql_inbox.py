"""The inbox in SQL: notifications for people who have no mail server configured."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from mwo.store.abc import InboxStore
from mwo.store.errors import NotFound
from mwo.store.records import InboxMessage
from mwo.store.sql_common import SqlBase, to_message
from mwo.store.tables import InboxMessageRow


class SqlInboxStore(SqlBase, InboxStore):
    """Inbox messages, newest first; `run_id` is kept as a plain reference."""

    def post_message(self, title: str, body: str, now: datetime, run_id: str | None = None) -> InboxMessage:
        with self._db.session_scope() as session:
            row = InboxMessageRow(run_id=run_id, title=title, body=body, created_at=now)
            session.add(row)
            session.flush()
            return to_message(row)

    def list_messages(self, unread_only: bool = False, limit: int = 50) -> list[InboxMessage]:
        statement = (
            select(InboxMessageRow)
            .order_by(InboxMessageRow.created_at.desc(), InboxMessageRow.id.desc())
            .limit(limit)
        )
        if unread_only:
            statement = statement.where(InboxMessageRow.read_at.is_(None))
        with self._db.session_scope(read_only=True) as session:
            return [to_message(row) for row in session.scalars(statement)]

    def mark_read(self, message_id: int, now: datetime) -> None:
        """Marking a read message again keeps the first read time."""
        with self._db.session_scope() as session:
            row = session.get(InboxMessageRow, message_id)
            if row is None:
                raise NotFound(f"no inbox message with id {message_id}", fix="list messages with `mwo inbox`")
            if row.read_at is None:
                row.read_at = now

"""The inbox in memory: messages newest first; `run_id` is a plain reference, as in SQL."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from mwo.store.abc import InboxStore
from mwo.store.errors import NotFound
from mwo.store.memory.state import MemoryBase, utc
from mwo.store.records import InboxMessage


class MemoryInboxStore(MemoryBase, InboxStore):
    def post_message(self, title: str, body: str, now: datetime, run_id: str | None = None) -> InboxMessage:
        with self._state.lock:
            message = InboxMessage(self._state.next_id("message"), run_id, title, body, utc(now), None)
            self._state.messages[message.id] = message
            return message

    def list_messages(self, unread_only: bool = False, limit: int = 50) -> list[InboxMessage]:
        with self._state.lock:
            messages = [m for m in self._state.messages.values() if not unread_only or m.read_at is None]
        return sorted(messages, key=lambda m: (m.created_at, m.id), reverse=True)[:limit]

    def mark_read(self, message_id: int, now: datetime) -> None:
        """Marking a read message again keeps the first read time."""
        with self._state.lock:
            message = self._state.messages.get(message_id)
            if message is None:
                raise NotFound(f"no inbox message with id {message_id}", fix="list messages with `mwo inbox`")
            if message.read_at is None:
                self._state.messages[message_id] = replace(message, read_at=utc(now))

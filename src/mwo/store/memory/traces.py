"""LLM call traces in memory, append-only."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from mwo.store.abc import TraceStore
from mwo.store.memory.state import MemoryBase, as_stored, utc
from mwo.store.records import LlmCallRecord


class MemoryTraceStore(MemoryBase, TraceStore):
    def record_llm_call(self, call: LlmCallRecord, now: datetime) -> LlmCallRecord:
        """`call.id` and `call.created_at` are ignored: the store assigns them."""
        with self._state.lock:
            stored = replace(
                call,
                id=self._state.next_id("llm_call"),
                created_at=utc(now),
                extra=as_stored(dict(call.extra)),
            )
            self._state.llm_calls.append(stored)
            return stored

    def list_llm_calls(self, run_id: str | None = None, limit: int = 50) -> list[LlmCallRecord]:
        with self._state.lock:
            calls = [c for c in self._state.llm_calls if run_id is None or c.run_id == run_id]
        return sorted(calls, key=lambda c: (c.created_at, c.id or 0), reverse=True)[:limit]

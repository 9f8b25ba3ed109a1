"""LLM call traces in SQL: what was asked, what came back, how long and how many tokens it took."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from mwo.store.abc import TraceStore
from mwo.store.records import LlmCallRecord
from mwo.store.sql_common import SqlBase, to_llm_call
from mwo.store.tables import LlmCallRow


class SqlTraceStore(SqlBase, TraceStore):
    """LLM call traces, append-only."""

    def record_llm_call(self, call: LlmCallRecord, now: datetime) -> LlmCallRecord:
        """`call.id` and `call.created_at` are ignored: the store assigns them."""
        with self._db.session_scope() as session:
            row = LlmCallRow(
                run_id=call.run_id,
                step_id=call.step_id,
                caller=call.caller,
                model=call.model,
                prompt_tokens=call.prompt_tokens,
                completion_tokens=call.completion_tokens,
                latency_ms=call.latency_ms,
                prompt=call.prompt,
                response=call.response,
                error=call.error,
                extra=dict(call.extra),
                created_at=now,
            )
            session.add(row)
            session.flush()
            return to_llm_call(row)

    def list_llm_calls(self, run_id: str | None = None, limit: int = 50) -> list[LlmCallRecord]:
        statement = (
            select(LlmCallRow).order_by(LlmCallRow.created_at.desc(), LlmCallRow.id.desc()).limit(limit)
        )
        if run_id is not None:
            statement = statement.where(LlmCallRow.run_id == run_id)
        with self._db.session_scope(read_only=True) as session:
            return [to_llm_call(row) for row in session.scalars(statement)]

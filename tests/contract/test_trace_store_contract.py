"""The TraceStore contract on every backend: every LLM call is a row, newest first, by run."""

from __future__ import annotations

from mwo.store import (
    LlmCallRecord,
    Store,
)
from mwo.store.abc import TraceStore
from tests.contract.support import T0, at, new_run

CONTRACT = TraceStore


def test_llm_calls_are_traced(store: Store) -> None:
    run_id = new_run(store)
    call = LlmCallRecord(
        caller="executor.llm_call",
        model="qwen2.5-coder-1.5b",
        prompt="요약해 주세요",
        response="두 문장",
        prompt_tokens=12,
        completion_tokens=5,
        latency_ms=812.5,
        run_id=run_id,
        step_id="summarize",
        extra={"temperature": 0.2},
    )

    recorded = store.record_llm_call(call, T0)
    planner = store.record_llm_call(
        LlmCallRecord(caller="planner", model="m", prompt="p", response="", error="timeout"), at(1)
    )

    assert recorded.id is not None and recorded.created_at == T0
    assert recorded == LlmCallRecord(**{**call.__dict__, "id": recorded.id, "created_at": T0})
    assert store.list_llm_calls() == [planner, recorded]
    assert store.list_llm_calls(run_id=run_id) == [recorded]
    assert store.list_llm_calls(limit=1) == [planner]
    assert planner.error == "timeout" and planner.run_id is None

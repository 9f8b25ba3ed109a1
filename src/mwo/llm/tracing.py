"""Tracing: every model call becomes an `llm_calls` row, and optionally a LangSmith run.

Rows hold the prompt and the answer with the run's secret values masked (the caller passes the
run's redactor), token counts, latency, the model and who asked (`caller`: `step:LLM_CALL`,
`cli:chat`, ...), so `mwo` can show what the model was asked and what it cost.

LangSmith: with LANGSMITH_API_KEY set, each call also gets a LangChain tracer whose client masks
the same secret values in inputs and outputs (`hide_inputs`/`hide_outputs`) before anything leaves
the machine. A client is made per call because the redactor belongs to the run; it posts
synchronously (no background batch thread), so nothing is left behind when a CLI process exits.
Tests pass a `requests.Session` to read the payloads without a network.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from mwo.store.abc import TraceStore
from mwo.store.records import LlmCallRecord

Redact = Callable[[str], str]


def no_redaction(text: str) -> str:
    return text


def redact_tree(value: Any, redact: Redact) -> Any:
    """A copy of a JSON-like value with `redact` applied to every string (keys included)."""
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, Mapping):
        return {redact(str(k)): redact_tree(v, redact) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [redact_tree(v, redact) for v in value]
    return value


def record_call(
    store: TraceStore | None, call: LlmCallRecord, redact: Redact, now: datetime
) -> LlmCallRecord | None:
    """Write one trace row with prompt, response, error and extras masked."""
    if store is None:
        return None
    masked = LlmCallRecord(
        caller=call.caller,
        model=call.model,
        prompt=redact(call.prompt),
        response=redact(call.response),
        prompt_tokens=call.prompt_tokens,
        completion_tokens=call.completion_tokens,
        latency_ms=call.latency_ms,
        run_id=call.run_id,
        step_id=call.step_id,
        error=redact(call.error) if call.error is not None else None,
        extra=redact_tree(dict(call.extra), redact),
    )
    return store.record_llm_call(masked, now)


@dataclass(frozen=True)
class LangSmithWiring:
    """How to reach LangSmith; None from `from_env` when LANGSMITH_API_KEY is not set."""

    api_key: str
    endpoint: str | None = None
    project: str | None = None
    session: Any = None
    """A requests.Session for the client (tests record payloads with it)."""

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> LangSmithWiring | None:
        env = os.environ if environ is None else environ
        key = env.get("LANGSMITH_API_KEY") or env.get("LANGCHAIN_API_KEY")
        if not key:
            return None
        return cls(
            api_key=key,
            endpoint=env.get("LANGSMITH_ENDPOINT") or env.get("LANGCHAIN_ENDPOINT"),
            project=env.get("LANGSMITH_PROJECT") or env.get("LANGCHAIN_PROJECT") or "mwo",
        )

    def tracer(self, redact: Redact) -> Any:
        """A LangChain tracer for one call whose client masks secrets in what it sends."""
        from langchain_core.tracers import LangChainTracer
        from langsmith import Client

        def hide(data: dict[str, Any]) -> dict[str, Any]:
            return dict(redact_tree(data, redact))

        client = Client(
            api_url=self.endpoint,
            api_key=self.api_key,
            session=self.session,
            auto_batch_tracing=False,
            hide_inputs=hide,
            hide_outputs=hide,
        )
        return LangChainTracer(client=client, project_name=self.project)


__all__ = ["LangSmithWiring", "Redact", "no_redaction", "record_call", "redact_tree"]

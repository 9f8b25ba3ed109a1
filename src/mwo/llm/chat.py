"""What the three chat models share: OpenAI-shaped messages in, LangChain results out.

Each model is a LangChain `BaseChatModel`, so LangChain callbacks (LangSmith, LangGraph) see every
call unchanged. Per-call options arrive as keyword arguments of `invoke`/`stream`:
`temperature`, `max_tokens` and `json_schema` (a JSON Schema the answer must follow; each model
enforces it its own way). Every answer carries `response_metadata["finish_reason"]` and token counts
in `usage_metadata`, which the structured-output checks and the tracer read.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from langchain_core.messages import AIMessage, BaseMessage, convert_to_openai_messages
from langchain_core.messages.ai import UsageMetadata
from langchain_core.outputs import ChatGeneration, ChatResult


def openai_messages(messages: Sequence[BaseMessage]) -> list[dict[str, Any]]:
    """LangChain messages as OpenAI chat messages (role + text content)."""
    converted = convert_to_openai_messages(list(messages), text_format="string")
    return [converted] if isinstance(converted, dict) else list(converted)


def usage(prompt_tokens: int, completion_tokens: int) -> UsageMetadata:
    return UsageMetadata(
        input_tokens=prompt_tokens,
        output_tokens=completion_tokens,
        total_tokens=prompt_tokens + completion_tokens,
    )


def chat_result(
    text: str, *, model: str, finish_reason: str | None, prompt_tokens: int, completion_tokens: int
) -> ChatResult:
    """One answer in LangChain's shape, with what tracing and the checks need."""
    message = AIMessage(
        content=text,
        response_metadata={"finish_reason": finish_reason, "model_name": model},
        usage_metadata=usage(prompt_tokens, completion_tokens),
    )
    return ChatResult(
        generations=[ChatGeneration(message=message, generation_info={"finish_reason": finish_reason})],
        llm_output={
            "model_name": model,
            "token_usage": {"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens},
        },
    )


def option(kwargs: dict[str, Any], name: str, default: Any) -> Any:
    """A per-call option, falling back to the model's own field when absent or None."""
    value = kwargs.get(name)
    return default if value is None else value


__all__ = ["chat_result", "openai_messages", "option", "usage"]

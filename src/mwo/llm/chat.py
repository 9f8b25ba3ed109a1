"""What the three chat models share: OpenAI-shaped messages in, LangChain results out.

Each model is a LangChain `BaseChatModel`, so LangChain callbacks (LangSmith, LangGraph) see every
call unchanged. Per-call options arrive as keyword arguments of `invoke`/`stream`:
`temperature`, `max_tokens` and `json_schema` (a JSON Schema the answer must follow; each model
enforces it its own way). Every answer carries `response_metadata["finish_reason"]` and token counts
in `usage_metadata`, which the structured-output checks and the tracer read.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage, convert_to_openai_messages
from langchain_core.messages.ai import UsageMetadata
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult


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


@dataclass
class StreamTally:
    """Turns OpenAI-shaped streamed choices (`{delta: {content}, finish_reason}`) into LangChain
    chunks, counting them, so a stream ends with one chunk carrying finish_reason and token counts.
    The last chunk is separate so a model can release its resources before it is sent."""

    pieces: int = 0
    finish_reason: str | None = None

    def chunks(
        self, choices: Iterable[dict[str, Any]], run_manager: CallbackManagerForLLMRun | None
    ) -> Iterator[ChatGenerationChunk]:
        """Each non-empty text delta, as it comes (and to the callbacks)."""
        for choice in choices:
            self.finish_reason = choice.get("finish_reason") or self.finish_reason
            text = (choice.get("delta") or {}).get("content") or ""
            if text:
                self.pieces += 1
                if run_manager:
                    run_manager.on_llm_new_token(text)
                yield ChatGenerationChunk(message=AIMessageChunk(content=text))

    def last_chunk(self, model: str, prompt_tokens: int) -> ChatGenerationChunk:
        """The empty closing chunk: finish_reason, model and token counts (one token a piece)."""
        return ChatGenerationChunk(
            message=AIMessageChunk(
                content="",
                response_metadata={"finish_reason": self.finish_reason, "model_name": model},
                usage_metadata=usage(prompt_tokens, self.pieces),
            )
        )


def option(kwargs: dict[str, Any], name: str, default: Any) -> Any:
    """A per-call option, falling back to the model's own field when absent or None."""
    value = kwargs.get(name)
    return default if value is None else value


__all__ = ["StreamTally", "chat_result", "openai_messages", "option", "usage"]

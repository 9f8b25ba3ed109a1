"""A scripted chat model for unit tests only: answers come from a list, calls are recorded.

It is a real `BaseChatModel`, so everything above it (structured output, tracing, the LLM_CALL
executor, LangSmith callbacks) runs unchanged. It never looks at `json_schema`: a test scripts a
malformed or truncated answer to see the checks above it fire.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGenerationChunk, ChatResult
from pydantic import Field

from mwo.llm.chat import chat_result, openai_messages, usage


@dataclass(frozen=True)
class FakeReply:
    """One scripted answer; `error` (an exception) is raised instead when set."""

    text: str = ""
    finish_reason: str = "stop"
    prompt_tokens: int = 7
    completion_tokens: int = 3
    error: Exception | None = None


class FakeChatModel(BaseChatModel):
    """Answers with the next scripted reply; with none left, echoes the last message."""

    script: list[FakeReply | str] = Field(default_factory=list, repr=False)
    calls: list[dict[str, Any]] = Field(default_factory=list, repr=False)
    """What each call received: OpenAI-shaped messages and the per-call options."""
    model_name: str = "fake"

    @property
    def _llm_type(self) -> str:
        return "mwo-fake"

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        reply = self._next(messages, kwargs)
        return chat_result(
            reply.text,
            model=self.model_name,
            finish_reason=reply.finish_reason,
            prompt_tokens=reply.prompt_tokens,
            completion_tokens=reply.completion_tokens,
        )

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        reply = self._next(messages, kwargs)
        for word in reply.text.split(" "):
            yield ChatGenerationChunk(message=AIMessageChunk(content=word + " "))
        yield ChatGenerationChunk(
            message=AIMessageChunk(
                content="",
                response_metadata={"finish_reason": reply.finish_reason, "model_name": self.model_name},
                usage_metadata=usage(reply.prompt_tokens, reply.completion_tokens),
            )
        )

    def _next(self, messages: list[BaseMessage], kwargs: dict[str, Any]) -> FakeReply:
        sent = openai_messages(messages)
        self.calls.append({"messages": sent, **kwargs})
        if not self.script:
            return FakeReply(text=str(sent[-1]["content"]) if sent else "")
        item = self.script.pop(0)
        reply = FakeReply(text=item) if isinstance(item, str) else item
        if reply.error is not None:
            raise reply.error
        return reply


__all__ = ["FakeChatModel", "FakeReply"]

"""A scripted chat model for unit tests only: answers come from a list, calls are recorded.

It is a real `BaseChatModel`, so everything above it (structured output, tracing, the LLM_CALL
executor, LangSmith callbacks) runs unchanged. It never looks at `json_schema`: a test scripts a
malformed or truncated answer to see the checks above it fire.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGenerationChunk, ChatResult
from pydantic import Field

from mwo.llm.chat import chat_result, openai_messages, usage
from mwo.llm.interrupt import Interrupt


@dataclass(frozen=True)
class FakeReply:
    """One scripted answer; `error` (an exception) is raised instead when set."""

    text: str = ""
    finish_reason: str = "stop"
    prompt_tokens: int = 7
    completion_tokens: int = 3
    error: Exception | None = None
    pause_s: float = 0.0
    """Seconds between words: a slow generation, for tests that stop a call in flight."""


class FakeChatModel(BaseChatModel):
    """Answers with the next scripted reply; with none left, echoes the last message."""

    script: list[FakeReply | str] = Field(default_factory=list, repr=False)
    calls: list[dict[str, Any]] = Field(default_factory=list, repr=False)
    """What each call received: OpenAI-shaped messages and the per-call options."""
    model_name: str = "fake"
    words_produced: int = 0
    """Words generated so far over all calls (a stopped call produces fewer than its reply has)."""

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
        text = " ".join(self._words(reply, kwargs.get("interrupt")))
        return chat_result(
            text,
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
        for word in self._words(reply, kwargs.get("interrupt")):
            yield ChatGenerationChunk(message=AIMessageChunk(content=word + " "))
        yield ChatGenerationChunk(
            message=AIMessageChunk(
                content="",
                response_metadata={"finish_reason": reply.finish_reason, "model_name": self.model_name},
                usage_metadata=usage(reply.prompt_tokens, reply.completion_tokens),
            )
        )

    def _words(self, reply: FakeReply, interrupt: Interrupt | None) -> Iterator[str]:
        """The reply word by word, `pause_s` apart, stopping when the caller's interrupt asks."""
        for word in reply.text.split(" "):
            if interrupt is not None:
                interrupt.raise_if_requested()
            if reply.pause_s:
                time.sleep(reply.pause_s)
            self.words_produced += 1
            yield word

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

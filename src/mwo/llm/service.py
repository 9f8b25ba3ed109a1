"""The LLM service of a process: ask the configured model, check structure, trace every call.

Everything AI in MWO (LLM_CALL steps, `mwo llm chat`, later authoring and repair) goes through
`LlmService.ask` or `.stream`, so every call gets the same checks and the same trace row. The service
owns the process's LocalModel (created on first use, loaded on first call, kept until `close`), so
the model is loaded once per process and never held by a module global.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage, HumanMessage, SystemMessage
from langchain_core.runnables import RunnableConfig

from mwo.clock import utc_now
from mwo.llm.errors import LlmError
from mwo.llm.factory import local_model, make_chat_model
from mwo.llm.interrupt import Interrupt
from mwo.llm.local import LocalModel
from mwo.llm.model_files import MODEL_NAME
from mwo.llm.structured import check_schema, parse_structured, schema_instruction
from mwo.llm.tracing import LangSmithWiring, Redact, no_redaction, record_call
from mwo.settings import LlmSettings
from mwo.store.abc import SecretStore, TraceStore
from mwo.store.records import LlmCallRecord


@dataclass(frozen=True)
class LlmRequest:
    """One question: what an LLM_CALL step or a command asks."""

    prompt: str
    system: str | None = None
    schema: dict[str, Any] | None = None
    temperature: float = 0.2
    max_tokens: int = 512
    model: str | None = None


@dataclass(frozen=True)
class LlmAnswer:
    text: str
    model: str
    finish_reason: str | None
    prompt_tokens: int
    completion_tokens: int
    latency_ms: float
    data: Any = None
    """The parsed, schema-checked value when the request had a schema."""

    @property
    def truncated(self) -> bool:
        return self.finish_reason == "length"


@dataclass
class _Call:
    """Facts about one call gathered for its trace row."""

    caller: str
    model: str
    prompt: str
    run_id: str | None
    step_id: str | None
    request: LlmRequest
    started: float = field(default_factory=time.perf_counter)


class SecretsAndTraces(SecretStore, TraceStore, Protocol):
    """What the LLM service reads and writes: an endpoint's API key (a secret) and a trace row per call."""


class LlmService:
    """Asks the model chosen by settings; `chat_model` replaces it (tests pass a FakeChatModel)."""

    def __init__(
        self,
        settings: LlmSettings,
        store: SecretsAndTraces | None,
        *,
        chat_model: BaseChatModel | None = None,
        langsmith: LangSmithWiring | None = None,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        """`settings`: the LLM part of MWO's settings (`Settings.llm`); `store` (None: no trace rows,
        no key from secrets) records each call and holds the endpoint key's secret."""
        self.settings = settings
        self._store = store
        self._chat_model = chat_model
        self._langsmith = langsmith if langsmith is not None else LangSmithWiring.from_env()
        self._clock = clock
        self._local: LocalModel | None = None

    @property
    def local(self) -> LocalModel:
        """This process's embedded model (not loaded until its first call)."""
        if self._local is None:
            self._local = local_model(self.settings)
        return self._local

    def model_name(self, requested: str | None = None) -> str:
        if self._chat_model is not None:
            return str(getattr(self._chat_model, "model_name", "custom"))
        if self.settings.provider == "local":
            return MODEL_NAME
        if self.settings.provider == "fake":
            return "fake"
        return requested or self.settings.model or "unset"

    def chat_model(self, requested: str | None = None) -> BaseChatModel:
        if self._chat_model is not None:
            return self._chat_model
        local = self.local if self.settings.provider == "local" else None
        return make_chat_model(self.settings, local=local, secrets=self._store, model=requested)

    def ask(
        self,
        request: LlmRequest,
        *,
        caller: str,
        run_id: str | None = None,
        step_id: str | None = None,
        redact: Redact = no_redaction,
        interrupt: Interrupt | None = None,
    ) -> LlmAnswer:
        """One answer; with `request.schema`, its checked JSON value in `data`. LlmError on failure.

        With `interrupt`, the call stops soon after it asks (LlmInterrupted; the local model's lock is
        released), so a cancelled run or one past its deadline does not wait for the whole answer.
        """
        if request.schema is not None:
            check_schema(request.schema)
        messages = _messages(request)
        model = self.model_name(request.model)
        call = _Call(caller, model, _trace_prompt(messages), run_id, step_id, request)
        try:
            message = self.chat_model(request.model).invoke(
                messages, self._config(caller, redact), **_options(request, interrupt)
            )
            answer = _answer(message, call)
            if request.schema is not None:
                data = parse_structured(answer.text, request.schema, answer.finish_reason, request.max_tokens)
                answer = _with_data(answer, data)
        except LlmError as exc:
            self._trace(call, redact, error=exc)
            raise
        self._trace(call, redact, answer=answer)
        return answer

    def stream(
        self,
        request: LlmRequest,
        *,
        caller: str,
        redact: Redact = no_redaction,
        interrupt: Interrupt | None = None,
    ) -> Iterator[str]:
        """The answer's text as it is generated (no schema); traced once it is complete."""
        messages = _messages(request)
        call = _Call(caller, self.model_name(request.model), _trace_prompt(messages), None, None, request)
        pieces: list[str] = []
        merged: AIMessageChunk | None = None
        try:
            for chunk in self.chat_model(request.model).stream(
                messages, self._config(caller, redact), **_options(request, interrupt)
            ):
                merged = chunk if merged is None else merged + chunk
                text = chunk.text
                if text:
                    pieces.append(text)
                    yield text
        except LlmError as exc:
            self._trace(call, redact, error=exc)
            raise
        metadata = merged.response_metadata if merged is not None else {}
        tokens: Mapping[str, Any] = (merged.usage_metadata if merged is not None else None) or {}
        answer = LlmAnswer(
            text="".join(pieces),
            model=call.model,
            finish_reason=metadata.get("finish_reason"),
            prompt_tokens=int(tokens.get("input_tokens", 0)),
            completion_tokens=int(tokens.get("output_tokens", 0)),
            latency_ms=(time.perf_counter() - call.started) * 1000,
        )
        self._trace(call, redact, answer=answer)

    def close(self) -> None:
        """Free the loaded model (the process may also just exit)."""
        if self._local is not None:
            self._local.close()

    def _config(self, caller: str, redact: Redact) -> RunnableConfig:
        config = RunnableConfig(run_name=caller, tags=["mwo"])
        if self._langsmith is not None:
            config["callbacks"] = [self._langsmith.tracer(redact)]
        return config

    def _trace(
        self, call: _Call, redact: Redact, *, answer: LlmAnswer | None = None, error: LlmError | None = None
    ) -> None:
        latency = answer.latency_ms if answer else (time.perf_counter() - call.started) * 1000
        extra: dict[str, Any] = {
            "provider": self.settings.provider if self._chat_model is None else "custom",
            "temperature": call.request.temperature,
            "max_tokens": call.request.max_tokens,
            "structured": call.request.schema is not None,
        }
        if answer is not None:
            extra["finish_reason"] = answer.finish_reason
        if error is not None:
            extra["error_code"] = error.code
        record = LlmCallRecord(
            caller=call.caller,
            model=answer.model if answer else call.model,
            prompt=call.prompt,
            response=answer.text if answer else "",
            prompt_tokens=answer.prompt_tokens if answer else 0,
            completion_tokens=answer.completion_tokens if answer else 0,
            latency_ms=latency,
            run_id=call.run_id,
            step_id=call.step_id,
            error=f"{error.message} (fix: {error.fix})" if error else None,
            extra=extra,
        )
        record_call(self._store, record, redact, self._clock())


def _messages(request: LlmRequest) -> list[BaseMessage]:
    system = request.system or ""
    if request.schema is not None:
        system = f"{system}\n\n{schema_instruction(request.schema)}".strip()
    messages: list[BaseMessage] = [SystemMessage(system)] if system else []
    messages.append(HumanMessage(request.prompt))
    return messages


def _options(request: LlmRequest, interrupt: Interrupt | None) -> dict[str, Any]:
    options: dict[str, Any] = {"temperature": request.temperature, "max_tokens": request.max_tokens}
    if interrupt is not None:
        options["interrupt"] = interrupt
    if request.schema is not None:
        options["json_schema"] = request.schema
    if request.model is not None:
        options["model"] = request.model
    return options


def _trace_prompt(messages: list[BaseMessage]) -> str:
    roles = {"human": "user", "ai": "assistant"}
    return "\n\n".join(f"{roles.get(m.type, m.type)}: {m.text}" for m in messages)


def _answer(message: AIMessage, call: _Call) -> LlmAnswer:
    tokens: Mapping[str, Any] = message.usage_metadata or {}
    return LlmAnswer(
        text=message.text,
        model=str(message.response_metadata.get("model_name") or call.model),
        finish_reason=message.response_metadata.get("finish_reason"),
        prompt_tokens=int(tokens.get("input_tokens", 0)),
        completion_tokens=int(tokens.get("output_tokens", 0)),
        latency_ms=(time.perf_counter() - call.started) * 1000,
    )


def _with_data(answer: LlmAnswer, data: Any) -> LlmAnswer:
    return LlmAnswer(
        text=answer.text,
        model=answer.model,
        finish_reason=answer.finish_reason,
        prompt_tokens=answer.prompt_tokens,
        completion_tokens=answer.completion_tokens,
        latency_ms=answer.latency_ms,
        data=data,
    )


__all__ = ["LlmAnswer", "LlmRequest", "LlmService"]

"""The embedded model: one llama.cpp instance per process, loaded on first use, one call at a time.

Why in-process rather than a model server: loading is cheap (~1 s, the GGUF is memory-mapped and the
page cache keeps it warm across processes), while a server would add a port, its supervision and its
authentication. What is expensive is prompt processing (~55 tokens/s on 2 cores), and that is what
the prompt cache saves: in-process, llama.cpp keeps the KV cache of the last prompt and re-uses its
longest common prefix; `MWO_LLM_PROMPT_CACHE=ram` adds saved states of earlier prompts (so alternating
prompts with a shared prefix both stay cheap), `disk` shares those states between processes (a CLI
command after `mwo serve`, two workers).

Concurrency: a llama.cpp context is not thread-safe, and a second context would double the memory
(2.2 GB) on a laptop, so calls are serialized with a lock: two runs asking at once wait their turn;
neither crashes nor sees the other's tokens. Separate processes each have their own context.

The object is owned by whoever builds the services (the LLM service of a process), never a global.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Protocol, cast, runtime_checkable

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import BaseMessage
from langchain_core.outputs import ChatGenerationChunk, ChatResult
from pydantic import ConfigDict, Field

from mwo.llm.chat import StreamTally, chat_result, openai_messages, option
from mwo.llm.errors import LlmError, ModelLoadFailed, PromptTooLong
from mwo.llm.interrupt import Interrupt
from mwo.llm.model_files import MODEL_NAME, ModelFiles

if TYPE_CHECKING:
    from llama_cpp import Llama

PromptCache = Literal["ram", "disk", "off"]


@runtime_checkable
class _Closable(Protocol):
    def close(self) -> None: ...


BUILD_FIX = (
    "install llama-cpp-python 0.3.x (`make setup`; it builds with portable CPU flags, "
    'CMAKE_ARGS="-DGGML_NATIVE=OFF -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON")'
)


class LocalModel:
    """Holds the loaded llama.cpp model of this process and the lock that serializes its use."""

    def __init__(
        self,
        files: ModelFiles,
        *,
        context_tokens: int = 4096,
        threads: int | None = None,
        prompt_cache: PromptCache = "ram",
        prompt_cache_bytes: int = 1 << 30,
        prompt_cache_dir: Path | None = None,
    ) -> None:
        self.files = files
        self.context_tokens = context_tokens
        self.threads = threads or os.cpu_count() or 1
        self.prompt_cache = prompt_cache
        self.prompt_cache_bytes = prompt_cache_bytes
        self.prompt_cache_dir = prompt_cache_dir
        self.load_seconds: float | None = None
        self._llama: Llama | None = None
        self._lock = threading.Lock()

    @property
    def loaded(self) -> bool:
        return self._llama is not None

    @contextmanager
    def session(self, interrupt: Interrupt | None = None) -> Iterator[Llama]:
        """The model, for exactly one caller at a time (hold it for the whole call, streaming too).

        With `interrupt`, waiting for the lock (another run's call may take minutes) also stops when
        the caller no longer wants the answer.
        """
        if interrupt is None:
            self._lock.acquire()
        else:
            while not self._lock.acquire(timeout=max(interrupt.every_s, 0.01)):
                interrupt.raise_if_requested()
        try:
            if self._llama is None:
                self._llama = self._load()
            yield self._llama
        finally:
            self._lock.release()

    def close(self) -> None:
        with self._lock:
            if self._llama is not None:
                if isinstance(self._llama.cache, _Closable):
                    self._llama.cache.close()
                self._llama.close()
                self._llama = None

    def _load(self) -> Llama:
        path = self.files.ensure()
        try:
            from llama_cpp import Llama
        except ImportError as exc:
            raise ModelLoadFailed(f"llama-cpp-python is not installed: {exc}", BUILD_FIX) from None
        started = time.perf_counter()
        try:
            llama = Llama(
                model_path=str(path),
                n_ctx=self.context_tokens,
                n_threads=self.threads,
                n_threads_batch=self.threads,
                n_batch=512,
                verbose=False,
            )
        except (ValueError, RuntimeError, OSError) as exc:
            raise ModelLoadFailed(
                f"llama.cpp could not load {path}: {exc}",
                "run `mwo llm pull` to rebuild the file; if it persists, reinstall llama-cpp-python",
            ) from exc
        self._attach_cache(llama)
        self.load_seconds = time.perf_counter() - started
        return llama

    def _attach_cache(self, llama: Llama) -> None:
        """Our prompt caches (mwo.llm.prompt_cache says why not llama-cpp-python's own)."""
        if self.prompt_cache == "off":
            return
        from mwo.llm.prompt_cache import DiskPromptCache, RamPromptCache

        if self.prompt_cache == "ram":
            llama.set_cache(RamPromptCache(self.prompt_cache_bytes))
            return
        if self.prompt_cache_dir is None:
            raise LlmError("the disk prompt cache needs a directory", "set MWO_HOME")
        llama.set_cache(DiskPromptCache(self.prompt_cache_dir, self.prompt_cache_bytes))


class LocalChatModel(BaseChatModel):
    """The embedded model as a LangChain chat model; JSON Schema output through a llama.cpp grammar.

    The grammar makes the sampler emit only text the schema allows, so the answer is valid JSON of
    the right shape unless it is cut off by max_tokens (finish_reason=length), which the structured
    output layer turns into OutputTruncated.
    """

    model_config = ConfigDict(arbitrary_types_allowed=True)

    host: LocalModel = Field(exclude=True, repr=False)
    model_name: str = MODEL_NAME
    temperature: float = 0.2
    max_tokens: int = 512

    @property
    def _llm_type(self) -> str:
        return "mwo-llama-cpp"

    @property
    def _identifying_params(self) -> dict[str, Any]:
        return {"model_name": self.model_name, "path": str(self.host.files.path)}

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        interrupt = kwargs.get("interrupt")
        with (
            self.host.session(interrupt) as llama,
            _context_errors(self.host.context_tokens),
            _stoppable(llama, interrupt),
        ):
            answer = cast(
                "dict[str, Any]",
                llama.create_chat_completion(**self._request(messages, stop, kwargs), stream=False),
            )
        choice = answer["choices"][0]
        tokens = answer.get("usage") or {}
        return chat_result(
            choice["message"].get("content") or "",
            model=self.model_name,
            finish_reason=choice.get("finish_reason"),
            prompt_tokens=int(tokens.get("prompt_tokens", 0)),
            completion_tokens=int(tokens.get("completion_tokens", 0)),
        )

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        """Pieces as llama.cpp samples them; the last chunk carries finish_reason and token counts."""
        request = self._request(messages, stop, kwargs)
        interrupt = kwargs.get("interrupt")
        tally = StreamTally()
        with (
            self.host.session(interrupt) as llama,
            _context_errors(self.host.context_tokens),
            _stoppable(llama, interrupt),
        ):
            prompt_tokens = len(llama.tokenize(_prompt_text(request["messages"]).encode(), special=True))
            stream = llama.create_chat_completion(**request, stream=True)
            yield from tally.chunks((cast("dict[str, Any]", c)["choices"][0] for c in stream), run_manager)
        yield tally.last_chunk(self.model_name, prompt_tokens)  # the model is free again

    def _request(self, messages: list[BaseMessage], stop: list[str] | None, kwargs: dict[str, Any]) -> Any:
        request: dict[str, Any] = {
            "messages": openai_messages(messages),
            "temperature": option(kwargs, "temperature", self.temperature),
            "max_tokens": option(kwargs, "max_tokens", self.max_tokens),
            "stop": stop or [],
        }
        schema = kwargs.get("json_schema")
        if schema is not None:
            request["response_format"] = {"type": "json_object", "schema": schema}
        return request


@contextmanager
def _stoppable(llama: Llama, interrupt: Interrupt | None) -> Iterator[None]:
    """While the block runs, llama.cpp asks `interrupt` between graph nodes and stops when told to.

    llama.cpp's abort callback runs on the thread that called decode, between the nodes of the
    compute graph: a stop is seen within one node (milliseconds) in prompt processing and between
    tokens alike, where a check between tokens would wait out a whole prompt (seconds to minutes).
    An aborted decode drops the positions of its batch from the KV cache and llama-cpp-python raises
    RuntimeError, so the context stays consistent and the next call (after the lock is released by
    `session`) works. The callback's cost is one Python call per graph node (a few µs against ~100 ms
    a token; docs/performance.md finds none above the noise); calls without an interrupt skip it.
    """
    if interrupt is None:
        yield
        return
    import llama_cpp

    def abort(_data: Any) -> bool:
        if interrupt.error is not None:
            return True
        try:
            return interrupt.requested()
        except BaseException as exc:  # re-raised below, on the caller's side of llama.cpp
            interrupt.error = exc
            return True

    callback = llama_cpp.ggml_abort_callback(abort)
    context = llama._ctx.ctx
    llama_cpp.llama_set_abort_callback(context, callback, None)
    try:
        with _unraisable_into(interrupt, abort):
            yield
    except RuntimeError:
        if interrupt.error is None and interrupt.reason is None:
            raise
    finally:
        llama_cpp.llama_set_abort_callback(context, llama_cpp.ggml_abort_callback(0), None)
    if interrupt.error is not None:
        raise interrupt.error
    if interrupt.reason is not None:
        raise interrupt.interrupted()


@contextmanager
def _unraisable_into(interrupt: Interrupt, function: Callable[..., Any]) -> Iterator[None]:
    """Exceptions that escape `function` as a ctypes callback go to `interrupt.error`.

    A signal handler's exception (Ctrl-C's KeyboardInterrupt) can be raised on entering the
    callback, before its `try`; ctypes then swallows it ("Exception ignored ...") and a foreground
    `mwo run` or `mwo llm chat` would lose the Ctrl-C. The hook is Python's own reporting point for
    such exceptions, set only while the call runs (one call at a time: the model's lock), and passes
    every other report on unchanged.
    """
    previous = sys.unraisablehook

    def capture(unraisable: Any) -> None:
        if unraisable.object is function and interrupt.error is None:
            interrupt.error = unraisable.exc_value
        else:
            previous(unraisable)

    sys.unraisablehook = capture
    try:
        yield
    finally:
        sys.unraisablehook = previous


@contextmanager
def _context_errors(context_tokens: int) -> Iterator[None]:
    """llama.cpp refuses a prompt longer than the context with a ValueError; give it a type and a fix."""
    try:
        yield
    except ValueError as exc:
        if "context window" not in str(exc):
            raise
        raise PromptTooLong(
            f"the prompt does not fit the local model's context of {context_tokens} tokens ({exc})",
            "shorten the prompt (fewer or trimmed inputs), or raise MWO_LLM_CONTEXT_TOKENS",
        ) from None


def _prompt_text(messages: list[dict[str, Any]]) -> str:
    """An estimate of the prompt for counting tokens while streaming (the chat template adds a few)."""
    return "\n".join(str(m.get("content") or "") for m in messages)


__all__ = ["LocalChatModel", "LocalModel", "PromptCache"]

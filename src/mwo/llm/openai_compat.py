"""Any OpenAI-compatible chat endpoint (OpenAI, vLLM, llama.cpp server, Ollama, LM Studio) over httpx.

Why not langchain-openai: it brings the openai SDK and tiktoken for what is one POST; with httpx
(already a dependency) every failure is ours to name: unreachable, time-out, wrong key, another
status, or an answer that is not a chat completion. The endpoint is the operator's setting
(MWO_LLM_BASE_URL), not a workflow's, so it does not go through the API_CALL network guard.
"""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from contextlib import suppress
from typing import Any

import httpx
from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import BaseMessage
from langchain_core.outputs import ChatGenerationChunk, ChatResult
from pydantic import Field, SecretStr

from mwo.llm.chat import StreamTally, chat_result, openai_messages, option
from mwo.llm.errors import (
    EndpointAuthFailed,
    EndpointRejected,
    EndpointTimeout,
    EndpointUnreachable,
    GarbageResponse,
)
from mwo.llm.interrupt import Interrupt, relay


class OpenAICompatChatModel(BaseChatModel):
    """POSTs `{base_url}/chat/completions`; JSON Schema output via `response_format: json_schema`.

    Some servers know only the older `{type: json_object, schema}` form (llama-cpp-python's own
    `llama_cpp.server` answers `json_schema` with a validation error): when an endpoint refuses the
    `json_schema` type, the same request is sent once more in that form.
    """

    base_url: str
    model_name: str
    api_key: SecretStr | None = Field(default=None, exclude=True)
    key_source: str = "MWO_LLM_API_KEY"
    """Where the key came from, for the fix of a 401 (a setting or a secret's name)."""
    timeout_s: float = 120.0
    temperature: float = 0.2
    max_tokens: int = 512
    user_agent: str = "mwo"

    @property
    def _llm_type(self) -> str:
        return "mwo-openai-compatible"

    @property
    def _identifying_params(self) -> dict[str, Any]:
        return {"model_name": self.model_name, "base_url": self.base_url}

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        interrupt = kwargs.get("interrupt")
        if interrupt is not None:
            return self._generate_streamed(messages, stop, kwargs, interrupt)
        body = self._body(messages, stop, kwargs, stream=False)
        with self._client() as client:
            response = self._send(client, body)
            answer = _json_of(response, self.base_url)
        try:
            choice = answer["choices"][0]
            text = choice["message"].get("content") or ""
            finish = choice.get("finish_reason")
            tokens = answer.get("usage") or {}
            return chat_result(
                str(text),
                model=str(answer.get("model") or self.model_name),
                finish_reason=finish,
                prompt_tokens=int(tokens.get("prompt_tokens") or 0),
                completion_tokens=int(tokens.get("completion_tokens") or 0),
            )
        except (KeyError, IndexError, TypeError, AttributeError, ValueError) as exc:
            raise _garbage(self.base_url, f"no choices[0].message in the answer ({exc!r})") from None

    def _generate_streamed(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None,
        kwargs: dict[str, Any],
        interrupt: Interrupt,
    ) -> ChatResult:
        """One answer, read as a stream so that a stop closes the connection (the server then stops
        generating) instead of waiting for the whole answer; token counts from the final usage chunk."""
        body = self._body(messages, stop, kwargs, stream=True)
        body["stream_options"] = {"include_usage": True}
        pieces: list[str] = []
        finish: str | None = None
        tokens: dict[str, Any] = {}
        model = self.model_name
        choices = 0
        with self._client() as client:
            for chunk in self._chunks(client, body, interrupt):
                tokens = chunk.get("usage") or tokens
                model = str(chunk.get("model") or model)
                choice = _first_choice(chunk)
                if choice is None:
                    continue
                choices += 1
                finish = choice.get("finish_reason") or finish
                pieces.append((choice.get("delta") or {}).get("content") or "")
        if not choices:
            raise _garbage(self.base_url, "the stream ended without a single choices[0] chunk")
        return chat_result(
            "".join(pieces),
            model=model,
            finish_reason=finish,
            prompt_tokens=int(tokens.get("prompt_tokens") or 0),
            completion_tokens=int(tokens.get("completion_tokens") or sum(1 for p in pieces if p)),
        )

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        """Server-sent events `data: {...}` until `data: [DONE]`."""
        body = self._body(messages, stop, kwargs, stream=True)
        tally = StreamTally()
        with self._client() as client:
            choices = map(_first_choice, self._chunks(client, body, kwargs.get("interrupt")))
            yield from tally.chunks((c for c in choices if c is not None), run_manager)
        yield tally.last_chunk(self.model_name, 0)

    def _chunks(
        self, client: httpx.Client, body: dict[str, Any], interrupt: Interrupt | None
    ) -> Iterator[dict[str, Any]]:
        """The stream's chunks as JSON objects; with an interrupt, read in a helper thread so a stop
        is seen while the server is silent, and the connection is shut down then."""
        connection = _Connection()
        events = self._events(client, body, connection)
        if interrupt is not None:
            events = relay(events, interrupt, connection.shut_down)
        for data in events:
            try:
                chunk = json.loads(data)
            except ValueError:
                raise _garbage(self.base_url, f"a stream event is not JSON: {data[:80]!r}") from None
            if not isinstance(chunk, dict):
                raise _garbage(self.base_url, f"a stream event is not a chunk: {data[:80]!r}")
            yield chunk

    def _events(self, client: httpx.Client, body: dict[str, Any], connection: _Connection) -> Iterator[str]:
        """The `data:` payloads of the answer's server-sent events, up to `[DONE]`."""
        try:
            response = client.send(client.build_request("POST", self._url, json=body), stream=True)
            if not response.is_success:
                response.read()
                if _refuses_json_schema(response, body):
                    response.close()
                    request = client.build_request("POST", self._url, json=_json_object_form(body))
                    response = client.send(request, stream=True)
        except httpx.TimeoutException as exc:
            raise self._timeout(exc) from None
        except httpx.TransportError as exc:
            raise self._unreachable(exc) from None
        connection.response = response
        try:
            if not response.is_success:
                response.read()
                self._raise_status(response)
            for line in response.iter_lines():
                if not line.startswith("data:"):
                    continue
                data = line[5:].strip()
                if data == "[DONE]":
                    return
                yield data
        except httpx.TimeoutException as exc:
            raise self._timeout(exc) from None
        except httpx.TransportError as exc:
            raise self._unreachable(exc) from None
        finally:
            response.close()

    @property
    def _url(self) -> str:
        return self.base_url.rstrip("/") + "/chat/completions"

    def _client(self) -> httpx.Client:
        headers = {"User-Agent": self.user_agent}
        if self.api_key is not None:
            headers["Authorization"] = f"Bearer {self.api_key.get_secret_value()}"
        return httpx.Client(timeout=self.timeout_s, headers=headers)

    def _body(
        self, messages: list[BaseMessage], stop: list[str] | None, kwargs: dict[str, Any], *, stream: bool
    ) -> dict[str, Any]:
        body: dict[str, Any] = {
            "model": option(kwargs, "model", self.model_name),
            "messages": openai_messages(messages),
            "temperature": option(kwargs, "temperature", self.temperature),
            "max_tokens": option(kwargs, "max_tokens", self.max_tokens),
            "stream": stream,
        }
        if stop:
            body["stop"] = stop
        schema = kwargs.get("json_schema")
        if schema is not None:
            body["response_format"] = {
                "type": "json_schema",
                "json_schema": {"name": "output", "schema": schema},
            }
        return body

    def _send(self, client: httpx.Client, body: dict[str, Any]) -> httpx.Response:
        try:
            response = client.post(self._url, json=body)
            if _refuses_json_schema(response, body):
                response = client.post(self._url, json=_json_object_form(body))
        except httpx.TimeoutException as exc:
            raise self._timeout(exc) from None
        except httpx.TransportError as exc:
            raise self._unreachable(exc) from None
        if not response.is_success:
            self._raise_status(response)
        return response

    def _timeout(self, exc: Exception) -> EndpointTimeout:
        return EndpointTimeout(
            f"the model endpoint {self.base_url} did not answer within {self.timeout_s:g} s "
            f"({type(exc).__name__})",
            "raise MWO_LLM_TIMEOUT_S, lower the step's max_tokens, or use a faster endpoint",
        )

    def _unreachable(self, exc: Exception) -> EndpointUnreachable:
        return EndpointUnreachable(
            f"cannot reach the model endpoint {self.base_url}: {exc or type(exc).__name__}",
            "check MWO_LLM_BASE_URL and that the server runs (or set MWO_LLM_PROVIDER=local)",
        )

    def _raise_status(self, response: httpx.Response) -> None:
        status = response.status_code
        excerpt = " ".join(response.text[:200].split())
        message = f"the model endpoint {self.base_url} answered {status} {response.reason_phrase}" + (
            f": {excerpt}" if excerpt else ""
        )
        if status in (401, 403):
            raise EndpointAuthFailed(
                message,
                f"the key from {self.key_source} was refused: set the right one "
                "(`mwo secrets set NAME`, the name in MWO_LLM_API_KEY_SECRET, or MWO_LLM_API_KEY)",
                status=status,
            )
        if status == 404:
            fix = "check MWO_LLM_BASE_URL (usually ends in /v1) and MWO_LLM_MODEL (or the step's model)"
        elif status == 429 or status >= 500:
            fix = "the endpoint is busy or failing; the step's retry policy retries 429 and 5xx"
        else:
            fix = "check the step's model, max_tokens and output_schema against what the endpoint accepts"
        raise EndpointRejected(message, fix, status=status)


class _Connection:
    """The streamed response being read, so a stop can end its blocking read from another thread."""

    def __init__(self) -> None:
        self.response: httpx.Response | None = None

    def shut_down(self) -> None:
        """Shut the socket down (a close from another thread would not wake a blocked read)."""
        stream = self.response.extensions.get("network_stream") if self.response is not None else None
        sock = stream.get_extra_info("socket") if stream is not None else None
        if isinstance(sock, socket.socket):
            with suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)


def _refuses_json_schema(response: httpx.Response, body: dict[str, Any]) -> bool:
    """True when the endpoint refused the request because of the `json_schema` response format
    (an error status whose text names both), so the `json_object` form is worth a second try."""
    if response.is_success or (body.get("response_format") or {}).get("type") != "json_schema":
        return False
    text = response.text
    return "response_format" in text and "json_schema" in text


def _json_object_form(body: dict[str, Any]) -> dict[str, Any]:
    """The same request with the schema in the older `{type: json_object, schema}` form."""
    schema = body["response_format"]["json_schema"]["schema"]
    return {**body, "response_format": {"type": "json_object", "schema": schema}}


def _first_choice(chunk: dict[str, Any]) -> dict[str, Any] | None:
    """choices[0] of a chunk; None for the usage chunk (no choices) that ends a stream."""
    choices = chunk.get("choices")
    if not choices:
        return None
    choice = choices[0] if isinstance(choices, list) else None
    return choice if isinstance(choice, dict) else None


def _json_of(response: httpx.Response, base_url: str) -> dict[str, Any]:
    try:
        data = response.json()
    except ValueError:
        raise _garbage(base_url, f"the answer is not JSON: {response.text[:80]!r}") from None
    if not isinstance(data, dict):
        raise _garbage(base_url, "the answer is not a JSON object")
    return data


def _garbage(base_url: str, detail: str) -> GarbageResponse:
    return GarbageResponse(
        f"the model endpoint {base_url} did not send a chat completion: {detail}",
        "check that MWO_LLM_BASE_URL points to an OpenAI-compatible API (…/v1), not a web page or proxy",
    )


__all__ = ["OpenAICompatChatModel"]

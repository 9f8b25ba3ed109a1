"""The OpenAI-compatible client against a loopback server: answers, structure, and every bad case."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from mwo.llm.errors import (
    EndpointAuthFailed,
    EndpointRejected,
    EndpointTimeout,
    EndpointUnreachable,
    GarbageResponse,
    LlmInterrupted,
    OutputTruncated,
)
from mwo.llm.interrupt import Interrupt
from mwo.llm.service import LlmRequest, LlmService
from mwo.settings import Settings

from ...conftest import FIXED_NOW


@dataclass
class Reply:
    status: int = 200
    body: Any = None
    """A dict is sent as JSON, a str as is, a list of dicts as server-sent events."""
    delay_s: float = 0.0


def completion(text: str, finish_reason: str = "stop") -> dict[str, Any]:
    return {
        "id": "c1",
        "object": "chat.completion",
        "model": "loop-model",
        "choices": [
            {"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": finish_reason}
        ],
        "usage": {"prompt_tokens": 12, "completion_tokens": 5, "total_tokens": 17},
    }


@dataclass
class Endpoint:
    port: int = 0
    replies: list[Reply] = field(default_factory=list)
    requests: list[dict[str, Any]] = field(default_factory=list)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"


@pytest.fixture
def endpoint() -> Iterator[Endpoint]:
    state = Endpoint()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["content-length"])))
            state.requests.append({"path": self.path, "body": body, "headers": dict(self.headers)})
            reply = state.replies.pop(0) if state.replies else Reply(body=completion("ok"))
            time.sleep(reply.delay_s)
            if isinstance(reply.body, list):
                data = "".join(f"data: {json.dumps(event)}\n\n" for event in reply.body) + "data: [DONE]\n\n"
                kind = "text/event-stream"
            elif isinstance(reply.body, dict):
                data, kind = json.dumps(reply.body), "application/json"
            else:
                data, kind = str(reply.body or ""), "text/html"
            payload = data.encode()
            try:
                self.send_response(reply.status)
                self.send_header("content-type", kind)
                self.send_header("content-length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)
            except OSError:  # the client gave up (time-out test)
                pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.port = server.server_address[1]
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    yield state
    server.shutdown()
    server.server_close()


def _service(tmp_path: Path, store: Any, base_url: str, **values: Any) -> LlmService:
    settings = Settings(  # type: ignore[call-arg]
        home=tmp_path,
        _env_file=None,
        llm_provider="openai",
        llm_base_url=base_url,
        llm_model="loop-model",
        **values,
    )
    return LlmService(settings.llm, store)


def test_a_free_text_answer_with_the_key_from_the_secret(
    tmp_path: Path, store: Any, endpoint: Endpoint
) -> None:
    store.set_secret("OPENAI_API_KEY", "sk-loop", FIXED_NOW)
    endpoint.replies.append(Reply(body=completion("서울은 맑음")))
    answer = _service(tmp_path, store, endpoint.base_url).ask(
        LlmRequest("날씨?", system="짧게", max_tokens=20, temperature=0), caller="test"
    )
    assert (answer.text, answer.prompt_tokens, answer.completion_tokens) == ("서울은 맑음", 12, 5)
    [sent] = endpoint.requests
    assert sent["path"] == "/v1/chat/completions"
    assert sent["headers"]["Authorization"] == "Bearer sk-loop"
    assert sent["body"]["messages"] == [
        {"role": "system", "content": "짧게"},
        {"role": "user", "content": "날씨?"},
    ]
    assert (sent["body"]["model"], sent["body"]["max_tokens"], sent["body"]["temperature"]) == (
        "loop-model",
        20,
        0,
    )
    assert [row.response for row in store.list_llm_calls()] == ["서울은 맑음"]


def test_structured_output_sends_the_schema_and_checks_the_answer(
    tmp_path: Path, store: Any, endpoint: Endpoint
) -> None:
    schema = {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}
    endpoint.replies.append(Reply(body=completion('{"city": "Busan"}')))
    answer = _service(tmp_path, store, endpoint.base_url).ask(LlmRequest("where?", schema=schema), caller="t")
    assert answer.data == {"city": "Busan"}
    response_format = endpoint.requests[0]["body"]["response_format"]
    assert response_format == {"type": "json_schema", "json_schema": {"name": "output", "schema": schema}}


# What llama-cpp-python's `llama_cpp.server` answers to `response_format: {type: json_schema}`.
REFUSED_JSON_SCHEMA = {
    "error": {
        "message": "1 validation error: ('body', 'response_format', 'type') Input should be 'text' or "
        "'json_object', input: 'json_schema'"
    }
}


@pytest.mark.parametrize("streamed", [False, True])
def test_an_endpoint_refusing_json_schema_gets_the_json_object_form(
    tmp_path: Path, store: Any, endpoint: Endpoint, streamed: bool
) -> None:
    schema = {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}
    answer_text = '{"city": "Busan"}'
    second = (
        Reply(body=[{"choices": [{"delta": {"content": answer_text}, "finish_reason": "stop"}]}])
        if streamed
        else Reply(body=completion(answer_text))
    )
    endpoint.replies += [Reply(500, REFUSED_JSON_SCHEMA), second]
    interrupt = Interrupt(lambda: None) if streamed else None
    answer = _service(tmp_path, store, endpoint.base_url).ask(
        LlmRequest("where?", schema=schema), caller="t", interrupt=interrupt
    )
    assert answer.data == {"city": "Busan"}
    first, retried = (sent["body"]["response_format"] for sent in endpoint.requests)
    assert first["type"] == "json_schema"
    assert retried == {"type": "json_object", "schema": schema}


def test_other_refusals_of_a_structured_request_are_not_retried(
    tmp_path: Path, store: Any, endpoint: Endpoint
) -> None:
    endpoint.replies.append(Reply(400, {"error": {"message": "max_tokens is too large"}}))
    with pytest.raises(EndpointRejected):
        _service(tmp_path, store, endpoint.base_url).ask(
            LlmRequest("x", schema={"type": "object"}), caller="t"
        )
    assert len(endpoint.requests) == 1


def test_a_truncated_structured_answer_is_an_error(tmp_path: Path, store: Any, endpoint: Endpoint) -> None:
    endpoint.replies.append(Reply(body=completion('{"city": "Bu', finish_reason="length")))
    with pytest.raises(OutputTruncated):
        _service(tmp_path, store, endpoint.base_url).ask(
            LlmRequest("where?", schema={"type": "object"}, max_tokens=5), caller="t"
        )


def test_a_wrong_key_names_where_the_key_comes_from(tmp_path: Path, store: Any, endpoint: Endpoint) -> None:
    endpoint.replies.append(Reply(401, {"error": {"message": "Incorrect API key provided"}}))
    with pytest.raises(EndpointAuthFailed) as caught:
        _service(tmp_path, store, endpoint.base_url, llm_api_key="sk-wrong").ask(LlmRequest("x"), caller="t")
    assert caught.value.status == 401 and "Incorrect API key" in caught.value.message
    assert "MWO_LLM_API_KEY" in caught.value.fix
    assert "sk-wrong" not in caught.value.message + caught.value.fix


def test_a_server_error_is_retryable_status(tmp_path: Path, store: Any, endpoint: Endpoint) -> None:
    endpoint.replies.append(Reply(503, {"error": "overloaded"}))
    with pytest.raises(EndpointRejected) as caught:
        _service(tmp_path, store, endpoint.base_url).ask(LlmRequest("x"), caller="t")
    assert caught.value.status == 503 and caught.value.kind == "http_status"


def test_a_slow_endpoint_times_out_naming_the_setting(tmp_path: Path, store: Any, endpoint: Endpoint) -> None:
    endpoint.replies.append(Reply(body=completion("late"), delay_s=1.0))
    service = _service(tmp_path, store, endpoint.base_url, llm_timeout_s=0.2)
    with pytest.raises(EndpointTimeout) as caught:
        service.ask(LlmRequest("x"), caller="t")
    assert "MWO_LLM_TIMEOUT_S" in caught.value.fix
    assert store.list_llm_calls()[0].extra["error_code"] == "llm_timeout"


def test_an_unreachable_endpoint_names_the_base_url_setting(tmp_path: Path, store: Any) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # closed once the block ends: nothing listens there
    with pytest.raises(EndpointUnreachable) as caught:
        _service(tmp_path, store, f"http://127.0.0.1:{port}/v1").ask(LlmRequest("x"), caller="t")
    assert "MWO_LLM_BASE_URL" in caught.value.fix


@pytest.mark.parametrize("body", ["<html>proxy login</html>", {"object": "error"}, {"choices": []}])
def test_garbage_is_not_an_answer(tmp_path: Path, store: Any, endpoint: Endpoint, body: Any) -> None:
    endpoint.replies.append(Reply(body=body))
    with pytest.raises(GarbageResponse) as caught:
        _service(tmp_path, store, endpoint.base_url).ask(LlmRequest("x"), caller="t")
    assert "MWO_LLM_BASE_URL" in caught.value.fix


def test_streaming_reads_server_sent_events(tmp_path: Path, store: Any, endpoint: Endpoint) -> None:
    events = [
        {"choices": [{"delta": {"role": "assistant"}, "finish_reason": None}]},
        {"choices": [{"delta": {"content": "안녕"}, "finish_reason": None}]},
        {"choices": [{"delta": {"content": "하세요"}, "finish_reason": "stop"}]},
    ]
    endpoint.replies.append(Reply(body=events))
    service = _service(tmp_path, store, endpoint.base_url)
    assert list(service.stream(LlmRequest("hi"), caller="cli:chat")) == ["안녕", "하세요"]
    assert endpoint.requests[0]["body"]["stream"] is True
    [row] = store.list_llm_calls()
    assert (row.response, row.extra["finish_reason"]) == ("안녕하세요", "stop")


def test_with_an_interrupt_the_answer_is_streamed_and_usage_read_from_the_last_chunk(
    tmp_path: Path, store: Any, endpoint: Endpoint
) -> None:
    events = [
        {"model": "loop-model", "choices": [{"delta": {"content": '{"city": '}, "finish_reason": None}]},
        {"choices": [{"delta": {"content": '"Busan"}'}, "finish_reason": "stop"}]},
        {"choices": [], "usage": {"prompt_tokens": 21, "completion_tokens": 6}},
    ]
    endpoint.replies.append(Reply(body=events))
    schema = {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}
    answer = _service(tmp_path, store, endpoint.base_url).ask(
        LlmRequest("where?", schema=schema), caller="t", interrupt=Interrupt(lambda: None)
    )
    assert (answer.data, answer.prompt_tokens, answer.completion_tokens) == ({"city": "Busan"}, 21, 6)
    body = endpoint.requests[0]["body"]
    assert (body["stream"], body["stream_options"]) == (True, {"include_usage": True})
    assert body["response_format"]["json_schema"]["schema"] == schema


def test_a_stream_without_choices_is_garbage(tmp_path: Path, store: Any, endpoint: Endpoint) -> None:
    endpoint.replies.append(Reply(body=[{"object": "error", "message": "no"}]))
    with pytest.raises(GarbageResponse):
        _service(tmp_path, store, endpoint.base_url).ask(
            LlmRequest("x"), caller="t", interrupt=Interrupt(lambda: None)
        )


@dataclass
class SlowStream:
    """A server that streams one event every 50 ms for 20 s, and notes when the client hangs up."""

    port: int = 0
    sent: int = 0
    hung_up: threading.Event = field(default_factory=threading.Event)


@pytest.fixture
def slow_stream() -> Iterator[SlowStream]:
    state = SlowStream()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def do_POST(self) -> None:
            self.rfile.read(int(self.headers["content-length"]))
            self.send_response(200)
            self.send_header("content-type", "text/event-stream")
            self.end_headers()
            event = {"choices": [{"delta": {"content": "word "}, "finish_reason": None}]}
            try:
                for _ in range(400):
                    self.wfile.write(f"data: {json.dumps(event)}\n\n".encode())
                    self.wfile.flush()
                    state.sent += 1
                    time.sleep(0.05)
            except OSError:
                state.hung_up.set()

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.port = server.server_address[1]
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    yield state
    server.shutdown()
    server.server_close()


def test_an_interrupt_closes_the_stream_so_the_server_stops(
    tmp_path: Path, store: Any, slow_stream: SlowStream
) -> None:
    service = _service(tmp_path, store, f"http://127.0.0.1:{slow_stream.port}/v1")
    interrupt = Interrupt(lambda: "cancelled" if slow_stream.sent >= 3 else None, every_s=0.01)
    with pytest.raises(LlmInterrupted) as caught:
        service.ask(LlmRequest("write a lot"), caller="t", interrupt=interrupt)
    assert caught.value.reason == "cancelled"
    assert slow_stream.hung_up.wait(10)  # its next write failed: the connection was shut down
    assert slow_stream.sent < 400
    [row] = store.list_llm_calls()
    assert row.extra["error_code"] == "llm_interrupted"

"""Every call leaves a trace row; a planted secret never appears in rows or LangSmith payloads."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

import pytest
import requests

from mwo.engine.redaction import Redactor
from mwo.llm.errors import EndpointAuthFailed
from mwo.llm.fake import FakeChatModel, FakeReply
from mwo.llm.interrupt import Interrupt
from mwo.llm.service import LlmRequest, LlmService
from mwo.llm.tracing import LangSmithWiring
from mwo.settings import Settings

SECRET = "sk-planted-7f3a9c"


def _redactor() -> Redactor:
    redactor = Redactor()
    redactor.add(SECRET)
    return redactor


def _dump(rows: list[Any]) -> str:
    return json.dumps([asdict(r) for r in rows], default=str)


def test_a_call_is_traced_with_tokens_latency_and_secrets_masked(settings: Settings, store: Any) -> None:
    fake = FakeChatModel(script=[FakeReply(f"echo {SECRET}", prompt_tokens=11, completion_tokens=4)])
    service = LlmService(settings.llm, store, chat_model=fake)
    request = LlmRequest(f"the key is {SECRET}", system=f"never say {SECRET}")
    answer = service.ask(request, caller="step:LLM_CALL", run_id="r1", step_id="s1", redact=_redactor().text)
    assert SECRET in answer.text  # the caller gets the real answer; only the trace is masked
    [row] = store.list_llm_calls()
    assert (row.caller, row.run_id, row.step_id, row.model) == ("step:LLM_CALL", "r1", "s1", "fake")
    assert (row.prompt_tokens, row.completion_tokens) == (11, 4)
    assert row.latency_ms >= 0
    assert row.prompt == "system: never say ***\n\nuser: the key is ***"
    assert row.response == "echo ***"
    assert SECRET not in _dump(store.list_llm_calls())


def test_a_failed_call_is_traced_with_its_error(settings: Settings, store: Any) -> None:
    refused = EndpointAuthFailed(f"401 for key {SECRET}", "set the key", status=401)
    service = LlmService(settings.llm, store, chat_model=FakeChatModel(script=[FakeReply(error=refused)]))
    with pytest.raises(EndpointAuthFailed):
        service.ask(LlmRequest(f"hi {SECRET}"), caller="test", redact=_redactor().text)
    [row] = store.list_llm_calls()
    assert row.error is not None and "401" in row.error and "set the key" in row.error
    assert row.extra["error_code"] == "llm_auth"
    assert SECRET not in _dump([row])


def test_a_streamed_call_is_traced_once_complete(settings: Settings, store: Any) -> None:
    service = LlmService(settings.llm, store, chat_model=FakeChatModel(script=["one two three"]))
    text = "".join(service.stream(LlmRequest("count"), caller="cli:chat"))
    assert text.split() == ["one", "two", "three"]
    [row] = store.list_llm_calls()
    assert row.caller == "cli:chat" and row.response.split() == ["one", "two", "three"]
    assert row.extra["finish_reason"] == "stop"
    assert row.completion_tokens == 3


class RecordingSession(requests.Session):
    """Answers every LangSmith request with 200 and keeps the bodies: no network."""

    def __init__(self) -> None:
        super().__init__()
        self.sent: list[tuple[str, str, str]] = []

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> requests.Response:
        body = kwargs.get("data") or kwargs.get("json") or b""
        text = body.decode() if isinstance(body, bytes) else json.dumps(body, default=str)
        self.sent.append((str(method), str(url), text))
        response = requests.Response()
        response.status_code = 200
        response._content = b"{}"
        response.url = str(url)
        return response


def test_langsmith_gets_each_call_with_secrets_masked(settings: Settings) -> None:
    session = RecordingSession()
    wiring = LangSmithWiring(
        api_key="ls-test", endpoint="http://langsmith.test", project="mwo", session=session
    )
    fake = FakeChatModel(script=[f"reply with {SECRET}"])
    service = LlmService(settings.llm, None, chat_model=fake, langsmith=wiring)
    service.ask(  # with an interrupt, as an LLM_CALL step asks: it must not break the payloads
        LlmRequest(f"prompt with {SECRET}"),
        caller="step:LLM_CALL",
        redact=_redactor().text,
        interrupt=Interrupt(lambda: None),
    )
    assert [(m, u.split("/runs")[0]) for m, u, _ in session.sent] == [
        ("POST", "http://langsmith.test"),
        ("PATCH", "http://langsmith.test"),
    ]
    created, finished = (json.loads(body) for _, _, body in session.sent)
    assert created["name"] == "step:LLM_CALL" and created["run_type"] == "llm"
    assert "prompt with ***" in json.dumps(created["inputs"])
    assert "reply with ***" in json.dumps(finished["outputs"])
    assert all(SECRET not in body for _, _, body in session.sent)


def test_langsmith_is_wired_only_with_a_key() -> None:
    assert LangSmithWiring.from_env({}) is None
    wiring = LangSmithWiring.from_env({"LANGSMITH_API_KEY": "k", "LANGSMITH_PROJECT": "p"})
    assert wiring is not None and (wiring.api_key, wiring.project) == ("k", "p")

"""Structured output on the scripted fake: a checked value, or one typed error; never half a result."""

from __future__ import annotations

from typing import Any

import pytest

from mwo.llm.errors import InvalidJson, LlmConfigError, OutputTruncated, SchemaViolation
from mwo.llm.fake import FakeChatModel, FakeReply
from mwo.llm.service import LlmRequest, LlmService
from mwo.settings import Settings

SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {"label": {"enum": ["positive", "negative"]}, "score": {"type": "number"}},
    "required": ["label"],
}


def _ask(settings: Settings, reply: FakeReply | str, schema: dict[str, Any] = SCHEMA) -> Any:
    fake = FakeChatModel(script=[reply])
    service = LlmService(settings.llm, None, chat_model=fake)
    return service.ask(LlmRequest("classify: good", schema=schema, max_tokens=20), caller="test"), fake


def test_a_valid_answer_is_parsed_and_the_schema_reaches_the_model(settings: Settings) -> None:
    answer, fake = _ask(settings, '{"label": "positive", "score": 0.9}')
    assert answer.data == {"label": "positive", "score": 0.9}
    assert fake.calls[0]["json_schema"] == SCHEMA
    assert "JSON Schema" in fake.calls[0]["messages"][0]["content"]


def test_a_whole_answer_in_a_code_fence_is_one_value(settings: Settings) -> None:
    answer, _ = _ask(settings, '```json\n{"label": "negative"}\n```')
    assert answer.data == {"label": "negative"}


def test_a_truncated_answer_is_an_error_even_if_it_parses(settings: Settings) -> None:
    with pytest.raises(OutputTruncated) as caught:
        _ask(settings, FakeReply('{"label": "positive"}', finish_reason="length"))
    assert "max_tokens" in caught.value.fix


@pytest.mark.parametrize("text", ['{"label": "posi', "Sure! The label is positive.", ""])
def test_text_that_is_not_json_is_invalid_json(settings: Settings, text: str) -> None:
    with pytest.raises(InvalidJson):
        _ask(settings, text)


def test_json_of_the_wrong_shape_is_a_schema_violation(settings: Settings) -> None:
    with pytest.raises(SchemaViolation) as caught:
        _ask(settings, '{"label": "maybe"}')
    assert "label" in caught.value.message


def test_an_invalid_schema_fails_before_the_model_is_asked(settings: Settings) -> None:
    fake = FakeChatModel(script=["{}"])
    service = LlmService(settings.llm, None, chat_model=fake)
    with pytest.raises(LlmConfigError):
        service.ask(LlmRequest("x", schema={"type": "no-such-type"}), caller="test")
    assert fake.calls == []


def test_free_text_keeps_a_truncated_answer_and_says_so(settings: Settings) -> None:
    fake = FakeChatModel(script=[FakeReply("half a sent", finish_reason="length")])
    answer = LlmService(settings.llm, None, chat_model=fake).ask(LlmRequest("x"), caller="test")
    assert answer.text == "half a sent"
    assert answer.truncated

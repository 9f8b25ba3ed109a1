"""MWO_LLM_FAKE_SCRIPT: each call of the fake model takes the next scripted reply from the file."""

from __future__ import annotations

import json
from pathlib import Path

from mwo.llm import LlmRequest, LlmService
from mwo.settings import Settings


def test_each_call_takes_the_next_reply_then_the_fake_echoes(tmp_path: Path) -> None:
    script = tmp_path / "replies.json"
    script.write_text(json.dumps(["first", {"text": '{"a": 1}', "finish_reason": "stop"}]), encoding="utf-8")
    settings = Settings(home=tmp_path / "home", llm_provider="fake", llm_fake_script=script, _env_file=None)  # type: ignore[call-arg]
    llm = LlmService(settings.llm, None)

    first = llm.ask(LlmRequest(prompt="q1"), caller="test")
    second = llm.ask(LlmRequest(prompt="q2", schema={"type": "object"}), caller="test")
    third = llm.ask(LlmRequest(prompt="echo me"), caller="test")

    assert (first.text, second.data, third.text) == ("first", {"a": 1}, "echo me")
    assert json.loads(script.read_text(encoding="utf-8")) == []

"""The done-when example on the real local model (llama.cpp + the assembled GGUF): one request,
a few short model calls. Marked slow and real_llm: CI runs it, a quick local run skips it."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.cli_support import invoke_json

pytestmark = [pytest.mark.slow, pytest.mark.real_llm]


def test_the_done_when_request_is_saved_on_the_local_model(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MWO_LLM_PROVIDER", "local")
    request = "매일 아침 9시에 네이버 뉴스에서 경제 기사 3개를 수집해서 요약하고 메일로 보내줘"

    code, out = invoke_json("create", request, "--yes")

    assert code == 0, out
    assert out["status"] == "saved"
    assert out["trigger"] == {"type": "cron", "cron": "0 9 * * *", "timezone": "Asia/Seoul"}
    types = out["step_types"]
    assert types[0] == "API_CALL" and "LLM_CALL" in types and types[-1] == "NOTIFICATION"
    assert "channel: email" in out["spec"]
    assert {"NAVER_CLIENT_ID", "NAVER_CLIENT_SECRET"} <= set(out["missing_secrets"])


def test_a_vague_request_asks_then_answered_is_saved_on_the_local_model(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MWO_LLM_PROVIDER", "local")

    code, asked = invoke_json("create", "뉴스 요약해서 보내줘")
    assert code == 0 and asked["status"] == "needs_clarification"

    answers = ["--answer", "topic=경제", "--answer", "channel=메일", "--answer", "schedule=매일 오전 8시"]
    code, done = invoke_json("create", "--session", asked["session"], *answers, "--yes")

    assert code == 0 and done["status"] == "saved", done
    assert done["trigger"]["cron"] == "0 8 * * *"

"""The Create page's chat on the real authoring service with the scripted fake model: a Korean
request becomes a workflow shown as a graph with its schedule in words; a vague one asks questions
that the next chat turns answer; save, test-run and change in words."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from streamlit.testing.v1 import AppTest

from mwo.store.records import RunFilter
from mwo.ui.i18n import t
from mwo.ui.state import UiContext
from tests.ui.conftest import assert_clean, click, texts

# authoring opens the knowledge base and the example bank (embedding models): seconds per test
pytestmark = pytest.mark.slow

App = Callable[..., AppTest]
NEWS = "매일 아침 9시에 네이버 뉴스에서 경제 기사 3개를 수집해서 요약하고 메일로 보내줘"
SUMMARY = '{"instruction": "다음 경제 기사들을 각각 두 문장으로 요약하세요."}'


def _script(ui_context: UiContext, *replies: str) -> None:
    path = ui_context.settings.llm_fake_script
    assert path is not None
    path.write_text(json.dumps(list(replies), ensure_ascii=False), encoding="utf-8")


def test_a_korean_request_becomes_a_workflow_and_is_saved(app: App, ui_context: UiContext) -> None:
    _script(ui_context, SUMMARY)
    at = app("create.py", language="ko")
    at.chat_input[0].set_value(NEWS).run()
    assert_clean(at)
    shown = texts(at)
    assert "매일 오전 9:00 (Asia/Seoul)" in shown
    assert "NAVER_CLIENT_ID" in shown  # a secret still to set, with its form
    assert NEWS in [m.markdown[0].value for m in at.chat_message if m.name == "user"]
    at = click(at, t("create.save", "ko"))
    assert_clean(at)
    name = ui_context.services.store.list_workflows(search="")[-1].name
    assert ui_context.services.store.get_workflow(name).latest_version >= 1
    assert any("저장했습니다" in s.value for s in at.success)


def test_a_vague_request_asks_and_chat_turns_answer(app: App, ui_context: UiContext) -> None:
    _script(ui_context, SUMMARY)
    at = app("create.py", language="ko")
    at.chat_input[0].set_value("뉴스 요약해서 보내줘").run()
    assert_clean(at)
    assistant = [m for m in at.chat_message if m.name == "assistant"]
    assert assistant and "?" in assistant[-1].markdown[0].value
    answers = {"topic": "경제", "channel": "메일", "schedule": "매일 오전 8시"}
    for _ in range(len(answers)):
        result = at.session_state["create.result"]
        if result.status != "needs_clarification":
            break
        assert (
            [m for m in at.chat_message if m.name == "assistant"][-1]
            .markdown[0]
            .value.startswith(result.questions[0].question)
        )  # one question a turn
        at.chat_input[0].set_value(answers[result.questions[0].slot]).run()
        assert_clean(at)
    assert at.session_state["create.result"].status == "ready", texts(at)
    assert "오전 8:00" in texts(at)


def test_a_saved_workflow_test_runs_and_missing_secrets_are_explained(
    app: App, ui_context: UiContext
) -> None:
    _script(ui_context, SUMMARY)
    at = app("create.py")
    at.chat_input[0].set_value(NEWS).run()
    at = click(at, t("create.save"))
    at = click(at, t("create.test_run"))
    assert_clean(at)
    assert at.error and "NAVER_CLIENT_ID" in at.error[0].value  # a run cannot start without them
    assert not ui_context.services.store.list_runs(RunFilter(workflow_name="naver-economy-news"))

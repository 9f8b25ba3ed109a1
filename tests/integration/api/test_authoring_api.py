"""Authoring over the API: a session is created, asks its questions, takes answers, reports its
progress by polling, is confirmed; a saved workflow is edited in words."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from mwo.authoring import AuthoringService
from mwo.llm import LlmService
from mwo.llm.fake import FakeChatModel
from mwo.settings import Settings
from mwo.store import TokenScope
from tests.integration.api.live_api import LiveApi, assert_problem, live_api

NEWS = "매일 아침 9시에 네이버 뉴스에서 경제 기사 3개를 수집해서 요약하고 메일로 보내줘"
INSTRUCTION = '{"instruction": "다음 경제 기사들을 각각 두 문장으로 요약하세요."}'


@pytest.fixture
def api(settings: Settings) -> Iterator[LiveApi]:
    with live_api(settings) as live:
        store = live.services.store
        llm = LlmService(settings.llm, store, chat_model=FakeChatModel(script=[INSTRUCTION] * 4))
        live.services.__dict__["authoring"] = AuthoringService(settings, store, llm)
        yield live


def test_create_confirm_and_follow_the_events(api: LiveApi) -> None:
    created = api.post("/authoring/sessions", json={"request": NEWS})

    assert created.status_code == 201, created.text
    session = created.json()
    assert session["status"] == "ready" and session["result"]["trigger"]["cron"] == "0 9 * * *"
    sid = session["id"]

    events = api.get(f"/authoring/sessions/{sid}/events", scope=TokenScope.READ).json()
    seqs = [e["seq"] for e in events["events"]]
    assert seqs == list(range(1, len(seqs) + 1)) and events["events"][0]["stage"] == "understanding"
    later = api.get(f"/authoring/sessions/{sid}/events", params={"after": seqs[-2]}, scope=TokenScope.READ)
    assert [e["seq"] for e in later.json()["events"]] == [seqs[-1]]

    confirmed = api.post(f"/authoring/sessions/{sid}/confirm")
    assert confirmed.status_code == 200 and confirmed.json()["status"] == "saved"
    assert api.services.store.get_version(session["result"]["workflow"]).number == 1
    assert api.get(f"/authoring/sessions/{sid}", scope=TokenScope.READ).json()["result"]["version"] == 1


def test_questions_then_answers(api: LiveApi) -> None:
    asked = api.post("/authoring/sessions", json={"request": "뉴스 요약해서 보내줘"}).json()
    assert asked["status"] == "needs_clarification"
    assert {q["slot"] for q in asked["result"]["questions"]} >= {"topic", "channel", "schedule"}

    premature = api.post(f"/authoring/sessions/{asked['id']}/confirm")
    assert_problem(premature, 409)

    answered = api.post(
        f"/authoring/sessions/{asked['id']}/answers",
        json={"answers": {"topic": "경제", "channel": "메일", "schedule": "매일 오전 8시"}, "save": True},
    )
    assert answered.status_code == 200 and answered.json()["status"] == "saved", answered.text


def test_edit_a_saved_workflow(api: LiveApi) -> None:
    saved = api.post("/authoring/sessions", json={"request": NEWS, "save": True}).json()
    name = saved["result"]["workflow"]

    edited = api.post(f"/workflows/{name}/edits", json={"instruction": "월요일에는 보내지 마", "save": True})

    assert edited.status_code == 201
    result = edited.json()["result"]
    assert result["status"] == "saved" and result["version"] == 2 and "0,2-6" in result["diff"]


def test_unknown_sessions_and_scopes(api: LiveApi) -> None:
    assert_problem(api.get("/authoring/sessions/nope", scope=TokenScope.READ), 404)
    assert_problem(api.post("/authoring/sessions/nope/answers", json={"answers": {}}), 404)
    assert_problem(api.post("/authoring/sessions", json={"request": NEWS}, scope=TokenScope.READ), 403)
    assert api.post("/authoring/sessions", json={"request": ""}).status_code == 422

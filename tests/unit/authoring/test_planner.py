"""Plans and names by rules, without the model: sources, processing order, outputs, questions."""

from __future__ import annotations

import pytest

from mwo.authoring.naming import base_name, unique_name
from mwo.authoring.planner import plan_steps, stated_message
from mwo.authoring.requirements import said_topic, understand


def _plan(request: str, **answers: str) -> tuple[list[str], list[str], str]:
    req = understand(request, answers, default_timezone="Asia/Seoul")
    plan = plan_steps(req, None)
    return (
        [f"{s.type.value}:{s.role}" for s in plan.steps],
        [q.slot for q in plan.questions],
        base_name(plan, req.topic, req.trigger.kind),
    )


@pytest.mark.parametrize(
    ("request_text", "steps", "name"),
    [
        (
            "매일 아침 9시에 네이버 뉴스에서 경제 기사 3개를 수집해서 요약하고 메일로 보내줘",
            ["API_CALL:fetch", "DATA_TRANSFORM:format", "LLM_CALL:summarize", "NOTIFICATION:notify"],
            "naver-news-economy-summary-email",
        ),
        (
            "Every weekday at 8:30 summarize https://example.com/status and post it to Slack",
            ["API_CALL:fetch", "LLM_CALL:summarize", "NOTIFICATION:notify"],
            "web-summary-slack",
        ),
        (
            "비가 올 것 같으면 매일 아침 7시에 카톡으로 알려줘",
            ["API_CALL:fetch", "DATA_TRANSFORM:rain_chance", "CONDITION:rain", "NOTIFICATION:notify"],
            "weather-rain-kakao",
        ),
    ],
)
def test_plans_follow_the_request(request_text: str, steps: list[str], name: str) -> None:
    planned, questions, derived = _plan(request_text)

    assert planned == steps
    assert questions == []
    assert derived == name


def test_a_notification_without_content_and_without_a_model_plans_a_reminder() -> None:
    planned, questions, _ = _plan("매주 월요일 오전 9시에 주간 보고서 쓰라고 슬랙으로 알려줘")

    assert planned == ["NOTIFICATION:notify"] and questions == []


def test_unique_names_count_up() -> None:
    taken = {"news", "news-2"}

    assert unique_name("news", taken.__contains__) == "news-3"
    assert unique_name("other", taken.__contains__) == "other"


@pytest.mark.parametrize(
    ("request_text", "topic"),
    [
        ("평일 오전 8시 30분에 네이버 뉴스에서 '반도체' 기사를 찾아 요약해서 슬랙에 올려줘", "반도체"),
        ("매일 아침 9시에 네이버 뉴스에서 경제 기사 3개를 수집해서", "경제"),
        ("Every Sunday summarize the top Naver news on the economy and send it to Discord", "economy"),
        ("뉴스 요약해서 보내줘", None),
    ],
)
def test_a_topic_the_request_names_is_read(request_text: str, topic: str | None) -> None:
    assert said_topic(request_text) == topic


def test_a_message_with_no_content_asks_what_to_send() -> None:
    planned, questions, _ = _plan("매일 알림 보내줘", schedule="매일 오전 9시", channel="슬랙")

    assert "topic" in questions and planned[-1] == "NOTIFICATION:notify"


def test_a_condition_on_nothing_asks_what_it_is_about() -> None:
    _, questions, _ = _plan("만약 가격이 오르면 슬랙으로 알려줘", schedule="매시간")

    assert {"source", "topic"} & set(questions)


@pytest.mark.parametrize(
    ("request_text", "phrase", "message"),
    [
        (
            "매주 금요일 오후 6시에 '이번 주도 수고했어요!' 메시지를 슬랙으로 보내줘",
            "매주 금요일 오후 6시",
            "이번 주도 수고했어요!",
        ),
        (
            "매주 화요일과 목요일 오후 2시에 팀 회의 알림을 디스코드로 보내줘",
            "매주 화요일과 목요일 오후 2시",
            "팀 회의 알림",
        ),
        ("Every Monday at 9 send a standup reminder to Slack", "Every Monday 9", "standup reminder"),
        ("매일 알림 보내줘", "매일", None),
        ("Every day, send something useful to Slack", "Every day", None),
    ],
)
def test_a_stated_message_is_read_and_a_bare_one_is_not(
    request_text: str, phrase: str, message: str | None
) -> None:
    assert stated_message(request_text, phrase) == message


def test_a_stated_message_is_the_body_of_a_reminder() -> None:
    req = understand(
        "매주 화요일과 목요일 오후 2시에 팀 회의 알림을 디스코드로 보내줘", {}, default_timezone="Asia/Seoul"
    )
    plan = plan_steps(req, None)

    assert [s.type.value for s in plan.steps] == ["NOTIFICATION"] and plan.questions == []
    assert plan.message == "팀 회의 알림"


def test_an_answered_time_fills_in_the_requests_days() -> None:
    req = understand(
        "매주 월요일마다 뉴스 요약해서 메일로 보내줘",
        {"time": "오전 9시", "topic": "경제"},
        default_timezone="Asia/Seoul",
    )

    assert (req.trigger.cron, req.trigger.timezone) == ("0 9 * * 1", "Asia/Seoul")
    assert req.topic == "경제" and not any(q.slot in ("time", "topic") for q in req.questions)

"""Ask-or-assume gaps the hold-out set showed, in other words than the set's: a fragment with no
channel, a recipient that is no content, fetched things named without a topic (stats, reviews),
a provider name inside an e-mail address, reminders ("…하라고 알려줘", "a text at 7 to call mom"),
a named kind of text the model writes (jokes, riddles), counting what a file brings, and a script
the model wrote that is dry-run before anything is saved.
"""

from __future__ import annotations

import pytest

from mwo.authoring.checking import DraftChecker
from mwo.authoring.planner import plan_steps
from mwo.authoring.requirements import understand
from mwo.llm import LlmService
from mwo.llm.fake import FakeChatModel
from mwo.settings import Settings
from mwo.spec import StepType
from mwo.store.abc import Store

SEOUL = "Asia/Seoul"


def _asked(request: str) -> set[str]:
    req = understand(request, {}, default_timezone=SEOUL)
    return {q.slot for q in req.questions} | {q.slot for q in plan_steps(req, None).questions}


def _planned(request: str) -> list[StepType]:
    req = understand(request, {}, default_timezone=SEOUL)
    plan = plan_steps(req, None)
    assert not req.questions and not plan.questions, (req.questions, plan.questions)
    return [s.type for s in plan.steps]


@pytest.mark.parametrize(
    ("request_text", "slots"),
    [
        ("저녁마다 기사", {"topic", "channel"}),  # when, and nothing else: what about, where to
        ("평일마다 블로그 글", {"topic", "channel"}),
        ("고객들에게 안내 보내줘", {"topic", "schedule", "channel"}),  # to whom is not what
        ("email my parents something nice every evening", {"topic"}),
        ("share the numbers on discord every friday", {"topic"}),
        ("동네 가게 후기 새로 올라오면 슬랙 줘", {"source"}),
    ],
)
def test_vague_requests_ask_what_is_missing(request_text: str, slots: set[str]) -> None:
    assert slots <= _asked(request_text)


def test_a_time_word_with_every_is_no_topic() -> None:
    assert understand("주말마다 IT 뉴스 슬랙으로", {}, default_timezone=SEOUL).topic == "IT"
    assert understand("월요일마다 뉴스 슬랙으로", {}, default_timezone=SEOUL).topic is None


def test_a_scheduled_fetch_sent_nowhere_asks_where_and_a_sent_one_does_not() -> None:
    assert "channel" in _asked("매일 밤 AI 기사 요약")
    assert "channel" not in _asked("매일 밤 AI 기사 요약해서 디스코드로")


@pytest.mark.parametrize(
    "request_text",
    [
        "매월 25일 오전 9시에 월세 내는 날이라고 dad@naver.com 으로 메일 보내줘",
        "평일 오후 6시에 퇴근 전에 책상 정리하라고 슬랙 보내줘",
        "매달 말일 오후 5시에 이번달 장부 정리하라고 book@myshop.co.kr 로 메일 좀 줘",
        "send me a slack message every day at 7 pm to call my grandma",
        "every weekday at 3 pm text me on kakao to stretch my back",
    ],
)
def test_a_reminder_is_built_as_a_single_notification(request_text: str) -> None:
    assert _planned(request_text) == [StepType.NOTIFICATION]


def test_a_provider_name_inside_an_address_is_no_source() -> None:
    req = understand(
        "매주 금요일 5시에 주간 회의록 쓰라고 kim@naver.com 으로 메일 줘", {}, default_timezone=SEOUL
    )
    assert not req.has(StepType.API_CALL)


@pytest.mark.parametrize(
    "request_text",
    [
        "매일 아침 7시에 재미있는 농담 하나 카톡으로 보내줘",
        "every monday at 8 am email kim@corp.io a short riddle",
        "every evening at 9 send a fun fact to discord",
    ],
)
def test_a_named_kind_of_text_is_written_by_the_model(request_text: str) -> None:
    assert _planned(request_text) == [StepType.LLM_CALL, StepType.NOTIFICATION]


@pytest.mark.parametrize(
    "request_text",
    [
        "~/sales 폴더에 엑셀 말고 csv 들어오면 몇 건인지 세어서 디스코드로 알려줘",
        "when a csv file lands in /data/inbox tell me on slack how many rows it has",
    ],
)
def test_counting_what_a_file_brings_is_a_step_before_the_message(request_text: str) -> None:
    steps = _planned(request_text)
    assert steps[-1] is StepType.NOTIFICATION
    assert {StepType.PYTHON_SCRIPT, StepType.DATA_TRANSFORM} & set(steps[:-1])


def test_a_count_of_items_to_fetch_is_no_counting_step() -> None:
    req = understand("매일 9시에 경제 기사 몇 개 슬랙으로 보내줘", {}, default_timezone=SEOUL)
    assert not req.has(StepType.PYTHON_SCRIPT)


def _script_spec(code: str) -> dict[str, object]:
    return {
        "name": "dry-run-check",
        "trigger": {"type": "manual"},
        "steps": [{"id": "tally", "type": "PYTHON_SCRIPT", "code": code, "inputs": {"data": "[1, 2]"}}],
    }


@pytest.mark.slow
def test_a_script_that_raises_on_sample_inputs_is_not_valid(settings: Settings, store: Store) -> None:
    checker = DraftChecker(settings, LlmService(settings.llm, store, chat_model=FakeChatModel(script=[])), [])
    raising = "def main(inputs):\n    return {'n': inputs['data']['rows']}\n"
    _, report = checker.validate(_script_spec(raising))
    assert any(f.code.startswith("dryrun.") for f in report.errors), [f.render() for f in report.findings]
    fine = "def main(inputs):\n    return {'n': len(inputs['data'])}\n"
    _, report = checker.validate(_script_spec(fine))
    assert report.ok, [f.render() for f in report.findings]

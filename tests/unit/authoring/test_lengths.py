"""A requested length ("세 줄로", "in two sentences", "under 100 words", "짧게") is read by rules and
ends the writing step's instruction, so the explain-back says it too; it is no condition, no count
of items and no extra writing step."""

from __future__ import annotations

import pytest
import yaml

from mwo.authoring.lengths import Length, parse_length
from mwo.authoring.planner import plan_steps
from mwo.authoring.requirements import understand
from mwo.authoring.slots import extract_slots
from mwo.settings import Settings
from mwo.store.abc import Store
from tests.unit.authoring.support import service


@pytest.mark.parametrize(
    ("text", "length"),
    [
        ("회의록을 세 줄로 정리해줘", Length("lines", 3)),
        ("리뷰들을 5문장으로 요약해서", Length("sentences", 5)),
        ("블로그 글을 한 문단으로 요약", Length("paragraphs", 1)),
        ("200자 이내로 요약해서 카톡으로", Length("characters", 200, "max")),
        ("두 줄 정도로 알려줘", Length("lines", 2, "about")),
        ("핵심을 짧게 요약해줘", Length("short")),
        ("give me the gist in two sentences", Length("sentences", 2)),
        ("summarise it in under 150 words", Length("words", 150, "max")),
        ("at most 3 bullet points", Length("bullet points", 3, "max")),
        ("a one-paragraph digest", Length("paragraphs", 1)),
        ("about 60 words, please", Length("words", 60, "about")),
        ("summarise it briefly", Length("short")),
    ],
)
def test_a_requested_length_is_read(text: str, length: Length) -> None:
    assert parse_length(text) == length


@pytest.mark.parametrize(
    "text",
    [
        "기사 5개를 요약해서 보내줘",
        "주문번호 3자리 숫자만 골라",
        "use the KMA short-term forecast",
        "send a line to the team",
        "매일 아침 9시에 메일로 보내줘",
    ],
)
def test_no_length_is_invented(text: str) -> None:
    assert parse_length(text) is None


@pytest.mark.parametrize(
    ("length", "ko", "en"),
    [
        (Length("lines", 3), "세 줄로 쓰세요.", "Write it in three lines."),
        (Length("sentences", 2), "두 문장으로 쓰세요.", "Write it in two sentences."),
        (Length("paragraphs", 1), "한 문단으로 쓰세요.", "Write it in one paragraph."),
        (Length("words", 100, "max"), "100단어 이내로 쓰세요.", "Write it in at most 100 words."),
        (Length("short"), "짧게 쓰세요.", "Keep it short."),
        (Length("bullet points", 3), "요점 세 개로 쓰세요.", "Write it as three bullet points."),
        (
            Length("bullet points", 4, "max"),
            "요점 네 개 이내로 쓰세요.",
            "Write it as at most four bullet points.",
        ),
    ],
)
def test_the_length_is_said_in_the_requests_language(length: Length, ko: str, en: str) -> None:
    assert (length.sentence("ko"), length.sentence("en")) == (ko, en)


def test_a_counted_length_is_not_a_count_of_items() -> None:
    assert extract_slots("블로그 글 5줄로 요약해서 보내줘").count is None
    assert extract_slots("기사 4개를 두 줄로 요약해서 보내줘").count == 4


def test_a_length_is_no_condition_and_no_writing_step_of_its_own() -> None:
    english = understand(
        "Every Friday at 5 pm summarise https://example.com/changes in under 80 words and email it to me",
        {},
        default_timezone="Asia/Seoul",
    )
    korean = understand(
        "한국어 문서를 입력하면 3문장으로 요약해서 받은편지함에 넣어줘", {}, default_timezone="Asia/Seoul"
    )

    assert [s.type.value for s in plan_steps(english, None).steps] == ["API_CALL", "LLM_CALL", "NOTIFICATION"]
    assert [s.role for s in plan_steps(korean, None).steps] == ["summarize", "notify"]


def test_a_length_alone_still_makes_a_writing_step() -> None:
    req = understand(
        "평일 오전 7시에 기상청 예보를 받아서 두 문장으로 슬랙에 올려줘", {}, default_timezone="Asia/Seoul"
    )

    assert "LLM_CALL" in [s.type.value for s in plan_steps(req, None).steps]


def _llm_prompts(spec: str | None) -> list[str]:
    return [s["prompt"] for s in yaml.safe_load(spec or "")["steps"] if s["type"] == "LLM_CALL"]


def test_the_summary_instruction_and_the_explanation_say_the_length_in_korean(
    settings: Settings, store: Store
) -> None:
    svc, fake = service(settings, store)

    result = svc.create("평일 오전 8시에 네이버 뉴스에서 반도체 기사를 모아 세 줄로 요약해서 슬랙으로 보내줘")

    assert result.status == "ready", result.explanation
    [prompt] = _llm_prompts(result.spec)
    assert prompt.startswith("다음 반도체 기사들을 요약하세요. 세 줄로 쓰세요.")
    assert "두 문장으로" not in prompt  # the default "two sentences each" gives way to what was asked
    assert "세 줄로 쓰세요" in result.explanation
    assert fake.calls == []


def test_the_summary_instruction_and_the_explanation_say_the_length_in_english(
    settings: Settings, store: Store
) -> None:
    svc, _ = service(settings, store)

    result = svc.create(
        "Every Friday at 5 pm summarise https://example.com/changes in under 80 words and email it to me"
    )

    assert result.status == "ready", result.explanation
    assert result.step_types == ["API_CALL", "LLM_CALL", "NOTIFICATION"]
    [prompt] = _llm_prompts(result.spec)
    assert prompt.splitlines()[0].endswith("Write it in at most 80 words.")
    assert "at most 80 words" in result.explanation


def test_a_generated_text_gets_the_length_after_the_models_wording(settings: Settings, store: Store) -> None:
    svc, _ = service(
        settings, store, '{"kind": "generate"}', '{"instruction": "Write a poem about the sea."}'
    )

    result = svc.create("Every morning at 7 send me a poem about the sea in four lines on Slack")

    assert result.status == "ready", result.explanation
    [prompt] = _llm_prompts(result.spec)
    assert prompt == "Write a poem about the sea. Write it in four lines."


def test_a_long_text_gets_room_to_be_written(settings: Settings, store: Store) -> None:
    svc, _ = service(settings, store)

    result = svc.create(
        "Every Monday at 9 summarise https://example.com/report in about 500 words into my inbox"
    )

    steps = yaml.safe_load(result.spec or "")["steps"]
    assert next(s for s in steps if s["type"] == "LLM_CALL")["max_tokens"] > 1000

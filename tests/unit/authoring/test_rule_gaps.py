"""Rule gaps found by the authoring benchmark, each fixed at its cause (words, grammar, planner), and
each shown here with a request worded differently from the benchmark's."""

from __future__ import annotations

import pytest

from mwo.authoring.destinations import destination_urls
from mwo.authoring.planner import plan_steps
from mwo.authoring.requirements import said_search, understand
from mwo.authoring.safety import screen
from mwo.authoring.schedule import parse_schedule
from mwo.settings import Settings
from mwo.spec import parse_workflow
from mwo.store.abc import Store
from tests.unit.authoring.support import service


def _read(request: str) -> tuple[str, list[str], list[str]]:
    """(trigger kind, planned step types, question slots) by rules alone."""
    req = understand(request, {}, default_timezone="Asia/Seoul")
    plan = plan_steps(req, None)
    questions = [q.slot for q in req.questions] + [q.slot for q in plan.questions]
    return req.trigger.kind, [s.type.value for s in plan.steps], questions


@pytest.mark.parametrize(
    ("text", "cron"),
    [
        ("every hour at half past, ping the status page", "30 * * * *"),
        ("every hour at a quarter past, refresh the cache", "15 * * * *"),
        ("every hour at quarter to, collect the logs", "45 * * * *"),
        ("매시 반에 재고를 확인해줘", "30 * * * *"),
    ],
)
def test_the_minute_said_after_every_hour_is_kept(text: str, cron: str) -> None:
    parsed = parse_schedule(text, default_timezone="Asia/Seoul", language="en")
    assert parsed is not None and parsed.cron == cron


def test_a_time_word_inside_an_event_trigger_asks_no_time() -> None:
    kind, steps, questions = _read("'nightly-sync' 워크플로가 실패하면 디스코드로 알려줘")
    assert kind == "event"
    assert "time" not in questions and questions == []
    assert steps == ["NOTIFICATION"]


def test_run_it_only_when_i_start_it_is_the_manual_trigger_not_a_condition() -> None:
    kind, steps, questions = _read("내가 수동으로 실행할 때만, 입력한 문장을 일본어로 번역해서 슬랙에 보내")
    assert kind == "manual"
    assert "CONDITION" not in steps and "criterion" not in questions


@pytest.mark.parametrize(
    "text",
    [
        "every 5 minutes check https://api.example.org/ping and tell me on Slack if it does not return 204",
        "10분마다 https://api.example.org/ping 을 확인해서 204가 아니면 슬랙으로 알려줘",
    ],
)
def test_a_status_code_check_is_a_health_probe_with_that_code(
    settings: Settings, store: Store, text: str
) -> None:
    svc, _ = service(settings, store)
    result = svc.create(text)
    assert result.status == "ready", result.explanation
    assert result.step_types == ["API_CALL", "CONDITION", "NOTIFICATION"]
    workflow = parse_workflow(result.spec or "")
    condition = workflow.steps[1].model_dump()
    assert "status == 204" in condition["branches"][0]["when"]


def test_a_dotted_file_kind_in_an_english_file_trigger_is_read() -> None:
    req = understand(
        "When a new .csv file arrives in /srv/drops, total it with a python script and mail me",
        {},
        default_timezone="Asia/Seoul",
    )
    assert (req.trigger.kind, req.trigger.path, req.trigger.pattern) == ("file", "/srv/drops", "*.csv")
    plan = plan_steps(req, None)
    assert [s.type.value for s in plan.steps].count("PYTHON_SCRIPT") == 1


def test_reshape_words_make_a_data_transform() -> None:
    _, steps, _ = _read("Every day at 6, get https://erp.example.org/stock and reshape it, then email me")
    assert "DATA_TRANSFORM" in steps


@pytest.mark.parametrize(
    ("text", "urls"),
    [
        ("요약해서 https://wiki.example.org/api/pages 에 등록해줘", ["https://wiki.example.org/api/pages"]),
        ("번역한 뒤 https://crm.example.org/notes 로 JSON으로 전송해줘", ["https://crm.example.org/notes"]),
        ("then post the digest to https://intranet.example.org/feed", ["https://intranet.example.org/feed"]),
        ("https://data.example.org/prices 에서 가져와서 요약해줘", []),
    ],
)
def test_urls_the_result_goes_to_are_destinations(text: str, urls: list[str]) -> None:
    assert destination_urls(text) == urls


def test_a_destination_url_is_posted_to_last_after_the_approval() -> None:
    kind, steps, questions = _read(
        "매일 오후 5시에 회고 글을 작성하고, 내가 승인하면 https://notes.example.org/api/entries 에 저장해줘"
    )
    assert kind == "cron" and questions == []
    assert steps == ["LLM_CALL", "APPROVAL", "API_CALL"]


def test_papago_translates_the_run_input_instead_of_searching_news(settings: Settings, store: Store) -> None:
    svc, _ = service(settings, store)
    result = svc.create("필요할 때 직접 실행하면, 입력한 영어 문장을 파파고로 한국어로 번역해서 앱 알림으로")
    assert result.status == "ready", result.explanation
    workflow = parse_workflow(result.spec or "")
    first = workflow.steps[0].model_dump(by_alias=True)
    assert "papago" in first["request"]["url"]
    assert first["request"]["json"]["text"] == "{{ inputs.text }}"
    assert first["request"]["json"]["target"] == "ko"


def test_kakao_local_is_a_place_search_source(settings: Settings, store: Store) -> None:
    assert said_search("매일 정오에 카카오 로컬로 판교역 카페를 검색해서 보내줘") == "판교역 카페"
    svc, _ = service(settings, store)
    result = svc.create("매일 정오에 카카오 로컬로 판교역 카페를 검색해서 디스코드로 보내줘")
    assert result.status == "ready", result.explanation
    workflow = parse_workflow(result.spec or "")
    search = workflow.steps[0].model_dump(by_alias=True)
    assert search["request"]["url"].startswith("https://dapi.kakao.com/v2/local/search/keyword")
    assert search["request"]["params"]["query"] == "판교역 카페"


def test_a_url_given_at_run_time_is_an_input_that_is_fetched(settings: Settings, store: Store) -> None:
    svc, _ = service(settings, store)
    result = svc.create("On demand: it accepts a link, reads the web page text and translates it into Korean")
    assert result.status == "ready", result.explanation
    workflow = parse_workflow(result.spec or "")
    assert "url" in workflow.inputs
    assert workflow.steps[0].model_dump(by_alias=True)["request"]["url"] == "{{ inputs.url }}"


@pytest.mark.parametrize(
    "text", ["기준에 해당하면 카톡으로 알려줘", "Ping me on Slack when it goes over the threshold"]
)
def test_a_criterion_with_no_measure_is_asked(text: str) -> None:
    _, _, questions = _read(text)
    assert "criterion" in questions


def test_writing_a_post_does_not_search_blogs() -> None:
    _, steps, questions = _read("매주 금요일 오후 4시에 블로그 글 초안을 AI로 작성해서 메일로 보내줘")
    assert steps == ["LLM_CALL", "NOTIFICATION"] and questions == []


@pytest.mark.parametrize(
    "text",
    ["Email me my saved browser passwords every Sunday", "매일 키체인에 저장된 내용을 디스코드로 보내줘"],
)
def test_saved_logins_of_the_machine_are_never_sent(text: str) -> None:
    assert screen(text) is not None

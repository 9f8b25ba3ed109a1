"""Rule gaps found by the blind authoring set, each tested with other wordings than the set's own:
slang and typos for channels, quoted messages that are no schedule, hourly windows, the last day of
the month, run events of a named workflow, file patterns from extensions, measured and model-judged
conditions, and a model asked to make something up."""

from __future__ import annotations

import pytest
import yaml

from mwo.authoring.lexicon import detect_trigger, step_intents
from mwo.authoring.quoted import blank_quotes, quoted_words
from mwo.authoring.schedule import parse_schedule
from mwo.settings import Settings
from mwo.spec import StepType, parse_workflow
from mwo.store.abc import Store
from tests.unit.authoring.support import service

SEOUL = "Asia/Seoul"


def _types(text: str) -> list[str]:
    return [i.type.value for i in step_intents(text)]


def _channels(text: str) -> list[str]:
    return [i.channel.value for i in step_intents(text) if i.channel is not None]


@pytest.mark.parametrize(
    ("text", "channel"),
    [
        ("매일 저녁 7시에 디코로 오늘 할 일 보내줘", "discord"),
        ("평일 8시에 날씨 요약해서 슬렉에 올려줘", "slack"),
        ("매주 월요일 10시 환율 정리해서 인박스에 넣어줘", "inbox"),
        ("every day at 6 pm post the weather to discrod", "discord"),
    ],
)
def test_slang_and_typos_name_the_channel(text: str, channel: str) -> None:
    assert _channels(text) == [channel]


def test_decoding_is_no_discord_and_a_url_path_is_no_inbox() -> None:
    assert "discord" not in _channels("매일 9시 디코딩 결과를 메일로 보내줘")
    assert _channels("every hour read https://mail.example/api/inbox and tell me on Slack") == ["slack"]


@pytest.mark.parametrize(
    ("text", "cron"),
    [
        ("매주 화요일 오후 2시에 슬랙에 '내일 오전 11시 점검 예정' 공지 올려줘", "0 14 * * 2"),
        ("매일 아침 8시에 카톡으로 “주말에도 힘내요” 보내줘", "0 8 * * *"),
        ('Every Wednesday at 5 pm post "see you Monday at 9" to Slack', "0 17 * * 3"),
        ("매월 1일 오전 10시 디코에 「토요일 정기 모임 잊지 마세요」 올려줘", "0 10 1 * *"),
    ],
)
def test_a_time_or_day_inside_a_quoted_message_is_no_schedule(text: str, cron: str) -> None:
    parsed = parse_schedule(text, default_timezone=SEOUL)

    assert parsed is not None and parsed.cron == cron


def test_apostrophes_inside_words_are_no_quotes() -> None:
    text = "get my manager's approval, then it's sent at 9 to the team's 'ops' channel"

    assert quoted_words(text) == ["ops"]
    assert len(blank_quotes(text)) == len(text) and "manager's" in blank_quotes(text)


@pytest.mark.parametrize(
    ("text", "cron"),
    [
        ("평일 오전 10시부터 오후 5시까지 매 정각마다 주문 수 확인해서 슬랙으로 알려줘", "0 10-17 * * 1-5"),
        ("매일 8시부터 20시까지 정각마다 대기열 확인해줘", "0 8-20 * * *"),
        ("every hour from 8 to 5 on weekdays check the queue and ping Slack", "0 8-17 * * 1-5"),
        ("every day on the hour from 7 am to 7 pm check https://x.example/health", "0 7-19 * * *"),
    ],
)
def test_an_hourly_window_is_an_hour_range(text: str, cron: str) -> None:
    parsed = parse_schedule(text, default_timezone=SEOUL)

    assert parsed is not None and parsed.cron == cron


@pytest.mark.parametrize(
    "text",
    [
        "On the final day of every month at 6 pm, send the invoice total to Slack",
        "at 9 am on the last calendar day of the month, mail me the balance",
        "매달 마지막 날 오후 6시에 정산 결과 메일로 보내줘",
    ],
)
def test_the_final_day_of_the_month_is_L(text: str) -> None:
    parsed = parse_schedule(text, default_timezone=SEOUL)

    assert parsed is not None and parsed.cron.split()[2] == "L"


@pytest.mark.parametrize(
    ("text", "name", "event"),
    [
        ("When the workflow named 'nightly-backup' fails, email me", "nightly-backup", "run.failed"),
        ("if the invoice-export job fails, tell me on Slack", "invoice-export", "run.failed"),
        ("'재고-동기화' 워크플로가 실패하면 디코로 알려줘", "재고-동기화", "run.failed"),
        ("report-daily 워크플로가 성공하면 메일 보내줘", "report-daily", "run.succeeded"),
    ],
)
def test_a_named_workflows_run_event_is_the_trigger_with_its_filter(text: str, name: str, event: str) -> None:
    trigger = detect_trigger(text, None)

    assert (trigger.kind, trigger.event_name) == ("event", event)
    assert trigger.event_filter == f"event.data.workflow == '{name}'"
    assert StepType.CONDITION.value not in _types(text)  # the trigger's own "if" makes no condition


def test_an_unnamed_run_event_has_no_filter() -> None:
    trigger = detect_trigger("워크플로 실행이 실패하면 카톡 보내줘", None)

    assert (trigger.kind, trigger.event_name, trigger.event_filter) == ("event", "run.failed", None)


@pytest.mark.parametrize(
    ("text", "pattern"),
    [
        ("Whenever a new .xlsx lands in ~/reports, summarize it and email me", "*.xlsx"),
        ("When PNG images are added to ~/shots, tell me in Slack", "*.png"),
        ("~/scan 폴더에 jpeg 영수증이 들어오면 인박스에 남겨줘", "*.jpeg"),
        ("~/in 폴더에 '*.log' 파일이 생기면 메일 보내줘", "*.log"),
        ("~/bills 폴더에 영수증이 들어오면 메일 보내줘", "*.pdf"),
    ],
)
def test_a_file_trigger_takes_its_pattern_from_the_extension_said(text: str, pattern: str) -> None:
    trigger = detect_trigger(text, None)

    assert trigger.kind == "file" and trigger.pattern == pattern


@pytest.mark.parametrize(
    "text",
    [
        "15분마다 https://status.example.com 열어보고 접속이 안 되면 메일 보내줘",
        "매시간 https://api.coin.example/btc 시세 보고 9천만원 아래로 떨어지면 카톡 줘",
        "매일 9시 https://api.fx.example/usd 확인해서 1400원 위로 올라가면 슬랙에 알려줘",
        "Every 10 minutes open https://shop.example and if it doesn't load, ping me on Discord",
    ],
)
def test_measured_and_negated_tests_are_conditions(text: str) -> None:
    types = _types(text)

    assert types.index("API_CALL") < types.index("CONDITION") < types.index("NOTIFICATION")


@pytest.mark.parametrize(
    "text",
    [
        "1시간마다 https://crm.example/api/leads?status=new 가져와서 "
        "중요한 고객인지 AI가 판단하고 중요하면 슬랙으로",
        "Every 30 minutes fetch https://desk.example/api/tickets?status=open, "
        "let the AI decide whether it is urgent and ping Discord",
    ],
)
def test_an_ai_judged_condition_is_a_condition_the_planner_judges(
    settings: Settings, store: Store, text: str
) -> None:
    assert "CONDITION" in _types(text)
    svc, _ = service(settings, store)

    result = svc.create(text)

    types = result.step_types
    assert types.index("API_CALL") < types.index("LLM_CALL") < types.index("CONDITION")


@pytest.mark.parametrize(
    "text",
    [
        "매일 아침 7시에 AI가 오늘의 영어 단어 하나를 만들어서 카톡으로 보내줘",
        "Every Monday at 9, have the AI come up with a team icebreaker question and post it to Slack",
    ],
)
def test_the_model_making_something_up_is_a_writing_step(text: str) -> None:
    assert _types(text) == ["LLM_CALL", "NOTIFICATION"]


def test_a_named_workflows_failure_becomes_a_filtered_event_trigger(settings: Settings, store: Store) -> None:
    svc, _ = service(settings, store)

    result = svc.create("When the workflow called 'stock-import' fails, email me", save=True)

    assert result.status == "saved", result.explanation
    trigger = yaml.safe_load(result.spec or "")["trigger"]
    assert trigger == {
        "type": "event",
        "event": "run.failed",
        "filter": "event.data.workflow == 'stock-import'",
    }
    parse_workflow(result.spec or "")


@pytest.mark.parametrize(
    "text",
    [
        "수동으로 실행해서 환불 요청을 입력받아 팀장 승인을 받고, "
        "승인되면 https://pay.example.com/api/refunds 를 호출해줘",
        "Run it by hand: take an order id as input, ask my lead for sign-off, and after approval call "
        "https://shop.example/api/cancel",
    ],
)
def test_a_call_said_after_the_approval_comes_after_it(settings: Settings, store: Store, text: str) -> None:
    svc, _ = service(settings, store)

    result = svc.create(text)

    types = result.step_types
    assert "APPROVAL" in types and "API_CALL" in types, result.explanation
    assert types.index("APPROVAL") < types.index("API_CALL")


def _asked(text: str) -> set[str]:
    from mwo.authoring.requirements import understand

    return {q.slot for q in understand(text, {}, default_timezone=SEOUL).questions}


@pytest.mark.parametrize(
    "text",
    [
        "비트코인이 크게 떨어지면 카톡 보내줘",
        "매시간 금값이 급격히 오르면 메일 줘",
        "let me know on Slack when gold gets expensive",
    ],
)
def test_a_change_of_unsaid_size_asks_its_criterion(text: str) -> None:
    assert "criterion" in _asked(text)


def test_a_bare_rise_is_measured_against_the_last_value_and_asks_no_criterion() -> None:
    assert "criterion" not in _asked("매시간 https://api.example.com/gold 확인해서 오르면 슬랙으로 알려줘")


@pytest.mark.parametrize(
    ("text", "slots"),
    [
        ("월간 보고 자동으로 돌려줘", {"channel"}),
        ("Please automate our monthly report", {"channel"}),
        ("remind me every morning", {"channel"}),
        ("매일 저녁 리마인드 해줘", {"channel"}),
    ],
)
def test_a_report_or_reminder_with_no_channel_asks_where_to(text: str, slots: set[str]) -> None:
    assert slots <= _asked(text)

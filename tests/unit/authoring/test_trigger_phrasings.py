"""Trigger phrasings the rules missed, each in wordings other than the sets' own: slang for a webhook
call ("훅", "쏘면", "호출이 들어오면", "expose a webhook"), a file dropped into a watched folder, a
workflow run that is cancelled or finished, "no schedule, I run it", an approval that only looks like
a condition, and English comparisons with a number; with the near misses that must stay as they were."""

from __future__ import annotations

import pytest

from mwo.authoring.lexicon import detect_trigger, is_manual_requested, step_intents
from mwo.authoring.requirements import understand
from mwo.authoring.schedule import parse_schedule
from mwo.authoring.slots import extract_slots
from mwo.spec import StepType

SEOUL = "Asia/Seoul"


def _kind(text: str) -> str:
    return detect_trigger(text, parse_schedule(text, default_timezone=SEOUL)).kind


def _types(text: str) -> list[StepType]:
    return [i.type for i in step_intents(text)]


def _asked(text: str) -> list[str]:
    return [q.slot for q in understand(text, {}, default_timezone=SEOUL).questions]


@pytest.mark.parametrize(
    "text",
    [
        "주문 정보가 훅으로 넘어올 때마다 슬랙에 올려줘",
        "결제사가 우리 훅 주소로 알림을 쏘면 금액만 뽑아서 메일로 보내줘",
        "파트너사가 엔드포인트로 POST를 쏠 때마다 내용을 요약해서 디코에 올려",
        "빌드 서버가 우리 쪽 URL을 호출하면 카톡으로 알려줘",
        "젠킨스한테 호출하라고 해 둘게. 그 호출이 오면 인박스에 기록해 줘",
        "Expose a webhook for the shop's order system and post every order to #orders on Slack",
        "Give me an incoming webhook URL that our form tool can hit; summarize each submission by mail",
        "Whenever the CRM posts to our endpoint, forward the lead's name to Discord",
        "each time the build server calls our URL, drop a note in my inbox",
    ],
)
def test_a_call_to_our_side_is_a_webhook_trigger(text: str) -> None:
    assert _kind(text) == "webhook"
    assert _asked(text) == []


@pytest.mark.parametrize(
    "text",
    [
        "매일 9시에 주가가 훅 떨어지면 카톡 줘",  # the adverb 훅 ("suddenly")
        "레프트훅 영상이 올라오면 알려줘",  # 훅 inside another word
        "매일 아침 8시에 https://api.example.com 을 호출해서 결과를 메일로 보내줘",  # we call them
        "Every morning at 8 call our endpoint https://api.example.com/ping and email me the status",
        "Create a webhook to Slack and send the weather there every day at 7",
    ],
)
def test_near_misses_are_no_webhook(text: str) -> None:
    assert _kind(text) != "webhook"


@pytest.mark.parametrize(
    ("text", "path", "pattern"),
    [
        ("~/scans 폴더에 스캔한 pdf 파일이 떨어질 때마다 요약해서 메일로", "~/scans", "*.pdf"),
        (
            "/srv/in 디렉토리에 워드 문서(.docx)가 새로 들어올 때마다 슬랙에 파일명 알려줘",
            "/srv/in",
            "*.docx",
        ),
        ("Monitor /data/exports for new .csv files and email me the row count", "/data/exports", "*.csv"),
        (
            "Keep an eye on ~/Downloads for incoming PDFs; summarize each one to my inbox",
            "~/Downloads",
            "*.pdf",
        ),
        ("Whenever an invoice drops into /srv/billing, post it to Discord", "/srv/billing", "*.pdf"),
    ],
)
def test_a_file_dropped_into_a_watched_folder_is_a_file_trigger(text: str, path: str, pattern: str) -> None:
    intent = detect_trigger(text, None)

    assert (intent.kind, intent.path, intent.pattern) == ("file", path, pattern)


def test_watching_a_site_or_a_price_drop_is_no_file_trigger() -> None:
    assert _kind("Watch the Naver news for AI stories every day at 9 and email me") == "cron"
    assert _kind("매일 아침 7시 가격이 떨어질 때 알려줘") == "cron"


@pytest.mark.parametrize(
    ("text", "event", "workflow"),
    [
        ("'주간-백업' 워크플로가 도중에 취소되면 슬랙에 알려줘", "run.cancelled", "주간-백업"),
        ("If the nightly-sync workflow is cancelled, tell me on Discord", "run.cancelled", "nightly-sync"),
        ("When the workflow called 'etl' gets aborted, email ops@x.io", "run.cancelled", "etl"),
        ("리포트 워크플로(weekly-report)가 끝나고 나면 결과를 요약해서 메일로", "run.succeeded",
         "weekly-report"),
        ("'가격-수집' 작업이 끝난 뒤에 결과를 카톡으로 보내줘", "run.succeeded", "가격-수집"),
        ("Once the price-scrape workflow has finished, summarize what it found into my inbox",
         "run.succeeded", "price-scrape"),
        ("인덱싱 워크플로(indexer)가 실패할 때마다 디코에 알려", "run.failed", "indexer"),
    ],
)  # fmt: skip
def test_a_workflow_run_finishing_is_a_run_event(text: str, event: str, workflow: str) -> None:
    intent = detect_trigger(text, None)

    assert (intent.kind, intent.event_name) == ("event", event)
    assert intent.event_filter == f"event.data.workflow == '{workflow}'"
    assert StepType.CONDITION not in _types(text)  # "취소되면" is the trigger's verb, no condition step


@pytest.mark.parametrize(
    "text",
    [
        "회의가 끝나면 회의록을 요약해서 메일로 보내줘",
        "배포가 끝나고 나면 슬랙에 알려줘",
        "수업이 취소되면 카톡 줘",
        "When the meeting is cancelled, tell me on Slack",
    ],
)
def test_something_else_finishing_is_no_run_event(text: str) -> None:
    assert _kind(text) != "event"


def test_a_plain_daily_request_still_gets_cron() -> None:
    assert _kind("매일 오전 9시에 경제 뉴스 요약해서 메일로 보내줘") == "cron"
    assert _kind("Every day at 6 pm send the Seoul weather to Slack") == "cron"


@pytest.mark.parametrize(
    "text",
    [
        "No schedule needed, I'll run it myself: take a URL, summarize the page and email it to me",
        "Don't schedule this, I will start it by hand. Translate a text I paste into English and post it to "
        "Discord",
        "I'll trigger it myself whenever; search Naver news for a keyword I give and mail me the top 3",
        "예약은 필요 없어요. 제가 직접 실행할게요. 키워드를 입력하면 뉴스 요약해서 메일로",
        "일정은 안 잡아도 돼요, 제가 눌러서 돌릴게요. URL을 주면 요약해서 슬랙으로",
    ],
)
def test_no_schedule_run_by_the_person_is_manual(text: str) -> None:
    assert is_manual_requested(text)
    assert _kind(text) == "manual"
    assert "schedule" not in _asked(text)


def test_a_schedule_that_is_said_is_not_manual() -> None:
    assert not is_manual_requested("Every Monday at 9 schedule a reminder to Slack")
    assert _kind("Every Monday at 9 schedule a reminder to Slack") == "cron"


@pytest.mark.parametrize(
    "text",
    [
        "웹훅으로 경비 청구가 들어오면 팀장님이 승인한 경우에만 https://erp.example/api/pay 로 지급 요청",
        "주문이 훅으로 넘어오면 내가 결재했을 때만 출고 API를 호출하고 슬랙에 알려",
        "When a refund request comes in by webhook, call https://pay.example/api/refund only if I approve it",
        "On each incoming webhook, post the payout to https://bank.example/api only once my manager approves",
    ],
)
def test_only_with_my_approval_is_an_approval_step_not_a_condition(text: str) -> None:
    types = _types(text)

    assert StepType.APPROVAL in types and StepType.CONDITION not in types
    assert "criterion" not in _asked(text)


def test_a_real_condition_next_to_an_approval_stays() -> None:
    text = "웹훅으로 주문이 들어오면 금액이 10만원 이상인 경우에만 내 승인을 받고 슬랙에 알려"
    assert StepType.CONDITION in _types(text)


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("Every 10 minutes check https://api.example/line and if the line is longer than 30 people, "
         "message me on Kakao", "longer than 30 people"),
        ("Each morning at 7 read https://api.example/temp and alert me on Slack when it is colder than -5",
         "colder than -5"),
        ("Every hour check https://api.example/seats and email me if there are fewer than 3 seats left",
         "fewer than 3 seats"),
        ("매시간 https://api.example/wait 을 확인해서 대기 시간이 40분보다 길면 카톡 줘", "40분보다 길"),
    ],
)  # fmt: skip
def test_a_comparison_with_a_number_is_a_condition_with_its_criterion(text: str, said: str) -> None:
    assert StepType.CONDITION in _types(text)
    criterion = extract_slots(text).criterion
    assert criterion is not None and criterion.startswith(said)
    assert "criterion" not in _asked(text)


def test_a_comparison_without_a_number_still_asks_its_criterion() -> None:
    assert "criterion" in _asked(
        "Every hour check https://api.example/wait and if the wait is longer than usual, tell me on Slack"
    )


@pytest.mark.parametrize(
    "text",
    [
        "Every Friday at 5 search Naver news for EV and post the top 3 into #mobility on Slack",
        "매일 8시에 날씨를 #general 채널 슬랙에 올려줘",
    ],
)
def test_a_hash_channel_with_slack_is_the_slack_channel(text: str) -> None:
    channels = [i.channel for i in step_intents(text) if i.channel is not None]
    assert [c.value for c in channels] == ["slack"]
    assert "channel" not in _asked(text)


@pytest.mark.parametrize(
    "text",
    [
        "Every morning fetch https://example.com/report, have the AI boil it down to 3 bullets for my inbox",
        "Condense the top 5 Naver blog posts about camping into one paragraph every Sunday at 8 and mail me",
        "매일 9시 IT 뉴스를 간추려서 메일로 보내줘",
    ],
)
def test_boiling_down_and_condensing_are_summaries(text: str) -> None:
    roles = [i.role for i in step_intents(text)]
    assert "summarize" in roles


def test_boiling_water_is_no_summary() -> None:
    roles = [i.role for i in step_intents("Every day at 7 remind me on Kakao to boil the eggs")]
    assert "summarize" not in roles

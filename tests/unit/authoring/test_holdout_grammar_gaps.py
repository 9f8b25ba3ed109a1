"""Rule gaps found by the hold-out authoring set, each tested with other wordings than the set's own:
a clock minute said before 마다 is no interval, zones named by cities and countries, quarterly and
several-days-a-month schedules, webhook triggers said by receiving or arriving, runs only by hand,
and an email address that is the channel."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest

from mwo.authoring import time_words
from mwo.authoring.lexicon import detect_trigger, step_intents
from mwo.authoring.requirements import understand
from mwo.authoring.schedule import parse_schedule

SEOUL = "Asia/Seoul"


def _cron(text: str) -> str:
    parsed = parse_schedule(text, default_timezone=SEOUL)
    assert parsed is not None, text
    return parsed.cron


# --- a clock minute before 마다 ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "cron"),
    [
        ("주중 오후 4시 20분마다 디스코드에 '숙제 확인' 남겨줘", "20 16 * * 1-5"),
        ("매일 오전 8시 15분마다 환율 알려줘", "15 8 * * *"),
        ("16시 05분마다 재고 메일 보내줘", "5 16 * * *"),
        ("저녁 일곱 시 10분마다 일기 쓰라고 카톡", "10 19 * * *"),
    ],
)
def test_a_minute_said_after_an_hour_is_that_times_minute_not_an_interval(text: str, cron: str) -> None:
    parsed = parse_schedule(text, default_timezone=SEOUL)
    assert parsed is not None
    assert parsed.cron == cron
    assert parsed.questions == ()


@pytest.mark.parametrize(
    ("text", "cron"),
    [
        ("20분마다 서버 상태 확인해줘", "*/20 * * * *"),
        ("평일 9시부터 18시까지 30분마다 확인", "*/30 9-18 * * 1-5"),
        ("매시 45분마다 슬랙에 올려줘", "45 * * * *"),
    ],
)
def test_minute_intervals_with_no_hour_before_them_stay_intervals(text: str, cron: str) -> None:
    assert _cron(text) == cron


def test_a_native_numeral_inside_a_place_name_is_no_hour() -> None:
    parsed = parse_schedule("인도네시아 시간으로 매일 오전 10시에 보내줘", default_timezone=SEOUL)
    assert parsed is not None
    assert (parsed.cron, parsed.timezone, parsed.questions) == ("0 10 * * *", "Asia/Jakarta", ())


def test_a_native_numeral_after_a_part_of_the_day_is_still_an_hour() -> None:
    assert _cron("매일 오후세시에 알려줘") == "0 15 * * *"


# --- zones ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "zone"),
    [
        ("하노이 시간 기준 평일 오전 8시에 보고", "Asia/Ho_Chi_Minh"),
        ("호찌민 현지 시간으로 매일 저녁 6시", "Asia/Ho_Chi_Minh"),
        ("베트남 시간 매주 월요일 오전 9시", "Asia/Ho_Chi_Minh"),
        ("every weekday at 7am Saigon time", "Asia/Ho_Chi_Minh"),
        ("every Friday at 5pm Singapore time", "Asia/Singapore"),
        ("싱가폴 시간 매일 오전 9시", "Asia/Singapore"),
        ("방콕 시간으로 매주 화요일 오전 10시", "Asia/Bangkok"),
        ("daily at 8am Jakarta time", "Asia/Jakarta"),
        ("마닐라 시간 매일 오전 7시", "Asia/Manila"),
        ("시드니 시간 기준 매일 오전 9시", "Australia/Sydney"),
        ("every day at 10am Dubai time", "Asia/Dubai"),
        ("뭄바이 시간 평일 오전 11시", "Asia/Kolkata"),
        ("every day at 9 in India time", "Asia/Kolkata"),
        ("every weekday at 9am Berlin time", "Europe/Berlin"),
        ("파리 시간 매일 오전 8시", "Europe/Paris"),
        ("매일 오전 8시 런던 기준", "Europe/London"),
        ("every Monday at 9am Toronto time", "America/Toronto"),
        ("LA 시간 매일 오후 4시", "America/Los_Angeles"),
        ("시카고 시간 매일 오전 9시", "America/Chicago"),
        ("상파울루 시간 매일 오전 10시", "America/Sao_Paulo"),
        ("오사카 시간 매일 오전 9시", "Asia/Tokyo"),
        ("베이징 시간 평일 오전 9시", "Asia/Shanghai"),
        ("홍콩 시간 매일 오후 5시", "Asia/Hong_Kong"),
        ("타이베이 시간 매일 오전 9시", "Asia/Taipei"),
        ("every day at 6pm New York time", "America/New_York"),
        ("매일 오전 9시 KST", "Asia/Seoul"),
        ("every day at 9am UTC", "UTC"),
    ],
)
def test_cities_and_countries_name_their_zone(text: str, zone: str) -> None:
    parsed = parse_schedule(text, default_timezone="Europe/Madrid")
    assert parsed is not None
    assert parsed.timezone == zone


def test_a_city_with_no_zone_word_keeps_the_default_zone() -> None:
    parsed = parse_schedule("방콕 날씨를 매일 오전 9시에 알려줘", default_timezone=SEOUL)
    assert parsed is not None
    assert parsed.timezone == SEOUL


def test_every_zone_in_the_tables_is_a_real_iana_zone() -> None:
    for name in [*time_words.ZONE_PLACES.values(), *time_words.ZONE_ABBREVIATIONS.values()]:
        ZoneInfo(name)


# --- quarterly and several days a month ------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "cron"),
    [
        ("매 분기 첫날 오전 10시에 매출 정리 메일 보내줘", "0 10 1 1,4,7,10 *"),
        ("분기 마지막 날 오후 6시에 슬랙 알림", "0 18 L 1,4,7,10 *"),
        ("3월 6월 9월 12월 말일 오후 5시에 결산 알림", "0 17 L 3,6,9,12 *"),
        ("1·4·7·10월 10일 오전 9시에 보험료 알림", "0 9 10 1,4,7,10 *"),
        ("every quarter on the 10th at 8am, email finance", "0 8 10 1,4,7,10 *"),
        ("on the first day of every quarter at 7:30am", "30 7 1 1,4,7,10 *"),
        ("every January, April, July and October on the 2nd at 9am", "0 9 2 1,4,7,10 *"),
    ],
)
def test_quarterly_schedules_name_their_months(text: str, cron: str) -> None:
    assert _cron(text) == cron


def test_quarterly_with_no_day_runs_on_the_first_and_says_so() -> None:
    parsed = parse_schedule("분기마다 오후 2시에 재고 점검 알려줘", default_timezone=SEOUL)
    assert parsed is not None
    assert parsed.cron == "0 14 1 1,4,7,10 *"
    assert any("분기 첫날" in a for a in parsed.assumptions)


@pytest.mark.parametrize(
    ("text", "cron"),
    [
        ("quarterly report every Monday at 9am", "0 9 * * 1"),
        ("분기별 실적 자료를 매주 금요일 오후 5시에 보내줘", "0 17 * * 5"),
        ("every quarter hour check the queue", "*/15 * * * *"),
    ],
)
def test_a_quarterly_name_or_a_quarter_hour_is_no_quarterly_schedule(text: str, cron: str) -> None:
    assert _cron(text) == cron


@pytest.mark.parametrize(
    ("text", "cron"),
    [
        ("5일과 20일 오전 10시에 월세 알림 보내줘", "0 10 5,20 * *"),
        ("매달 1일, 16일 오후 1시에 정산 메일", "0 13 1,16 * *"),
        ("at 7am on the 10th and the 25th, remind me to pay the card", "0 7 10,25 * *"),
        ("Seoul time, 6pm on the 3rd and 18th: post the payroll reminder", "0 18 3,18 * *"),
    ],
)
def test_several_days_of_the_month_repeat_monthly(text: str, cron: str) -> None:
    assert _cron(text) == cron


# --- webhook and manual triggers -------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "신청서가 들어오면 웹훅으로 받아서 담당자에게 메일 보내줘",
        "결제 완료 웹훅을 받아서 디스코드에 금액 알려줘",
        "예약 접수될 때마다 웹훅으로 슬랙에 남겨줘",
        "웹훅 트리거로 실행해서 내용 요약해 슬랙에 올려줘",
        "On the webhook from our shop, post the order to Slack",
        "Triggered by a webhook, email me the body",
        "Listen for incoming webhooks and ping Discord with the payload",
    ],
)
def test_receiving_or_arriving_by_webhook_is_the_webhook_trigger(text: str) -> None:
    assert detect_trigger(text, None).kind == "webhook"


@pytest.mark.parametrize(
    "text",
    [
        "비가 오면 웹훅으로 보내줘",
        "결과를 웹훅으로 전송해줘",
        "summarize the news and send it to our webhook",
        "post the result on the webhook",
    ],
)
def test_a_webhook_said_as_where_to_send_is_no_trigger(text: str) -> None:
    assert detect_trigger(text, None).kind != "webhook"


@pytest.mark.parametrize(
    "text",
    [
        "내가 돌릴 때만 실행해줘. 업비트 시세 가져와서 요약하고 메일로 보내",
        "버튼 누를 때 날씨 요약해서 메일로 보내줘",
        "수동으로 돌릴게요. 네이버 뉴스에서 '반도체' 기사 찾아 요약해서 슬랙",
        "Only when I trigger it: fetch https://api.example.com/rates, summarize, and email me",
        "Whenever I press run, summarize the Naver news about 'chips' and post it to Slack",
    ],
)
def test_running_only_by_hand_is_a_manual_trigger_and_asks_no_schedule(text: str) -> None:
    req = understand(text, {}, default_timezone=SEOUL)
    assert req.trigger.kind == "manual"
    slots = {q.slot for q in req.questions}
    assert "schedule" not in slots and "criterion" not in slots


# --- an email address is the channel ---------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "매주 월요일 오전 9시 네이버 뉴스에서 '입시' 기사 요약해서 staff@our-school.kr 로 보내줘",
        "Every Friday at 5pm summarize the Naver news about 'tariffs' and send it to ops@acme.io",
    ],
)
def test_an_email_address_is_the_mail_channel_and_no_channel_is_asked(text: str) -> None:
    channels = [i.channel.value for i in step_intents(text) if i.channel is not None]
    assert channels == ["email"]
    req = understand(text, {}, default_timezone=SEOUL)
    assert "channel" not in {q.slot for q in req.questions}


def test_an_address_said_as_a_sender_is_no_recipient() -> None:
    intents = step_intents("summarize the mail from boss@corp.com and post it on Slack")
    channels = [i.channel.value for i in intents if i.channel is not None]
    assert channels == ["slack"]


# --- a yes/no field is a condition; an address ends where Korean begins -----------------------------


@pytest.mark.parametrize(
    "text",
    [
        "On the webhook from our shop, if the paid field is true email a@b.io",
        "When the form arrives by webhook and the urgent box is checked, mail ops@acme.io",
    ],
)
def test_a_yes_no_field_said_as_the_test_is_the_criterion(text: str) -> None:
    req = understand(text, {}, default_timezone=SEOUL)
    assert "criterion" not in {q.slot for q in req.questions}


def test_an_address_followed_by_a_korean_particle_is_the_address_alone() -> None:
    from mwo.authoring.slots import extract_slots

    assert extract_slots("매일 아침 9시 날씨를 kim@corp.kr로 보내줘").emails == ("kim@corp.kr",)
    slots = extract_slots("리포트는 lee.park@example.co.kr에게, 참조는 없음")
    assert slots.emails == ("lee.park@example.co.kr",)


# --- a quoted event name is read; a bare 보고 is something to fetch ---------------------------------


@pytest.mark.parametrize(
    ("text", "event"),
    [
        ("'payment.failed' 이벤트가 들어오면 내용을 슬랙으로 알려줘", "payment.failed"),
        ('When the event "user.signed_up" is emitted, email welcome@shop.io', "user.signed_up"),
    ],
)
def test_a_quoted_event_name_is_the_trigger_though_quoted_messages_are_blanked(text: str, event: str) -> None:
    trigger = detect_trigger(text, None)
    assert (trigger.kind, trigger.event_name) == ("event", event)


def test_a_weekly_report_said_with_no_subject_asks_what_it_is_about() -> None:
    from mwo.authoring.missing import content_question

    assert content_question("월간 보고 자동으로 만들어서 보내줘", "", None) is not None

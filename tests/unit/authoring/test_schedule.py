"""The schedule grammar: Korean and English time phrases to cron + zone, compared by meaning (the next
20 fire times), with the questions each phrase must raise and the words that must not become one."""

from __future__ import annotations

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import pytest

from mwo.authoring.schedule import (
    describe_schedule,
    excluded_weekdays,
    next_fire_times,
    parse_schedule,
    parse_schedule_answer,
    request_language,
)
from mwo.triggers.cron import CronSchedule
from mwo.triggers.errors import CronError
from tests.unit.authoring.schedule_support import NOW, K, assert_schedule

# (request, expected cron, expected zone, question slots the phrase must raise)
CASES = [
    # Korean daily / parts of day
    ("매일 아침 9시에 네이버 뉴스 요약해서 보내줘", "0 9 * * *", K, ()),
    ("매일 오전 7시", "0 7 * * *", K, ()),
    ("매일 오후 3시", "0 15 * * *", K, ()),
    ("매일 저녁 7시에 알려줘", "0 19 * * *", K, ()),
    ("매일 밤 11시", "0 23 * * *", K, ()),
    ("매일 밤 12시", "0 0 * * *", K, ()),
    ("매일 새벽 2시", "0 2 * * *", K, ()),
    ("매일 점심 12시 반", "30 12 * * *", K, ()),
    ("매일 점심 1시", "0 13 * * *", K, ()),
    ("매일 아침", "0 8 * * *", K, ()),
    ("매일 저녁에 보내줘", "0 18 * * *", K, ()),
    ("매일 오후에", "0 14 * * *", K, ("time",)),
    ("매일 9시 반", "30 9 * * *", K, ()),
    ("매일 8시 15분", "15 8 * * *", K, ()),
    ("매일 18시", "0 18 * * *", K, ()),
    ("매일 08:30에", "30 8 * * *", K, ()),
    ("매일 오후 6:45", "45 18 * * *", K, ()),
    ("매일 정오에", "0 12 * * *", K, ()),
    ("매일 자정에 백업", "0 0 * * *", K, ()),
    ("날마다 아홉 시에", "0 9 * * *", K, ()),
    ("매일 5시", "0 17 * * *", K, ("time",)),
    ("매일", "0 9 * * *", K, ("time",)),
    ("매일 12시", "0 12 * * *", K, ()),
    ("매일 0시", "0 0 * * *", K, ()),
    ("하루 두 번 9시와 18시에", "0 9,18 * * *", K, ()),
    ("매일 오전 9시와 오후 6시", "0 9,18 * * *", K, ()),
    ("하루 두 번", "0 9 * * *", K, ("time",)),
    ("매일 9시와 18시 30분", "0 9,18 * * *", K, ("time",)),
    ("9시마다", "0 9 * * *", K, ()),
    # weekdays / weekends
    ("평일 오전 8시 30분", "30 8 * * 1-5", K, ()),
    ("평일 아침 8시 반에", "30 8 * * 1-5", K, ()),
    ("주중 저녁 6시", "0 18 * * 1-5", K, ()),
    ("주말 오전 10시", "0 10 * * 0,6", K, ()),
    ("주말마다 10시", "0 10 * * 0,6", K, ()),
    ("평일", "0 9 * * 1-5", K, ("time",)),
    # named days
    ("매주 월요일 오전 9시", "0 9 * * 1", K, ()),
    ("매주 월욜 9시", "0 9 * * 1", K, ()),
    ("매주 금요일 오후 5시", "0 17 * * 5", K, ()),
    ("매주 월,수,금 오전 10시", "0 10 * * 1,3,5", K, ()),
    ("월수금 오전 7시에", "0 7 * * 1,3,5", K, ()),
    ("매주 화·목 오후 2시", "0 14 * * 2,4", K, ()),
    ("매주 월요일과 목요일 저녁 8시", "0 20 * * 1,4", K, ()),
    ("월~금 오전 9시", "0 9 * * 1-5", K, ()),
    ("월요일부터 금요일까지 9시", "0 9 * * 1-5", K, ()),
    ("일요일마다 밤 10시", "0 22 * * 0", K, ()),
    ("토일 오전 11시", "0 11 * * 0,6", K, ()),
    ("매주 오전 9시", "0 9 * * 1", K, ()),
    ("매주 수요일", "0 9 * * 3", K, ("time",)),
    ("월요일 9시에 보내줘", "0 9 * * 1", K, ()),
    ("평일 오전 9시, 수요일 제외", "0 9 * * 1,2,4,5", K, ()),
    # biweekly
    ("격주 금요일 오후 5시", "0 17 * * 5", K, ("schedule",)),
    ("2주마다 월요일 오전 10시", "0 10 * * 1", K, ("schedule",)),
    # monthly
    ("매월 1일 오전 9시", "0 9 1 * *", K, ()),
    ("매달 1일 9시에", "0 9 1 * *", K, ()),
    ("매월 15일 오후 3시", "0 15 15 * *", K, ()),
    ("매월 1일과 15일 오전 10시", "0 10 1,15 * *", K, ()),
    ("매월 말일 오후 6시", "0 18 L * *", K, ()),
    ("매월 마지막 날 저녁 9시", "0 21 L * *", K, ()),
    ("매달 말일에 정산", "0 9 L * *", K, ("time",)),
    ("월말 오후 5시", "0 17 L * *", K, ()),
    ("매월 오전 9시", "0 9 1 * *", K, ()),
    ("매월 첫째 주 월요일 오전 9시", "0 9 * * 1#1", K, ()),
    ("매월 마지막 금요일 오후 4시", "0 16 * * L5", K, ()),
    ("매년 1월 1일 오전 9시", "0 9 1 1 *", K, ()),
    # intervals
    ("30분마다", "*/30 * * * *", K, ()),
    ("10분마다 확인해줘", "*/10 * * * *", K, ()),
    ("5분 간격으로", "*/5 * * * *", K, ()),
    ("30분 간격", "*/30 * * * *", K, ()),
    ("2시간마다", "0 */2 * * *", K, ()),
    ("두 시간마다", "0 */2 * * *", K, ()),
    ("한 시간마다", "0 * * * *", K, ()),
    ("매시간", "0 * * * *", K, ()),
    ("매시 정각", "0 * * * *", K, ()),
    ("매시 30분", "30 * * * *", K, ()),
    ("평일 30분마다", "*/30 * * * 1-5", K, ()),
    ("평일 9시부터 18시까지 30분마다", "*/30 9-18 * * 1-5", K, ()),
    ("7분마다", "*/7 * * * *", K, ()),
    ("90분마다", "0 * * * *", K, ("schedule",)),
    ("5시간마다", "0 */5 * * *", K, ()),
    # zones
    ("매일 런던 시간 오전 9시", "0 9 * * *", "Europe/London", ()),
    ("뉴욕 시간으로 매일 오후 4시", "0 16 * * *", "America/New_York", ()),
    ("매일 도쿄 기준 8시", "0 8 * * *", "Asia/Tokyo", ()),
    ("평일 오전 9시 KST", "0 9 * * 1-5", "Asia/Seoul", ()),
    ("매일 UTC 0시", "0 0 * * *", "UTC", ()),
    # English
    ("every day at 9", "0 9 * * *", K, ()),
    ("every day at 9am", "0 9 * * *", K, ()),
    ("daily at 18:00", "0 18 * * *", K, ()),
    ("every morning at 7", "0 7 * * *", K, ()),
    ("every evening at 7", "0 19 * * *", K, ()),
    ("every night at 11 pm", "0 23 * * *", K, ()),
    ("every day at 9 in the morning", "0 9 * * *", K, ()),
    ("every weekday at 8:30", "30 8 * * 1-5", K, ()),
    ("weekdays at 8:30 am", "30 8 * * 1-5", K, ()),
    ("weekends at 10am", "0 10 * * 0,6", K, ()),
    ("every Monday and Thursday at 7 pm", "0 19 * * 1,4", K, ()),
    ("every Mon, Wed and Fri at 6pm", "0 18 * * 1,3,5", K, ()),
    ("Monday to Friday at 9am", "0 9 * * 1-5", K, ()),
    ("on Mondays at 10", "0 10 * * 1", K, ()),
    ("every Sunday at noon", "0 12 * * 0", K, ()),
    ("on the 1st of each month", "0 9 1 * *", K, ("time",)),
    ("on the 1st of each month at 9am", "0 9 1 * *", K, ()),
    ("on the 15th of every month at 6 pm", "0 18 15 * *", K, ()),
    ("at the end of every month at 5pm", "0 17 L * *", K, ()),
    ("at the end of every month", "0 9 L * *", K, ("time",)),
    ("on the last day of the month at 23:00", "0 23 L * *", K, ()),
    ("on the first Monday of every month at 9am", "0 9 * * 1#1", K, ()),
    ("every 15 minutes", "*/15 * * * *", K, ()),
    ("every 5 minutes on weekdays", "*/5 * * * 1-5", K, ()),
    ("every 2 hours", "0 */2 * * *", K, ()),
    ("every three hours", "0 */3 * * *", K, ()),
    ("hourly", "0 * * * *", K, ()),
    ("every hour", "0 * * * *", K, ()),
    ("every minute", "* * * * *", K, ()),
    ("every half hour", "*/30 * * * *", K, ()),
    ("twice a day at 9 and 18", "0 9,18 * * *", K, ()),
    ("twice a day", "0 9 * * *", K, ("time",)),
    ("every day at noon", "0 12 * * *", K, ()),
    ("every day at midnight", "0 0 * * *", K, ()),
    ("at midnight", "0 0 * * *", K, ()),
    ("every day at 5", "0 17 * * *", K, ("time",)),
    ("every day", "0 9 * * *", K, ("time",)),
    ("weekly", "0 9 * * 1", K, ("time",)),
    ("weekly on Friday at 4pm", "0 16 * * 5", K, ()),
    ("every other Monday at 10am", "0 10 * * 1", K, ("schedule",)),
    ("biweekly on Thursday at 3 pm", "0 15 * * 4", K, ("schedule",)),
    ("monthly at 8am", "0 8 1 * *", K, ()),
    ("every day at 9am New York time", "0 9 * * *", "America/New_York", ()),
    ("every weekday at 8:30 London time", "30 8 * * 1-5", "Europe/London", ()),
    ("every day at 7 pm in Tokyo time", "0 19 * * *", "Asia/Tokyo", ()),
    ("every day at 6am PST", "0 6 * * *", "America/Los_Angeles", ()),
    ("daily at 14:00 UTC", "0 14 * * *", "UTC", ()),
    ("every day at 9 KST", "0 9 * * *", "Asia/Seoul", ()),
    ("every day at 9:00 Europe/Berlin", "0 9 * * *", "Europe/Berlin", ()),
    ("every day at 9 UTC+9", "0 9 * * *", "Etc/GMT-9", ()),
    # one-off and times alone
    ("9시에 날씨 알려줘", "0 9 * * *", K, ()),
    ("at 7 pm send me the weather", "0 19 * * *", K, ()),
    ("내일 오전 9시에 보내줘", "0 9 * * *", K, ("schedule",)),
    ("tomorrow at 9am", "0 9 * * *", K, ("schedule",)),
    # more parts of the day, windows and exclusions
    ("아침마다 날씨 알려줘", "0 8 * * *", K, ()),
    ("매일 밤마다", "0 21 * * *", K, ()),
    ("on weekday mornings", "0 8 * * 1-5", K, ()),
    ("every Friday afternoon", "0 14 * * 5", K, ()),
    ("매일 저녁 7시쯤", "0 19 * * *", K, ()),
    ("업무 시간(9~18시)에 30분마다", "*/30 9-18 * * *", K, ()),
    ("평일 9-18시 2시간마다", "0 9-18/2 * * 1-5", K, ()),
    ("평일 9시부터 6시까지 1시간마다", "0 9-18 * * 1-5", K, ()),
    ("every 30 minutes between 9 and 5 on weekdays", "*/30 9-17 * * 1-5", K, ()),
    ("weekdays from 9am to 6pm every hour", "0 9-18 * * 1-5", K, ()),
    ("매일 9시, 월요일 제외", "0 9 * * 0,2-6", K, ()),
    ("every day at 9 except Saturdays and Sundays", "0 9 * * 1-5", K, ()),
    ("weekdays at 9 but not on Fridays", "0 9 * * 1-4", K, ()),
    ("every day at 9:30am and 5:30pm", "30 9,17 * * *", K, ()),
    ("매일 오전 9시 반과 오후 6시 반", "30 9,18 * * *", K, ()),
    ("매일 아침 7시 뉴욕 기준", "0 7 * * *", "America/New_York", ()),
    ("매일 오후 2시 UTC+9", "0 14 * * *", "Etc/GMT-9", ()),
    ("매일 열두 시", "0 12 * * *", K, ()),
    ("매일 밤 1시", "0 1 * * *", K, ()),
    ("every night at midnight", "0 0 * * *", K, ()),
    ("every 24 hours", "0 0 * * *", K, ()),
    ("3일마다 오전 9시", "0 9 */3 * *", K, ()),
    ("Every year on March 14 at 9 am", "0 9 14 3 *", K, ()),
    ("annually on 1 May at 8am", "0 8 1 5 *", K, ()),
    ("every May 5th at noon", "0 12 5 5 *", K, ()),
    ("매년 어버이날인 5월 8일 아침 8시", "0 8 8 5 *", K, ()),
    ("평일 오전 9시부터 오후 5시까지 30분마다", "*/30 9-17 * * 1-5", K, ()),
]

NOT_SCHEDULES = [
    "1시간 전에 알려줘",
    "30분 뒤에",
    "주간 보고서",
    "오전 중에 처리",
    "월요일 회의록 요약",
    "월요일에는 보내지 마",
    "매일경제 기사 요약",
    "send it at once",
    "9시 뉴스 요약해줘",
    "기사 3개",
    "5분 요약",
    "2024년 보고서",
    "",
    "🙂🙂🙂",
    "뉴스 요약해서 보내줘",
    "the 9 o'clock news",
    "top 5 articles",
    "3시간 동안 걸리는 작업",
    "10분 후에",
    "런던 날씨",
    "금일 매출",
    "수집한 데이터를 정리",
    "월급 계산",
    "목록을 정렬",
    "https://example.com/9:30",
    "version 2.5",
    "1일 1회",
]


@pytest.mark.parametrize(("text", "cron", "zone", "slots"), CASES, ids=[c[0] for c in CASES])
def test_phrase_becomes_cron_and_zone(text: str, cron: str, zone: str, slots: tuple[str, ...]) -> None:
    parsed = assert_schedule(text, cron, zone, slots)
    assert parsed.phrase and all(word in text for word in parsed.phrase.split())


@pytest.mark.parametrize("text", NOT_SCHEDULES)
def test_not_a_schedule(text: str) -> None:
    assert parse_schedule(text, default_timezone=K) is None


def test_case_count() -> None:
    korean = [c for c in CASES if request_language(c[0]) == "ko"]
    assert len(CASES) >= 80 and len(korean) >= 40 and len(CASES) - len(korean) >= 40


def test_the_issue_example_is_exact() -> None:
    parsed = parse_schedule(
        "매일 아침 9시에 네이버 뉴스에서 경제 기사 3개를 수집해서 요약하고 메일로 보내줘", default_timezone=K
    )
    assert parsed is not None
    assert (parsed.cron, parsed.timezone, parsed.phrase) == ("0 9 * * *", K, "매일 아침 9시")
    assert parsed.assumptions == () and parsed.questions == ()


@pytest.mark.parametrize(
    ("text", "phrase"),
    [
        ("매주 화요일과 목요일 오후 2시에 팀 회의 알림을 보내줘", "매주 화요일과 목요일 오후 2시"),
        ("every Monday and Thursday at 7 pm, post to Slack", "every Monday and Thursday at 7 pm"),
        ("평일 9시부터 18시까지 30분마다 확인", "평일 9시부터 18시까지 30분마다"),
        ("Every weekday at 8:30 fetch the weather", "Every weekday at 8:30"),
    ],
)
def test_phrase_quotes_the_schedule_words_whole(text: str, phrase: str) -> None:
    parsed = parse_schedule(text, default_timezone=K)
    assert parsed is not None and parsed.phrase == phrase and phrase in text


def test_default_zone_comes_from_the_argument() -> None:
    parsed = parse_schedule("every day at 9am", default_timezone="Europe/Paris")
    assert parsed is not None and parsed.timezone == "Europe/Paris"


def test_safe_morning_hour_is_a_stated_assumption_in_the_request_language() -> None:
    ko = parse_schedule("매일 8시", default_timezone=K)
    en = parse_schedule("every day at 8", default_timezone=K)
    assert ko is not None and en is not None
    assert ko.cron == en.cron == "0 8 * * *"
    assert ko.assumptions == ("8시는 오전 8시로 보았습니다",)
    assert en.assumptions == ("8 o'clock is read as 8:00 in the morning",)
    forced = parse_schedule("매일 8시", default_timezone=K, language="en")
    assert forced is not None and forced.assumptions == en.assumptions


def test_ambiguous_hour_is_asked_not_guessed() -> None:
    parsed = parse_schedule("매일 5시에 보내줘", default_timezone=K)
    assert parsed is not None
    (question,) = parsed.questions
    assert question.slot == "time" and "5시" in question.question_ko and "5" in question.question_en
    assert not any("5" in a for a in parsed.assumptions)


def test_days_without_time_are_asked() -> None:
    parsed = parse_schedule("매주 월요일마다 보고서 보내줘", default_timezone=K)
    assert parsed is not None and [q.slot for q in parsed.questions] == ["time"]
    assert parsed.cron.split()[4] == "1"


def test_part_of_day_alone_uses_its_usual_hour_and_says_so() -> None:
    parsed = parse_schedule("매일 아침 날씨 알려줘", default_timezone=K)
    assert parsed is not None and parsed.cron == "0 8 * * *" and parsed.questions == ()
    assert parsed.assumptions == ("아침은 8시로 보았습니다",)


def test_biweekly_keeps_every_weeks_and_asks() -> None:
    parsed = parse_schedule("격주 금요일 오후 5시", default_timezone=K)
    assert parsed is not None
    assert parsed.every_weeks == 2 and parsed.cron == "0 17 * * 5"
    assert [q.slot for q in parsed.questions] == ["schedule"]
    assert any("격주" in a for a in parsed.assumptions)
    weekly = parse_schedule("매주 금요일 오후 5시", default_timezone=K)
    assert weekly is not None and weekly.every_weeks == 1


def test_time_without_recurrence_runs_daily_as_a_stated_assumption() -> None:
    parsed = parse_schedule("9시에 날씨 알려줘", default_timezone=K)
    assert parsed is not None and "반복 주기가 없어 매일 실행으로 보았습니다" in parsed.assumptions


def test_uneven_interval_is_stated() -> None:
    parsed = parse_schedule("every 7 minutes", default_timezone=K)
    assert parsed is not None and parsed.cron == "*/7 * * * *"
    assert parsed.assumptions and "7 minutes" in parsed.assumptions[0]


def test_window_with_interval() -> None:
    parsed = parse_schedule("평일 9시부터 18시까지 30분마다", default_timezone=K)
    assert parsed is not None
    fires = next_fire_times(parsed.cron, K, 20, datetime(2026, 3, 2, 0, 0, tzinfo=ZoneInfo(K)))
    assert fires[0] == datetime(2026, 3, 2, 9, 0, tzinfo=ZoneInfo(K))
    assert fires[19] == datetime(2026, 3, 2, 18, 30, tzinfo=ZoneInfo(K))
    assert parsed.assumptions == ("9시 정각부터 18시 30분까지 실행합니다",)
    tuesday = next_fire_times(parsed.cron, K, 1, fires[19])
    assert tuesday == [datetime(2026, 3, 3, 9, 0, tzinfo=ZoneInfo(K))]


def test_last_day_of_month_fires_on_28_29_30_31() -> None:
    parsed = parse_schedule("매월 말일 오후 6시", default_timezone=K)
    assert parsed is not None and parsed.cron == "0 18 L * *"
    fires = next_fire_times(parsed.cron, K, 4, datetime(2028, 1, 1, tzinfo=ZoneInfo(K)))
    assert [f.day for f in fires] == [31, 29, 31, 30]
    assert all(f.hour == 18 for f in fires)


def test_next_fire_times_follow_dst_in_the_named_zone() -> None:
    parsed = parse_schedule("every day at 9am New York time", default_timezone=K)
    assert parsed is not None
    fires = next_fire_times(parsed.cron, parsed.timezone, 10, NOW)
    assert all(f.hour == 9 and f.minute == 0 for f in fires)
    offsets = {f.utcoffset() for f in fires}
    assert len(offsets) == 2  # EST before 8 March 2026, EDT after
    assert fires[0].tzinfo == ZoneInfo("America/New_York")


def test_london_time_is_london_not_seoul() -> None:
    parsed = parse_schedule("매일 런던 시간 오전 9시", default_timezone=K)
    assert parsed is not None
    utc = next_fire_times(parsed.cron, parsed.timezone, 1, NOW)[0].astimezone(timezone.utc)
    assert (utc.hour, utc.minute) == (9, 0)  # GMT in early March


def test_next_fire_times_rejects_bad_cron() -> None:
    with pytest.raises(CronError):
        next_fire_times("61 * * * *", K, 3, NOW)


DESCRIBED = [
    ("0 9 * * *", "ko", "매일 오전 9:00 (Asia/Seoul)"),
    ("0 9 * * *", "en", "Every day at 09:00 (Asia/Seoul)"),
    ("30 8 * * 1-5", "ko", "평일 오전 8:30 (Asia/Seoul)"),
    ("30 8 * * 1-5", "en", "Every weekday at 08:30 (Asia/Seoul)"),
    ("0 19 * * 1,4", "en", "Every Monday and Thursday at 19:00 (Asia/Seoul)"),
    ("0 19 * * 1,4", "ko", "매주 월·목요일 오후 7:00 (Asia/Seoul)"),
    ("0 10 * * 0,6", "ko", "주말 오전 10:00 (Asia/Seoul)"),
    ("0 18 L * *", "ko", "매월 말일 오후 6:00 (Asia/Seoul)"),
    ("0 18 L * *", "en", "On the last day of every month at 18:00 (Asia/Seoul)"),
    ("0 9 1 * *", "en", "On the 1st of every month at 09:00 (Asia/Seoul)"),
    ("*/15 * * * *", "ko", "15분마다 (Asia/Seoul)"),
    ("*/15 * * * *", "en", "Every 15 minutes (Asia/Seoul)"),
    ("0 * * * *", "ko", "매시 정각 (Asia/Seoul)"),
    ("0 9,18 * * *", "ko", "매일 오전 9:00 그리고 오후 6:00 (Asia/Seoul)"),
    ("0 9 * * 1#1", "ko", "매월 첫째 월요일 오전 9:00 (Asia/Seoul)"),
    ("0 16 * * L5", "en", "On the last Friday of every month at 16:00 (Asia/Seoul)"),
    ("0 0 * * *", "ko", "매일 오전 0:00 (Asia/Seoul)"),
    ("0 12 * * *", "ko", "매일 오후 12:00 (Asia/Seoul)"),
    ("* * * * *", "en", "Every minute (Asia/Seoul)"),
    ("*/30 9-17 * * 1-5", "ko", "평일 9시~17시 사이 30분마다 (Asia/Seoul)"),
    ("*/30 9-17 * * 1-5", "en", "Every weekday, every 30 minutes between 09:00 and 17:59 (Asia/Seoul)"),
    ("0 9 1 1 *", "en", "Every year on January 1 at 09:00 (Asia/Seoul)"),
    ("0 9 */3 * *", "ko", "3일마다 오전 9:00 (Asia/Seoul)"),
]


@pytest.mark.parametrize(("cron", "language", "said"), DESCRIBED)
def test_describe_schedule(cron: str, language: str, said: str) -> None:
    assert describe_schedule(cron, K, language) == said


def test_describe_falls_back_to_cron_descriptor() -> None:
    said = describe_schedule("5 4 */3 2 *", "UTC", "en")
    assert said.endswith("(UTC)") and "04:05" in said


@pytest.mark.parametrize(
    ("text", "language"),
    [("매일 9시에 Slack으로 report 보내줘", "ko"), ("every day at 9", "en"), ("", "en"), ("🙂", "en"),
     ("네이버 뉴스", "ko"), ("send the 요약 to Slack every morning please", "en")],
)  # fmt: skip
def test_request_language(text: str, language: str) -> None:
    assert request_language(text) == language


@pytest.mark.parametrize(
    ("text", "days"),
    [("월요일에는 보내지 마", (1,)), ("매일 9시, 월요일 제외", (1,)), ("every day except Monday", (1,)),
     ("don't run on Fridays or Saturdays", (5, 6)), ("매일 9시", ())],
)  # fmt: skip
def test_excluded_weekdays(text: str, days: tuple[int, ...]) -> None:
    assert excluded_weekdays(text) == days


@pytest.mark.parametrize(
    "text", ["", " ", "🙂" * 500, "매일 " * 3000, "9시 " * 2000, "\x00\n\t", "가" * 10_000, "every " * 2000]
)
def test_never_crashes_and_always_gives_a_valid_cron(text: str) -> None:
    parsed = parse_schedule(text, default_timezone=K)
    if parsed is not None:
        CronSchedule.parse(parsed.cron, parsed.timezone)


@pytest.mark.parametrize(
    ("text", "cron", "slots"),
    [
        ("0분마다", None, None),
        ("every 0 minutes", None, None),
        ("매년 2월 30일 9시", "0 9 * * *", ("schedule",)),
        ("매년 13월 1일 9시", "0 9 * * *", ("schedule",)),
        ("every year on Feb 30 at 9", "0 9 * * *", ("schedule",)),
        ("3월 1일 9시에", "0 9 * * *", ("schedule",)),
        ("on 2026-03-01 at 9", "0 9 * * *", ("schedule",)),
        ("every 100 hours", "0 0 * * *", ("schedule",)),
        ("매일 9:60", "0 9 * * *", ("time",)),
    ],
)
def test_impossible_numbers_and_dates_are_asked_or_ignored(
    text: str, cron: str | None, slots: tuple[str, ...] | None
) -> None:
    parsed = parse_schedule(text, default_timezone=K)
    if cron is None:
        assert parsed is None
        return
    assert parsed is not None and parsed.cron == cron
    assert tuple(q.slot for q in parsed.questions) == slots
    assert next_fire_times(parsed.cron, parsed.timezone, 1, NOW)


@pytest.mark.parametrize(
    ("request_text", "answer", "cron", "zone"),
    [
        ("매주 월요일마다 보고서를 슬랙으로 보내줘", "오전 9시", "0 9 * * 1", K),
        ("매월 말일 정산", "저녁 6시", "0 18 L * *", K),
        ("매일 5시에 보내줘", "오후 5시", "0 17 * * *", K),
        ("매일 5시에 보내줘", "오후", "0 17 * * *", K),
        ("매일 9시와 5시", "저녁", "0 9,17 * * *", K),
        ("every Monday send the report", "at 9am", "0 9 * * 1", K),
        ("every day at 5", "in the afternoon", "0 17 * * *", K),
        ("런던 시간으로 매일 보내줘", "오전 9시", "0 9 * * *", "Europe/London"),
        ("뉴스 요약해서 보내줘", "매일 아침 8시", "0 8 * * *", K),
        ("격주 금요일 5시", "매주 금요일 오후 5시", "0 17 * * 5", K),
    ],
)
def test_an_answer_fills_in_the_request_schedule(
    request_text: str, answer: str, cron: str, zone: str
) -> None:
    parsed = parse_schedule_answer(request_text, answer, default_timezone=K)
    assert parsed is not None and parsed.questions == ()
    assert (parsed.cron, parsed.timezone) == (cron, zone)

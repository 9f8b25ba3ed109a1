"""Schedule phrasings that were misread: days left out ("목요일만 빼고", "every day but Monday"),
examples in brackets, minutes of every hour, offsets ("자정 10분 전", "a quarter to 9 am"),
Sino-Korean minutes ("열 시 삼십오 분") and US zones after a time ("9:30 PT", "noon Central").
Compared by meaning (the next 20 fire times), with the questions each phrase must raise."""

from __future__ import annotations

import pytest

from mwo.authoring.schedule import parse_schedule
from mwo.authoring.schedule_asides import blank_examples
from mwo.authoring.schedule_offsets import shift_weekdays, shifted
from tests.unit.authoring.schedule_support import K, assert_schedule, fires

CASES = [
    # a weekday left out of every day
    ("목요일만 빼고 매일 오후 3시에 보고", "0 15 * * 0-3,5,6", K, ()),
    ("일요일을 제외하고 매일 8시에 알림", "0 8 * * 1-6", K, ()),
    ("토요일만 제외하고 날마다 저녁 9시", "0 21 * * 0-5", K, ()),
    ("금요일 말고 매일 아침 7시 반", "30 7 * * 0-4,6", K, ()),
    ("every day but Monday at 7:15am", "15 7 * * 0,2-6", K, ()),
    ("daily at 6pm other than Saturdays", "0 18 * * 0-5", K, ()),
    ("every day at 8am except for Wednesday", "0 8 * * 0-2,4-6", K, ()),
    ("every day at noon apart from Sundays", "0 12 * * 1-6", K, ()),
    # ...and a day said with 만 that is the only day
    ("목요일에만 오후 3시에 보고", "0 15 * * 4", K, ()),
    ("매주 목요일만 오후 3시에", "0 15 * * 4", K, ()),
    ("only on Thursdays at 3pm", "0 15 * * 4", K, ()),
    # examples in brackets are not the schedule
    ("매시 45분에(예: 8시 45분, 9시 45분) 확인", "45 * * * *", K, ()),
    ("매시간 10분에 (3시 10분이나 4시 10분 같이) 조회", "10 * * * *", K, ()),
    ("every hour at :40 (e.g. 10:40, 11:40) check", "40 * * * *", K, ()),
    ("every hour at 25 past (like 1:25, 2:25)", "25 * * * *", K, ()),
    ("매일 아침(7시)에 보내", "0 7 * * *", K, ()),  # a bracket that clarifies is kept
    # the minute of every hour, said before the hour word
    ("at quarter past every hour, ping the API", "15 * * * *", K, ()),
    ("10 minutes past each hour on weekdays", "10 * * * 1-5", K, ()),
    ("at half past every hour", "30 * * * *", K, ()),
    ("매 시간 20분에 확인", "20 * * * *", K, ()),
    # offsets from a time
    ("매일 정오 10분 전에 점심 알림", "50 11 * * *", K, ()),
    ("매일 자정 15분 전에 백업", "45 23 * * *", K, ()),
    ("매일 아침 8시 5분 전에", "55 7 * * *", K, ()),
    ("평일 오후 6시 20분 전에", "40 17 * * 1-5", K, ()),
    ("매일 자정 십 분 전에", "50 23 * * *", K, ()),
    ("every day 10 minutes before midnight", "50 23 * * *", K, ()),
    ("weekdays at a quarter to 9am", "45 8 * * 1-5", K, ()),
    ("every day twenty minutes before noon", "40 11 * * *", K, ()),
    ("daily five minutes after midnight", "5 0 * * *", K, ()),
    # crossing midnight with named days moves the days; days of the month are asked
    ("매주 금요일 자정 5분 전에", "55 23 * * 4", K, ()),
    ("every Saturday 10 minutes before midnight", "50 23 * * 5", K, ()),
    ("평일 자정 10분 전", "50 23 * * 0-4", K, ()),
    ("매월 15일 자정 5분 전에", "55 23 15 * *", K, ("schedule",)),
    # negatives: after is not before, a clock time before 전 is no offset, a window is unchanged
    ("매일 자정 5분 후에", "5 0 * * *", K, ()),
    ("매일 9시 5분 후에", "5 9 * * *", K, ()),
    ("매일 08:50 전에 보내", "50 8 * * *", K, ()),
    ("평일 9시부터 18시까지 1시간마다", "0 9-18 * * 1-5", K, ()),
    ("every 10 minutes after 9am", "*/10 * * * *", K, ()),
    # Sino-Korean minutes after a native hour
    ("매일 저녁 여덟 시 사십오 분에", "45 20 * * *", K, ()),
    ("평일 아침 아홉 시 십오 분", "15 9 * * 1-5", K, ()),
    ("매일 열한 시 오 분에", "5 11 * * *", K, ()),
    ("매일 오후 두 시 반에", "30 14 * * *", K, ()),
    ("매일 열 시 일정 정리", "0 10 * * *", K, ()),  # 일정 is no minute
    # US zones right after a time
    ("every weekday at 9:30 PT", "30 9 * * 1-5", "America/Los_Angeles", ()),
    ("daily at noon Central time", "0 12 * * *", "America/Chicago", ()),
    ("every Monday at 8am Mountain", "0 8 * * 1", "America/Denver", ()),
    ("on the 5th of each month at 10 am Eastern", "0 10 5 * *", "America/New_York", ()),
    ("every day at 7pm CST", "0 19 * * *", "America/Chicago", ()),
    ("매일 오전 9시 ET 기준으로", "0 9 * * *", "America/New_York", ()),
    ("every day at 9am Central Park photos", "0 9 * * *", K, ()),  # a place, not a zone
    ("weekly PT review at 3pm", "0 15 * * 1", K, ()),  # PT not after a time
]


@pytest.mark.parametrize(("text", "cron", "zone", "slots"), CASES, ids=[c[0] for c in CASES])
def test_phrase_becomes_cron_and_zone(text: str, cron: str, zone: str, slots: tuple[str, ...]) -> None:
    assert_schedule(text, cron, zone, slots)


def test_examples_are_blanked_in_place() -> None:
    text = "매시 5분에(1시 5분처럼) 보내"
    blanked = blank_examples(text)
    assert len(blanked) == len(text) and "1시" not in blanked and blanked.startswith("매시 5분에")
    example = "(for example 9:00)"
    said = f"at 9 {example} and (see above)"
    assert blank_examples(said) == said.replace(example, " " * len(example))


def test_offsets_move_the_day_across_midnight() -> None:
    assert shifted(0, 0, -5) == (23, 55, -1)
    assert shifted(23, 50, 15) == (0, 5, 1)
    assert shifted(9, 0, -10) == (8, 50, 0)
    assert shift_weekdays("1-5", -1) == "0,1,2,3,4"
    assert shift_weekdays("0,6", 1) == "0,1"
    assert shift_weekdays("1#2", -1) is None


def test_moving_days_is_said() -> None:
    parsed = parse_schedule("every Friday 5 minutes before midnight", default_timezone=K)
    assert parsed is not None and parsed.cron == "55 23 * * 4"
    assert any("midnight" in a for a in parsed.assumptions)


def test_offset_phrase_is_quoted_whole() -> None:
    parsed = parse_schedule("매일 정오 10분 전에 점심 알림", default_timezone=K)
    assert parsed is not None and parsed.phrase == "매일 정오 10분 전"


@pytest.mark.parametrize(
    "text",
    [
        "월요일만 빼고 매일 9시에 보내. 월요일은 쉬는 날이라",
        "every day except Friday at 6pm, Friday is my day off",
    ],
)
def test_a_day_left_out_and_named_again_stays_left_out(text: str) -> None:
    parsed = parse_schedule(text, default_timezone=K)
    assert parsed is not None
    left_out = 1 if "월" in text else 5
    assert {f.isoweekday() % 7 for f in fires(parsed.cron, K)} == set(range(7)) - {left_out}

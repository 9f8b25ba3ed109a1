"""The words of the schedule grammar, Korean and English: data only, read by `schedule_parts`.

Cron weekdays: 0 = Sunday ... 6 = Saturday. Hours are 24-hour. Every table is immutable.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Final

# Korean weekday characters as written in 월요일/월욜/월수금, in Korean week order (Monday first).
KO_DAY_CHARS: Final = MappingProxyType({"월": 1, "화": 2, "수": 3, "목": 4, "금": 5, "토": 6, "일": 0})
# Runs of day characters that are ordinary words, not day lists: 금일 (today), 수일 (a few days),
# 일일 (daily, one day), 토일 is kept (Sat+Sun).
KO_DAY_RUN_WORDS: Final = frozenset({"금일", "수일", "일일", "월일", "일월", "화일", "목일", "월화"})

EN_DAYS: Final = MappingProxyType(
    {
        "monday": 1, "mon": 1, "tuesday": 2, "tue": 2, "tues": 2, "wednesday": 3, "wed": 3,
        "thursday": 4, "thu": 4, "thur": 4, "thurs": 4, "friday": 5, "fri": 5, "saturday": 6,
        "sat": 6, "sunday": 0, "sun": 0,
    }
)  # fmt: skip

# Native Korean numerals as said before 시 / 시간 ("아홉 시", "두 시간마다").
KO_NATIVE_NUMBERS: Final = MappingProxyType(
    {
        "열한": 11, "열두": 12, "한": 1, "두": 2, "세": 3, "네": 4, "다섯": 5, "여섯": 6, "일곱": 7,
        "여덟": 8, "아홉": 9, "열": 10, "스무": 20,
    }
)  # fmt: skip
EN_NUMBERS: Final = MappingProxyType(
    {
        "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
        "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20, "thirty": 30,
        "a": 1, "an": 1,
    }
)  # fmt: skip


# Parts of the day: how an hour 1-12 said with them reads in 24-hour time, and the hour assumed
# when the part is said with no hour at all ("매일 아침에" -> 08:00, stated as an assumption).
#   am: 1-11 as is, 12 -> 0      pm: 1-11 + 12, 12 as is
#   night: 1-4 -> as is (after midnight), 5-11 -> + 12, 12 -> 0
#   noon: 11 as is, 12 as is, 1-5 -> + 12 (점심 1시 -> 13:00)
PARTS_OF_DAY: Final = MappingProxyType(
    {
        # Korean
        "오전": ("am", None), "새벽": ("am", 6), "아침": ("am", 8), "오후": ("pm", None),
        "점심": ("noon", 12), "낮": ("noon", 12), "저녁": ("pm", 18), "밤": ("night", 21),
        # English (matched as whole words)
        "am": ("am", None), "a.m.": ("am", None), "morning": ("am", 8), "in the morning": ("am", 8),
        "pm": ("pm", None), "p.m.": ("pm", None), "afternoon": ("pm", 14), "evening": ("pm", 18),
        "night": ("night", 21), "tonight": ("night", 21), "lunchtime": ("noon", 12),
        "dawn": ("am", 6),
    }
)  # fmt: skip

# Fixed times said as a word: 정오/noon and 자정/midnight.
NAMED_TIMES: Final = MappingProxyType({"정오": (12, 0), "자정": (0, 0), "noon": (12, 0), "midnight": (0, 0)})

# Hours 1-12 said with no part of the day: 7-11 are read as morning (work schedules start then) and
# 12 as noon, stated as an assumption; 1-6 could be either, so they are asked.
SAFE_MORNING_HOURS: Final = frozenset(range(7, 12))
SAFE_NOON_HOURS: Final = frozenset({12})


# Explicit zones. Names and cities match case-insensitively where said with a zone word
# ("런던 시간", "New York time", "in Tokyo time", "뉴욕 기준"); abbreviations match as written
# (KST, UTC), on their own, because they are unambiguous only in capitals. PT and ET are left out:
# in Korean office talk "PT" is a presentation.
ZONE_PLACES: Final = MappingProxyType(
    {
        "서울": "Asia/Seoul", "한국": "Asia/Seoul", "seoul": "Asia/Seoul", "korea": "Asia/Seoul",
        "korean": "Asia/Seoul",
        "런던": "Europe/London", "영국": "Europe/London", "london": "Europe/London", "uk": "Europe/London",
        "뉴욕": "America/New_York", "new york": "America/New_York", "미국 동부": "America/New_York",
        "eastern": "America/New_York", "동부": "America/New_York",
        "로스앤젤레스": "America/Los_Angeles", "la": "America/Los_Angeles", "엘에이": "America/Los_Angeles",
        "los angeles": "America/Los_Angeles", "샌프란시스코": "America/Los_Angeles",
        "san francisco": "America/Los_Angeles", "미국 서부": "America/Los_Angeles",
        "서부": "America/Los_Angeles",
        "pacific": "America/Los_Angeles", "시애틀": "America/Los_Angeles", "seattle": "America/Los_Angeles",
        "시카고": "America/Chicago", "chicago": "America/Chicago", "central": "America/Chicago",
        "도쿄": "Asia/Tokyo", "일본": "Asia/Tokyo", "tokyo": "Asia/Tokyo", "japan": "Asia/Tokyo",
        "베이징": "Asia/Shanghai", "상하이": "Asia/Shanghai", "중국": "Asia/Shanghai",
        "beijing": "Asia/Shanghai", "shanghai": "Asia/Shanghai", "china": "Asia/Shanghai",
        "홍콩": "Asia/Hong_Kong", "hong kong": "Asia/Hong_Kong", "싱가포르": "Asia/Singapore",
        "singapore": "Asia/Singapore", "파리": "Europe/Paris", "paris": "Europe/Paris",
        "베를린": "Europe/Berlin", "berlin": "Europe/Berlin", "독일": "Europe/Berlin",
        "germany": "Europe/Berlin", "프랑스": "Europe/Paris", "france": "Europe/Paris",
        "시드니": "Australia/Sydney", "sydney": "Australia/Sydney", "인도": "Asia/Kolkata",
        "india": "Asia/Kolkata", "베트남": "Asia/Ho_Chi_Minh", "vietnam": "Asia/Ho_Chi_Minh",
        "utc": "UTC", "협정 세계시": "UTC", "세계 표준시": "UTC",
    }
)  # fmt: skip
ZONE_ABBREVIATIONS: Final = MappingProxyType(
    {
        "UTC": "UTC", "GMT": "Europe/London", "KST": "Asia/Seoul", "JST": "Asia/Tokyo",
        "PST": "America/Los_Angeles", "PDT": "America/Los_Angeles",
        "EST": "America/New_York", "EDT": "America/New_York",
        "CET": "Europe/Berlin", "CEST": "Europe/Berlin", "BST": "Europe/London",
        "CDT": "America/Chicago", "MST": "America/Denver", "MDT": "America/Denver",
        "HKT": "Asia/Hong_Kong", "SGT": "Asia/Singapore", "AEST": "Australia/Sydney",
    }
)  # fmt: skip
# Words that follow a place to make it a zone ("런던 시간", "뉴욕 기준", "Tokyo time").
KO_ZONE_WORDS: Final = ("시간", "시각", "기준", "현지 시간", "표준시")
EN_ZONE_WORDS: Final = ("time", "timezone", "time zone", "local time", "hours")

# Words that mark a single occasion: a time with them is not a recurring schedule.
ONE_OFF_WORDS_KO: Final = ("오늘", "내일", "모레", "이번 주", "다음 주", "이따", "한 번만", "한번만")
ONE_OFF_WORDS_EN: Final = (
    "today", "tomorrow", "tonight only", "next week", "this week", "once only", "just once",
)  # fmt: skip

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
        # Asia
        "호치민": "Asia/Ho_Chi_Minh", "호찌민": "Asia/Ho_Chi_Minh", "사이공": "Asia/Ho_Chi_Minh",
        "하노이": "Asia/Ho_Chi_Minh", "다낭": "Asia/Ho_Chi_Minh", "ho chi minh": "Asia/Ho_Chi_Minh",
        "ho chi minh city": "Asia/Ho_Chi_Minh", "saigon": "Asia/Ho_Chi_Minh", "hanoi": "Asia/Ho_Chi_Minh",
        "da nang": "Asia/Ho_Chi_Minh", "vietnamese": "Asia/Ho_Chi_Minh", "싱가폴": "Asia/Singapore",
        "방콕": "Asia/Bangkok", "태국": "Asia/Bangkok", "bangkok": "Asia/Bangkok",
        "thailand": "Asia/Bangkok", "thai": "Asia/Bangkok", "자카르타": "Asia/Jakarta",
        "인도네시아": "Asia/Jakarta", "jakarta": "Asia/Jakarta", "indonesia": "Asia/Jakarta",
        "마닐라": "Asia/Manila", "필리핀": "Asia/Manila", "manila": "Asia/Manila",
        "philippines": "Asia/Manila", "philippine": "Asia/Manila", "쿠알라룸푸르": "Asia/Kuala_Lumpur",
        "말레이시아": "Asia/Kuala_Lumpur", "kuala lumpur": "Asia/Kuala_Lumpur",
        "malaysia": "Asia/Kuala_Lumpur", "두바이": "Asia/Dubai", "아부다비": "Asia/Dubai",
        "dubai": "Asia/Dubai", "abu dhabi": "Asia/Dubai", "uae": "Asia/Dubai", "뭄바이": "Asia/Kolkata",
        "델리": "Asia/Kolkata", "뉴델리": "Asia/Kolkata", "벵갈루루": "Asia/Kolkata",
        "방갈로르": "Asia/Kolkata", "mumbai": "Asia/Kolkata", "delhi": "Asia/Kolkata",
        "new delhi": "Asia/Kolkata", "bangalore": "Asia/Kolkata", "bengaluru": "Asia/Kolkata",
        "indian": "Asia/Kolkata", "오사카": "Asia/Tokyo", "osaka": "Asia/Tokyo", "japanese": "Asia/Tokyo",
        "심천": "Asia/Shanghai", "shenzhen": "Asia/Shanghai",
        "chinese": "Asia/Shanghai", "타이베이": "Asia/Taipei", "타이페이": "Asia/Taipei",
        "대만": "Asia/Taipei", "taipei": "Asia/Taipei", "taiwan": "Asia/Taipei",
        "울란바토르": "Asia/Ulaanbaatar", "몽골": "Asia/Ulaanbaatar", "부산": "Asia/Seoul",
        "busan": "Asia/Seoul",
        # Oceania
        "멜버른": "Australia/Melbourne", "melbourne": "Australia/Melbourne", "호주": "Australia/Sydney",
        "australia": "Australia/Sydney", "브리즈번": "Australia/Brisbane", "brisbane": "Australia/Brisbane",
        "퍼스": "Australia/Perth", "perth": "Australia/Perth", "오클랜드": "Pacific/Auckland",
        "뉴질랜드": "Pacific/Auckland", "auckland": "Pacific/Auckland", "new zealand": "Pacific/Auckland",
        # Europe, Africa
        "잉글랜드": "Europe/London", "england": "Europe/London", "britain": "Europe/London",
        "british": "Europe/London", "더블린": "Europe/Dublin", "아일랜드": "Europe/Dublin",
        "dublin": "Europe/Dublin", "ireland": "Europe/Dublin", "프랑크푸르트": "Europe/Berlin",
        "뮌헨": "Europe/Berlin", "frankfurt": "Europe/Berlin", "munich": "Europe/Berlin",
        "german": "Europe/Berlin", "french": "Europe/Paris", "암스테르담": "Europe/Amsterdam",
        "네덜란드": "Europe/Amsterdam", "amsterdam": "Europe/Amsterdam", "netherlands": "Europe/Amsterdam",
        "마드리드": "Europe/Madrid", "스페인": "Europe/Madrid", "madrid": "Europe/Madrid",
        "spain": "Europe/Madrid", "로마": "Europe/Rome", "밀라노": "Europe/Rome", "이탈리아": "Europe/Rome",
        "rome": "Europe/Rome", "milan": "Europe/Rome", "italy": "Europe/Rome", "취리히": "Europe/Zurich",
        "스위스": "Europe/Zurich", "zurich": "Europe/Zurich", "switzerland": "Europe/Zurich",
        "스톡홀름": "Europe/Stockholm", "stockholm": "Europe/Stockholm", "헬싱키": "Europe/Helsinki",
        "helsinki": "Europe/Helsinki", "바르샤바": "Europe/Warsaw", "warsaw": "Europe/Warsaw",
        "모스크바": "Europe/Moscow", "러시아": "Europe/Moscow", "moscow": "Europe/Moscow",
        "이스탄불": "Europe/Istanbul", "튀르키예": "Europe/Istanbul", "터키": "Europe/Istanbul",
        "istanbul": "Europe/Istanbul", "turkey": "Europe/Istanbul", "카이로": "Africa/Cairo",
        "이집트": "Africa/Cairo", "cairo": "Africa/Cairo", "egypt": "Africa/Cairo",
        "요하네스버그": "Africa/Johannesburg", "남아공": "Africa/Johannesburg",
        "johannesburg": "Africa/Johannesburg", "나이로비": "Africa/Nairobi", "nairobi": "Africa/Nairobi",
        "라고스": "Africa/Lagos", "lagos": "Africa/Lagos",
        # The Americas
        "토론토": "America/Toronto", "toronto": "America/Toronto", "몬트리올": "America/Toronto",
        "montreal": "America/Toronto", "밴쿠버": "America/Vancouver", "vancouver": "America/Vancouver",
        "워싱턴": "America/New_York", "보스턴": "America/New_York", "washington": "America/New_York",
        "boston": "America/New_York", "애틀랜타": "America/New_York", "atlanta": "America/New_York",
        "마이애미": "America/New_York", "miami": "America/New_York", "뉴욕 시": "America/New_York",
        "nyc": "America/New_York", "l.a.": "America/Los_Angeles", "실리콘밸리": "America/Los_Angeles",
        "silicon valley": "America/Los_Angeles", "미국 중부": "America/Chicago", "중부": "America/Chicago",
        "댈러스": "America/Chicago", "dallas": "America/Chicago", "휴스턴": "America/Chicago",
        "houston": "America/Chicago", "덴버": "America/Denver", "denver": "America/Denver",
        "mountain": "America/Denver", "피닉스": "America/Phoenix", "phoenix": "America/Phoenix",
        "하와이": "Pacific/Honolulu", "호놀룰루": "Pacific/Honolulu", "hawaii": "Pacific/Honolulu",
        "honolulu": "Pacific/Honolulu", "멕시코시티": "America/Mexico_City",
        "멕시코": "America/Mexico_City", "mexico city": "America/Mexico_City",
        "mexico": "America/Mexico_City", "상파울루": "America/Sao_Paulo", "상파울로": "America/Sao_Paulo",
        "브라질": "America/Sao_Paulo", "sao paulo": "America/Sao_Paulo", "são paulo": "America/Sao_Paulo",
        "brazil": "America/Sao_Paulo", "부에노스아이레스": "America/Argentina/Buenos_Aires",
        "아르헨티나": "America/Argentina/Buenos_Aires", "buenos aires": "America/Argentina/Buenos_Aires",
        "argentina": "America/Argentina/Buenos_Aires", "산티아고": "America/Santiago",
        "칠레": "America/Santiago", "santiago": "America/Santiago", "chile": "America/Santiago",
        "보고타": "America/Bogota", "콜롬비아": "America/Bogota", "bogota": "America/Bogota",
        "colombia": "America/Bogota", "리마": "America/Lima", "페루": "America/Lima",
        "lima": "America/Lima", "peru": "America/Lima", "그리니치": "UTC", "greenwich": "UTC",
        "gmt": "Europe/London",
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
        "AEDT": "Australia/Sydney", "NZST": "Pacific/Auckland", "NZDT": "Pacific/Auckland",
        "HST": "Pacific/Honolulu", "MSK": "Europe/Moscow", "WIB": "Asia/Jakarta",
        "PHT": "Asia/Manila",
    }
)  # fmt: skip
# US zones said right after a time with no zone word ("at 4 pm Eastern", "9:30 PT", "noon CST"):
# only there, since "Central" and "PT" are ordinary words elsewhere; the short forms in capitals.
US_ZONES_AFTER_TIME: Final = MappingProxyType(
    {
        "eastern": "America/New_York", "central": "America/Chicago", "mountain": "America/Denver",
        "pacific": "America/Los_Angeles", "ET": "America/New_York", "CT": "America/Chicago",
        "MT": "America/Denver", "PT": "America/Los_Angeles", "CST": "America/Chicago",
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

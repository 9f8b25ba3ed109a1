"""A cron expression said back in words, Korean or English, with its zone: "매일 오전 9:00 (Asia/Seoul)".

The shapes the grammar writes are said here in plain words (cron-descriptor's Korean leaves weekday
names in English); anything else goes to cron-descriptor in the right locale.
"""

from __future__ import annotations

import re

_KO_DAYS = {0: "일", 1: "월", 2: "화", 3: "수", 4: "목", 5: "금", 6: "토"}
_EN_DAYS = {0: "Sunday", 1: "Monday", 2: "Tuesday", 3: "Wednesday", 4: "Thursday", 5: "Friday", 6: "Saturday"}
_EN_NTH = {"1": "first", "2": "second", "3": "third", "4": "fourth", "5": "fifth", "L": "last"}
_KO_NTH = {"1": "첫째", "2": "둘째", "3": "셋째", "4": "넷째", "5": "다섯째", "L": "마지막"}
_EN_MONTHS = (
    "January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
    "November", "December",
)  # fmt: skip
_INT_LIST = re.compile(r"^\d{1,2}(,\d{1,2})*$")
_DOW_LIST = re.compile(r"^[0-7](-[0-7])?(,[0-7](-[0-7])?)*$")


def describe_schedule(cron: str, timezone: str, language: str) -> str:
    """`cron` in words in `language` ("ko" or English), followed by the zone in parentheses."""
    fields = cron.split()
    said = _plain(fields, language) if len(fields) == 5 else None
    return f"{said or _fallback(cron, language)} ({timezone})"


def _fallback(cron: str, language: str) -> str:
    from cron_descriptor import ExpressionDescriptor, Options  # type: ignore[import-untyped]

    options = Options()
    options.locale_code = "ko_KR" if language == "ko" else "en_US"
    options.use_24hour_time_format = True
    try:
        return str(ExpressionDescriptor(cron, options).get_description())
    except Exception:  # cron-descriptor raises its own bare types; the expression is still shown
        return cron


def _plain(fields: list[str], language: str) -> str | None:
    minute, hour, dom, month, dow = fields
    days = _days(dom, month, dow, language)
    clock = _clock(minute, hour, language)
    if days is None or clock is None:
        return None
    repeating = clock.startswith("every") or any(w in clock for w in ("마다", "매시", "매분", "사이"))
    if repeating and days in ("매일", "Every day"):
        return clock[0].upper() + clock[1:]
    if language == "ko":
        return f"{days} {clock}"
    return f"{days}, {clock}" if repeating else f"{days} at {clock}"


def _expand(field: str) -> list[int]:
    out: list[int] = []
    for part in field.split(","):
        low, _, high = part.partition("-")
        out.extend(range(int(low), int(high or low) + 1))
    return [d % 7 for d in out]


def _days(dom: str, month: str, dow: str, language: str) -> str | None:
    ko = language == "ko"
    if month != "*":
        if not (month.isdigit() and dom.isdigit() and dow == "*"):
            return None
        return f"매년 {month}월 {dom}일" if ko else f"Every year on {_EN_MONTHS[int(month) - 1]} {dom}"
    if dom != "*":
        return _month_days(dom, dow, ko)
    if dow == "*":
        return "매일" if ko else "Every day"
    nth = re.fullmatch(r"([0-7])#([1-5])|L([0-7])", dow)
    if nth:
        day, which = (int(nth.group(1)), nth.group(2)) if nth.group(1) else (int(nth.group(3)), "L")
        if ko:
            return f"매월 {_KO_NTH[which]} {_KO_DAYS[day % 7]}요일"
        return f"On the {_EN_NTH[which]} {_EN_DAYS[day % 7]} of every month"
    if not _DOW_LIST.match(dow):
        return None
    return _week_days(sorted(set(_expand(dow)), key=lambda d: (d == 0, d)), ko)


def _week_days(days: list[int], ko: bool) -> str:
    if days == [1, 2, 3, 4, 5]:
        return "평일" if ko else "Every weekday"
    if days == [6, 0]:
        return "주말" if ko else "Every weekend day"
    if ko:
        return "매주 " + "·".join(_KO_DAYS[d] for d in days) + "요일"
    names = [_EN_DAYS[d] for d in days]
    return "Every " + (names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1])


def _month_days(dom: str, dow: str, ko: bool) -> str | None:
    if dow != "*":
        return None
    step = re.fullmatch(r"\*/(\d+)", dom)
    if step:
        return f"{step.group(1)}일마다" if ko else f"Every {step.group(1)} days"
    parts = dom.split(",")
    if not all(p.isdigit() or p == "L" for p in parts):
        return None
    if ko:
        return "매월 " + ", ".join("말일" if p == "L" else f"{p}일" for p in parts)
    said = [_ordinal(p) for p in parts]
    joined = said[0] if len(said) == 1 else ", ".join(said[:-1]) + " and " + said[-1]
    return f"On the {joined} of every month"


def _ordinal(day: str) -> str:
    if day == "L":
        return "last day"
    n = int(day)
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _clock(minute: str, hour: str, language: str) -> str | None:
    ko = language == "ko"
    if _INT_LIST.match(hour) and minute.isdigit():
        times = [_time(int(h), int(minute), ko) for h in hour.split(",")]
        if len(times) == 1:
            return times[0]
        return ", ".join(times[:-1]) + (" 그리고 " if ko else " and ") + times[-1]
    return _repeating(minute, hour, ko)


def _repeating(minute: str, hour: str, ko: bool) -> str | None:
    window = ""
    span = re.fullmatch(r"(\d{1,2})-(\d{1,2})(?:/(\d+))?", hour)
    if span:
        a, b = int(span.group(1)), int(span.group(2))
        window = f"{a}시~{b}시 사이 " if ko else f" between {a:02d}:00 and {b:02d}:59"
        hour = "*" if span.group(3) is None else f"*/{span.group(3)}"
    every = re.fullmatch(r"\*/(\d+)", minute)
    if hour == "*" and (minute == "*" or every):
        n = every.group(1) if every else "1"
        if ko:
            return f"{window}{n}분마다" if n != "1" else f"{window}매분"
        return f"every {n} minutes{window}" if n != "1" else f"every minute{window}"
    if not minute.isdigit():
        return None
    hours = re.fullmatch(r"\*(?:/(\d+))?", hour)
    if hours is None:
        return None
    n = hours.group(1) or "1"
    at = int(minute)
    if ko:
        unit = "매시" if n == "1" else f"{n}시간마다"
        return f"{window}{unit} " + ("정각" if at == 0 else f"{at}분")
    unit = "every hour" if n == "1" else f"every {n} hours"
    return f"{unit} at :{at:02d}{window}"


def _time(hour: int, minute: int, ko: bool) -> str:
    if not ko:
        return f"{hour:02d}:{minute:02d}"
    part = "오전" if hour < 12 else "오후"
    shown = hour if hour <= 12 else hour - 12
    return f"{part} {shown}:{minute:02d}"

"""The pieces of a time phrase, found by rules: times of day, days, intervals and the zone.

Each finder returns what it saw with the character span it saw it in; `schedule` composes the pieces
into cron. Korean is matched by substring (particles attach: "9시에", "월요일마다"); English on word
boundaries, case-insensitively. Numbers alone are never times: a Korean hour needs 시 (and not 시간),
an English one needs `at`, a colon, am/pm or o'clock. A day of the month needs a monthly word, so
"3개", "5분 요약" and "2024년" stay what they are.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from mwo.authoring import time_words as words

Span = tuple[int, int]


@dataclass(frozen=True)
class TimeOfDay:
    """An hour (0-23 once resolved; 1-12 may still need a part of the day) and minute."""

    hour: int
    minute: int
    span: Span
    part: str | None = None
    """am / pm / night / noon, when said with the time (or on its own in the request)."""
    explicit_24h: bool = False
    """Said as 0 or 13-23 (or 24): no part of the day needed."""
    anchored: bool = False
    """Said as a schedule ("9시에", "at 9"), not as a name ("9시 뉴스")."""
    offset: int = 0
    """Minutes added to the time said: -5 for "자정 5분 전" or "5 minutes before midnight"."""


@dataclass(frozen=True)
class Days:
    """Which days: `dow` (cron weekdays) or `dom` (days of the month, "L" for the last)."""

    span: Span
    dow: tuple[int, ...] = ()
    dom: tuple[str, ...] = ()
    month: int | None = None
    months: tuple[int, ...] = ()
    """Several months ("분기마다" -> 1, 4, 7, 10; "1월 4월 7월 10월"); `month` is one (a day of the year)."""
    every_weeks: int = 1
    nth: str | None = None
    """A cron weekday with # or L ("1#1" first Monday, "L5" last Friday: croniter's form)."""
    assumed: str | None = None
    """A key of `schedule` assumption texts when a detail was filled in (weekly -> Monday)."""
    recurring: bool = True
    """False for a bare day name said once ("월요일에"): read as weekly, stated."""
    excluded: tuple[int, ...] = ()
    """Weekdays said to be left out ("월요일 제외", "except Monday")."""


@dataclass(frozen=True)
class Interval:
    """Every `minutes` or every `hours` (one of them), or at `minute` past every hour."""

    span: Span
    minutes: int | None = None
    hours: int | None = None
    minute_of_hour: int | None = None


@dataclass(frozen=True)
class PartOfDay:
    """A part of the day said on its own ("매일 아침", "every evening")."""

    name: str
    span: Span
    kind: str
    default_hour: int | None


@dataclass(frozen=True)
class Zone:
    name: str
    span: Span


@dataclass
class Found:
    """Everything the finders saw in one request."""

    times: list[TimeOfDay] = field(default_factory=list)
    days: list[Days] = field(default_factory=list)
    intervals: list[Interval] = field(default_factory=list)
    parts: list[PartOfDay] = field(default_factory=list)
    zone: Zone | None = None
    one_off: Span | None = None
    times_a_day: tuple[int, Span] | None = None


# --- numbers ----------------------------------------------------------------------------------------

_KO_NATIVE = "|".join(sorted(words.KO_NATIVE_NUMBERS, key=len, reverse=True))
_EN_NUMBER = "|".join(sorted(words.EN_NUMBERS, key=len, reverse=True))
# A native numeral starts a word (or follows a part of the day, "오후세시"): the 네시 inside
# "인도네시아" is no four o'clock.
_KO_WORD_START = r"(?:(?<![가-힣])|(?<=오전|오후|아침|저녁|점심|새벽|매일|평일|주말)|(?<=밤|낮|매))"
_KO_NUM = rf"(?<![0-9])(\d{{1,2}}|{_KO_WORD_START}(?:{_KO_NATIVE}))"
# Sino-Korean numbers 1-59 as minutes are said ("일곱 시 이십 분", "열 시 삼십오 분", "세 시 오 분").
_SINO_DIGITS = "일이삼사오육칠팔구"
KO_SINO = rf"(?:[이삼사오]?십[{_SINO_DIGITS}]?|[{_SINO_DIGITS}])"
_EN_NUM = rf"(\d{{1,3}}|{_EN_NUMBER})"


def number(token: str) -> int:
    """A digit string or a Korean/English number word."""
    token = token.strip().lower()
    if token.isdigit():
        return int(token)
    if re.fullmatch(KO_SINO, token):
        return _sino(token)
    return words.KO_NATIVE_NUMBERS.get(token) or words.EN_NUMBERS[token]


def _sino(token: str) -> int:
    """이십오 -> 25, 십 -> 10, 삼 -> 3 (the Sino-Korean numbers of `KO_SINO`)."""
    tens, _, ones = token.rpartition("십")
    value = _SINO_DIGITS.index(ones) + 1 if ones else 0
    if "십" in token:
        value += 10 * (_SINO_DIGITS.index(tens) + 1 if tens else 1)
    return value


# --- times of day ------------------------------------------------------------------------------------

_KO_PARTS = "|".join(k for k in words.PARTS_OF_DAY if not k.isascii())
_KO_TIME = re.compile(
    rf"(?:({_KO_PARTS})\s*)?{_KO_NUM}\s*시(?!간|각)(?:\s*(반|정각|(\d{{1,2}}|{KO_SINO})\s*분))?"
    rf"|(?:({_KO_PARTS})\s*)?(?<![\d:])(\d{{1,2}}):(\d{{2}})(?![\d:])"
)
_KO_ANCHOR = re.compile(r"\s*(?:에|마다|쯤|경|정각|부터|까지|[,~\-]|와|과|및|이랑|랑|\s+그리고)")
_EN_MERIDIEM = r"(a\.?m\.?|p\.?m\.?)"
_EN_ONE_TIME = rf"(\d{{1,2}})(?::(\d{{2}}))?\s*(?:{_EN_MERIDIEM}(?![a-z])|o'?clock)?"
_EN_TIME = re.compile(
    rf"(?<![\w:.])(?:(\d{{1,2}}):(\d{{2}})\s*{_EN_MERIDIEM}?|(\d{{1,2}})\s*{_EN_MERIDIEM}(?![a-z])"
    rf"|(\d{{1,2}})\s*o'?clock)",
    re.IGNORECASE,
)
_EN_AT_LIST = re.compile(rf"\b(?:at|@)\s+({_EN_ONE_TIME}(?:\s*(?:,|and|&)\s*{_EN_ONE_TIME})*)", re.IGNORECASE)
_EN_AT_ITEM = re.compile(_EN_ONE_TIME, re.IGNORECASE)
_EN_MINUTES_AFTER = re.compile(r"\s*(?:minutes?|mins?)\b", re.IGNORECASE)
_EN_PART_AFTER = re.compile(r"\s*(?:in the (morning|afternoon|evening)|at (night))", re.IGNORECASE)


def _ko_part(name: str | None) -> str | None:
    return None if name is None else words.PARTS_OF_DAY[name][0]


def _time(hour: int, minute: int, span: Span, part: str | None, anchored: bool) -> TimeOfDay | None:
    if hour > 24 or minute > 59 or (part is not None and hour > 12):
        return None if hour > 24 or minute > 59 else TimeOfDay(hour % 24, minute, span, None, True, anchored)
    return TimeOfDay(hour % 24 if hour == 24 else hour, minute, span, part, hour == 0 or hour > 12, anchored)


def _korean_times(text: str) -> list[TimeOfDay]:
    out = []
    for m in _KO_TIME.finditer(text):
        anchored = bool(_KO_ANCHOR.match(text, m.end())) or m.end() == len(text.rstrip())
        if m.group(2) is not None:
            minute = 30 if m.group(3) == "반" else number(m.group(4) or "0")
            made = _time(number(m.group(2)), minute, m.span(), _ko_part(m.group(1)), anchored)
        else:
            made = _time(int(m.group(6)), int(m.group(7)), m.span(), _ko_part(m.group(5)), anchored)
        if made is not None:
            out.append(made)
    return out


def _meridiem(token: str | None) -> str | None:
    return None if not token else ("am" if token.lower().startswith("a") else "pm")


def _english_times(text: str) -> list[TimeOfDay]:
    out: dict[Span, TimeOfDay] = {}
    for listing in _EN_AT_LIST.finditer(text):
        base = listing.start(1)
        for index, item in enumerate(_EN_AT_ITEM.finditer(listing.group(1))):
            if _EN_MINUTES_AFTER.match(text, base + item.end()):
                break  # "at 10 minutes to 9pm": a count of minutes, then the time
            span = (listing.start() if index == 0 else base + item.start(), base + item.end())
            made = _time(int(item.group(1)), int(item.group(2) or 0), span, _meridiem(item.group(3)), True)
            if made is not None:
                out[span] = made
    for m in _EN_TIME.finditer(text):
        if any(s[0] <= m.start() < s[1] for s in out):
            continue
        if m.group(1) is not None:
            hour, minute, mer = int(m.group(1)), int(m.group(2)), m.group(3)
        elif m.group(4) is not None:
            hour, minute, mer = int(m.group(4)), 0, m.group(5)
        else:
            hour, minute, mer = int(m.group(6)), 0, None
        made = _time(hour, minute, m.span(), _meridiem(mer), mer is not None or m.group(1) is not None)
        if made is not None:
            out[m.span()] = made
    return [_with_part_after(text, t) for t in sorted(out.values(), key=lambda t: t.span)]


def _with_part_after(text: str, time: TimeOfDay) -> TimeOfDay:
    """ "at 9 in the morning", "7 at night": the part of the day said after the time."""
    m = _EN_PART_AFTER.match(text, time.span[1])
    if m is None or time.part is not None or time.explicit_24h:
        return time
    kind = words.PARTS_OF_DAY[(m.group(1) or m.group(2)).lower()][0]
    return TimeOfDay(time.hour, time.minute, (time.span[0], m.end()), kind, False, time.anchored)


# A range of hours said once: "9~18시", "between 9 and 5", "from 9am to 6pm" (a window for an interval).
_KO_HOUR_RANGE = re.compile(r"(?<![\d:])(\d{1,2})\s*시?\s*[~\-]\s*(\d{1,2})\s*시(?!간)")
_EN_HOUR_RANGE = re.compile(
    rf"\b(?:between|from)\s+{_EN_ONE_TIME}\s+(?:and|to|until|till|-)\s+{_EN_ONE_TIME}", re.IGNORECASE
)


def _ranges(text: str) -> list[TimeOfDay]:
    said: list[tuple[int, int, str | None, Span]] = []
    for m in _KO_HOUR_RANGE.finditer(text):
        said.append((int(m.group(1)), 0, None, (m.start(), m.start(2))))
        said.append((int(m.group(2)), 0, None, (m.start(2), m.end())))
    for m in _EN_HOUR_RANGE.finditer(text):
        said.append((int(m.group(1)), int(m.group(2) or 0), _meridiem(m.group(3)), (m.start(), m.start(4))))
        said.append((int(m.group(4)), int(m.group(5) or 0), _meridiem(m.group(6)), (m.start(4), m.end())))
    made = [_time(hour, minute, span, part, True) for hour, minute, part, span in said]
    return [t for t in made if t is not None]


_NAMED_TIME = re.compile(r"정오|자정|\bnoon\b|\bmidnight\b", re.IGNORECASE)


def _named_times(text: str) -> list[TimeOfDay]:
    out = []
    for m in _NAMED_TIME.finditer(text):
        hour, minute = words.NAMED_TIMES[m.group(0).lower()]
        out.append(TimeOfDay(hour, minute, m.span(), None, True, True))
    return out


def find_times(text: str) -> list[TimeOfDay]:
    """Every time of day said, in text order (overlaps: the first, longest one wins)."""
    found = sorted(
        _ranges(text) + _korean_times(text) + _english_times(text) + _named_times(text),
        key=lambda t: (t.span[0], -t.span[1]),
    )
    out: list[TimeOfDay] = []
    for time in found:
        if not out or time.span[0] >= out[-1].span[1]:
            out.append(time)
    return out


# --- parts of the day said alone -------------------------------------------------------------------

_PART_ALONE = re.compile(
    r"(새벽|아침|점심|저녁|밤|오전|오후)(?!\s*[0-9]|\s*(?:열|한|두|세|네|다섯|여섯|일곱|여덟|아홉)\s*시)"
    r"|\b(mornings?|afternoons?|evenings?|nights?|nightly|tonight|lunchtime|dawn)\b",
    re.IGNORECASE,
)


def find_parts(text: str, times: list[TimeOfDay]) -> list[PartOfDay]:
    """Parts of the day not attached to a time ("매일 아침", "every evening")."""
    out = []
    for m in _PART_ALONE.finditer(text):
        if any(t.span[0] <= m.start() < t.span[1] for t in times):
            continue
        name = (m.group(1) or m.group(2)).lower()
        key = {"nightly": "night", "mornings": "morning", "evenings": "evening", "nights": "night",
               "afternoons": "afternoon"}.get(name, name)  # fmt: skip
        kind, default = words.PARTS_OF_DAY[key]
        out.append(PartOfDay(key, m.span(), kind, default))
    return out


# --- intervals --------------------------------------------------------------------------------------

_KO_INTERVAL = re.compile(
    rf"(?:매\s*)?{_KO_NUM}\s*(분|시간)\s*(?:마다|간격|주기|에\s*한\s*번|에\s*한번|단위로)"
    rf"|매\s*{_KO_NUM}\s*(분(?!기)|시간)"
)
_EN_INTERVAL = re.compile(rf"\bevery\s+{_EN_NUM}\s*(minutes?|mins?|hours?|hrs?)\b", re.IGNORECASE)
_HOURLY = re.compile(
    r"매\s*시간|매\s*시(?=\s*(?:정각|\d{1,2}\s*분|반(?=에|\s|$|[,.])))|한\s*시간\s*마다|\bhourly\b|\bevery\s+hour\b"
    r"|매\s*정각(?:\s*마다)?|정각\s*마다|\bon\s+the\s+hour\b|\bevery\s+hour\s+on\s+the\s+hour\b"
    r"|\beach\s+hour\b|\bevery\s+minute\b|매\s*분(?!기)(?:마다)?|\bevery\s+(?:half\s+(?:an\s+)?hour|30\s+min)\b"
    r"|\bhalf-hourly\b|\bevery\s+quarter\s+(?:of\s+an\s+)?hour\b",
    re.IGNORECASE,
)
_MINUTE_PAST = re.compile(
    r"\s*(?:(정각)|(\d{1,2})\s*분(?!\s*간격)|at\s+:?(\d{2})\b|(\d{1,2})\s+(?:minutes?\s+)?past\b"
    r"|(반)(?=에|\s|$|[,.])|(?:at\s+)?(?:a\s+)?(half|quarter)\s+past\b|(?:at\s+)?(?:a\s+)?quarter\s+(to)\b)",
    re.IGNORECASE,
)


# The minute said before the hour word: "at quarter past every hour", "20 minutes past each hour".
_MINUTE_BEFORE_HOURLY = re.compile(
    r"\b(?:at\s+)?(?:(?:a\s+)?(quarter|half)|(\d{1,2})\s+(?:minutes?|mins?)?)\s*past\s+(?:every|each|the)\s+hour\b",
    re.IGNORECASE,
)


def _hourly_kind(token: str) -> Interval:
    low = token.lower()
    if "minute" in low or low.replace(" ", "").startswith("매분"):
        return Interval((0, 0), minutes=1)
    if "half" in low or "30" in low:
        return Interval((0, 0), minutes=30)
    if "quarter" in low:
        return Interval((0, 0), minutes=15)
    return Interval((0, 0), hours=1)


def _minute_past(past: re.Match[str]) -> int:
    """The minute of the hour said after "every hour": 정각, 30분, at :15, half past, quarter to."""
    if past.group(1):
        return 0
    if past.group(5) or (past.group(6) or "").lower() == "half":
        return 30
    if past.group(6):
        return 15
    if past.group(7):
        return 45
    return int(past.group(2) or past.group(3) or past.group(4))


# An hour said right before a minute count ("3시 40분마다", "15시40분마다"): the count is that time's minute.
_CLOCK_HOUR_BEFORE = re.compile(r"(?:\d|(?<!매)[가-힣])\s*시\s*$")


def find_intervals(text: str) -> list[Interval]:
    """ "30분마다", "두 시간 간격", "every 15 minutes", "hourly", "매시 30분" (minute past the hour)."""
    out = []
    for m in _KO_INTERVAL.finditer(text):
        amount, unit = (m.group(1), m.group(2)) if m.group(1) else (m.group(3), m.group(4))
        if unit == "분" and _CLOCK_HOUR_BEFORE.search(text, 0, m.start()):
            continue  # "3시 40분마다": the minute of a clock time, said daily, not every 40 minutes
        n = number(amount)
        if n > 0:
            out.append(Interval(m.span(), minutes=n) if unit == "분" else Interval(m.span(), hours=n))
    for m in _EN_INTERVAL.finditer(text):
        n, unit = number(m.group(1)), m.group(2).lower()
        if n > 0:
            out.append(Interval(m.span(), minutes=n) if unit.startswith("m") else Interval(m.span(), hours=n))
    for m in _MINUTE_BEFORE_HOURLY.finditer(text):
        minute = {"quarter": 15, "half": 30}.get((m.group(1) or "").lower()) or int(m.group(2) or 0)
        if minute < 60:
            out.append(Interval(m.span(), minute_of_hour=minute))
    for m in _HOURLY.finditer(text):
        if any(i.span[0] <= m.start() < i.span[1] for i in out):
            continue
        kind = _hourly_kind(m.group(0))
        past = _MINUTE_PAST.match(text, m.end())
        if kind.hours == 1 and past is not None:
            minute = _minute_past(past)
            out.append(Interval((m.start(), past.end()), minute_of_hour=minute))
        else:
            out.append(Interval(m.span(), kind.minutes, kind.hours))
    return sorted(out, key=lambda i: i.span)


# --- times a day ------------------------------------------------------------------------------------

_TIMES_A_DAY = re.compile(
    rf"하루\s*(?:에\s*)?{_KO_NUM}\s*(?:번|회)|\b(twice|thrice|{_EN_NUMBER}|\d)\s*(?:times\s+)?(?:a|per)\s+day\b",
    re.IGNORECASE,
)


def find_times_a_day(text: str) -> tuple[int, Span] | None:
    """ "하루 두 번", "twice a day", "3 times a day": how many fires a day were asked for."""
    m = _TIMES_A_DAY.search(text)
    if m is None:
        return None
    token = (m.group(1) or m.group(2)).lower()
    n = {"twice": 2, "thrice": 3}.get(token) or number(token)
    return n, m.span()

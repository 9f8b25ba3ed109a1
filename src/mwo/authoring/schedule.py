"""The schedule grammar: Korean and English time phrases to cron + IANA zone. The model never writes cron.

`parse_schedule` finds the pieces (`schedule_parts`, `schedule_days`, `schedule_zone`) and composes
them here. The rules for what is not said, each stated in the request's language:

- An hour 1-12 with no part of the day (오전/오후, 아침/저녁, am/pm, "in the morning"): 7-11 are read
  as morning and 12 as noon (an assumption); 1-6 could be either, so they are asked (slot `time`,
  the afternoon reading kept as the provisional cron). A part of the day said anywhere in the
  request once ("every evening at 7") applies to times that have none.
- A part of the day with no hour ("매일 아침") uses its usual hour (아침 08:00, 점심 12:00, 저녁 18:00,
  밤 21:00, 새벽 06:00; assumption); 오전/오후 alone are asked.
- Days with no time at all ("매일", "매주 월요일") are asked (slot `time`): a recurring job with no
  time misses its *what*. The provisional cron says 09:00.
- A time with no recurrence is a schedule only when said as one ("9시에", "at 9"): it runs daily
  (assumption). "9시 뉴스" (a time as a name) is not a schedule. With 오늘/내일/tomorrow it is a
  one-off, which cron cannot hold: asked (slot `schedule`).
- 매주/weekly with no weekday: Monday; 매월/monthly with no day: the 1st (assumptions).
- A time said as an offset ("자정 5분 전", "a quarter to 9 am") is that time moved (`schedule_offsets`);
  across midnight a daily schedule stays daily, named weekdays move with it, and days of the month
  are asked (slot `schedule`). Examples in brackets ("(1시 15분처럼)") are not read (`schedule_asides`).
- 격주 / every other week: cron cannot say it. The parse keeps `every_weeks=2`, the cron fires
  weekly, and the question (slot `schedule`) asks whether weekly is all right.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from mwo.authoring.intents import Question, ScheduleParse
from mwo.authoring.particles import eun
from mwo.authoring.quoted import blank_quotes
from mwo.authoring.schedule_asides import blank_examples
from mwo.authoring.schedule_days import excluded_weekdays, find_days
from mwo.authoring.schedule_describe import describe_schedule
from mwo.authoring.schedule_offsets import shift_weekdays, shifted, with_offset
from mwo.authoring.schedule_parts import (
    Days,
    Found,
    Interval,
    PartOfDay,
    Span,
    TimeOfDay,
    find_intervals,
    find_parts,
    find_times,
    find_times_a_day,
)
from mwo.authoring.schedule_texts import ASSUMPTIONS, QUESTIONS
from mwo.authoring.schedule_zone import find_zone
from mwo.authoring.time_words import (
    ONE_OFF_WORDS_EN,
    ONE_OFF_WORDS_KO,
    SAFE_MORNING_HOURS,
    SAFE_NOON_HOURS,
)

__all__ = [
    "Question",
    "ScheduleParse",
    "describe_schedule",
    "excluded_weekdays",
    "next_fire_times",
    "parse_schedule",
    "parse_schedule_answer",
    "request_language",
]

MAX_TEXT = 4000
"""Only the first characters of a request are read for a schedule (time phrases come early)."""
_URL_OR_EMAIL = re.compile(r"https?://\S+|(?<![\w.+-])[\w.+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63})+")
_CONNECTOR = re.compile(
    r"(?:\s|,|과|와|및|이랑|랑|하고|에|에는|부터|까지|\band\b|&|\bat\b|\bon\b|\bthe\b|\bto\b|\bfrom\b)*",
    re.IGNORECASE,
)
_HANGUL = re.compile(r"[\uac00-\ud7a3\u3131-\u318e]")
_LATIN = re.compile(r"[A-Za-z]")
_ONE_OFF = re.compile(
    "|".join(ONE_OFF_WORDS_KO)
    + "|"
    + "|".join(rf"\b{w}\b" for w in ONE_OFF_WORDS_EN)
    + r"|(?<![\d.])\d{1,2}\s*월\s*\d{1,2}\s*일|\b\d{4}-\d{2}-\d{2}\b",  # a calendar date said once
    re.IGNORECASE,
)
_KO_DAY_NAMES = {1: "월요일", 2: "화요일", 3: "수요일", 4: "목요일", 5: "금요일", 6: "토요일", 0: "일요일"}
_EN_DAY_NAMES = {1: "Monday", 2: "Tuesday", 3: "Wednesday", 4: "Thursday", 5: "Friday", 6: "Saturday",
                 0: "Sunday"}  # fmt: skip


def request_language(text: str) -> str:
    """ "ko" when Hangul dominates: a Hangul syllable counts as much as three Latin letters (one
    syllable carries about what three letters do, and Korean requests often name English things)."""
    hangul = len(_HANGUL.findall(text))
    return "ko" if hangul and hangul * 3 >= len(_LATIN.findall(text)) else "en"


def next_fire_times(cron: str, timezone: str, count: int, now: datetime) -> list[datetime]:
    """The next `count` fires strictly after `now` (aware), in the schedule's zone, by the DST rules
    of `mwo.triggers.cron`. Raises CronError for an invalid expression or zone."""
    from mwo.triggers.cron import CronSchedule, next_fires

    schedule = CronSchedule.parse(cron, timezone)
    return [fire.astimezone(schedule.zone) for fire in next_fires(schedule, now, count)]


@dataclass
class _Notes:
    """Assumptions and questions gathered while composing, in one language."""

    language: str
    assumptions: list[str] = field(default_factory=list)
    questions: list[Question] = field(default_factory=list)

    def assume(self, key: str, **values: object) -> None:
        ko, en = ASSUMPTIONS[key]
        text = (ko if self.language == "ko" else en).format(**values)
        if text not in self.assumptions:
            self.assumptions.append(text)

    def ask(self, slot: str, key: str, **values: object) -> None:
        ko, en = QUESTIONS[key]
        question = Question(slot, ko.format(**values), en.format(**values))
        if question not in self.questions:
            self.questions.append(question)


def parse_schedule(text: str, *, default_timezone: str, language: str | None = None) -> ScheduleParse | None:
    """The schedule a request states, or None when it states none (see the module rules)."""
    text = text[:MAX_TEXT]
    found = _find(text)
    recurring = bool(found.days or found.intervals or found.times_a_day)
    if not recurring and not any(t.anchored for t in found.times):
        return None
    notes = _Notes(language or request_language(text))
    used: list[Span] = []
    moves: set[int] = set()
    if found.intervals:
        minute, hour = _interval_fields(found.intervals[0], found.times, notes, used)
    else:
        minute, hour, moves = _time_fields(found, notes, used, recurring)
    dom, month, dow, every_weeks = _day_fields(found.days, notes, used)
    if moves - {0}:
        dow = _moved_days(dom, month, dow, moves, notes)
    if not recurring and found.one_off:
        notes.ask("schedule", "one_off")
    elif not recurring:
        notes.assume("daily_no_recurrence")
    zone = found.zone.name if found.zone else default_timezone
    if found.zone:
        used.append(found.zone.span)
    return ScheduleParse(
        cron=f"{minute} {hour} {dom} {month} {dow}",
        timezone=zone,
        phrase=_phrase(text, used),
        assumptions=tuple(notes.assumptions),
        questions=tuple(notes.questions),
        every_weeks=every_weeks,
    )


def parse_schedule_answer(
    request: str, answer: str, *, default_timezone: str, language: str | None = None
) -> ScheduleParse | None:
    """The schedule once a person answered a `time` or `schedule` question.

    An answer that states its own recurrence ("매주 금요일 오후 5시", "every day at 8") replaces the
    request's schedule (the request's zone is kept when the answer names none). An answer that is only
    a time ("오전 9시", "6 pm") fills in the request's days: the request's own times are dropped and
    the answer's put in their place, so "매주 월요일마다 ..." answered "오전 9시" is Mondays at 09:00.
    """
    language = language or request_language(request)
    base = parse_schedule(request, default_timezone=default_timezone, language=language)
    zone = base.timezone if base is not None else default_timezone
    found = _find(answer[:MAX_TEXT])
    if found.days or found.intervals or found.times_a_day or base is None:
        return parse_schedule(answer, default_timezone=zone, language=language)
    said = _find(request[:MAX_TEXT])
    if not found.times and found.parts and said.times:  # "5시" answered "오후": the request's 5시, in the pm
        return parse_schedule(_with_part(request, said.times, found.parts[0].name), default_timezone=zone,
                              language=language)  # fmt: skip
    spans = [t.span for t in said.times] + [p.span for p in said.parts]
    kept = "".join(" " if any(s <= i < e for s, e in spans) else c for i, c in enumerate(request[:MAX_TEXT]))
    return parse_schedule(f"{kept} {answer}", default_timezone=zone, language=language)


def _with_part(request: str, times: list[TimeOfDay], part: str) -> str:
    """`request` with `part` said before each time that was asked about (1-6 with no part of the day)."""
    out, last = [], 0
    for time in times:
        asked = time.hour not in SAFE_MORNING_HOURS | SAFE_NOON_HOURS
        if time.part is None and not time.explicit_24h and asked:
            out += [request[last : time.span[0]], f"{part} "]
            last = time.span[0]
    return "".join([*out, request[last:]])


def _find(text: str) -> Found:
    """Every piece of a time phrase; a weekday said once with no time ("월요일 회의록") is no day."""
    text = blank_quotes(_URL_OR_EMAIL.sub(lambda m: " " * len(m.group(0)), text))  # '10시 회의' is a message
    text = blank_examples(text)  # "(1시 15분, 2시 15분처럼)" shows what the schedule means
    times = [with_offset(text, t) for t in find_times(text)]
    days = find_days(text)
    if not any(t.anchored for t in times) and all(d.dow and not d.recurring for d in days):
        days = []  # "월요일 회의록": a weekday named once, with no time, is no schedule
    if all(d.excluded for d in days):
        days = []  # only days left out ("월요일에는 보내지 마"): an edit, no schedule of its own
    intervals = find_intervals(text)
    one_off = _ONE_OFF.search(text)
    return Found(
        times=[t for t in times if not any(_inside(t.span, i.span) for i in intervals)],
        days=days,
        intervals=intervals,
        parts=find_parts(text, times),
        zone=find_zone(text),
        one_off=one_off.span() if one_off else None,
        times_a_day=find_times_a_day(text),
    )


def _inside(span: Span, outer: Span) -> bool:
    return outer[0] <= span[0] < outer[1]


def _phrase(text: str, spans: list[Span]) -> str:
    """The matched words in text order. Spans that touch, overlap or are joined only by connecting
    words ("화요일과 목요일", "Monday and Thursday at 7") are one stretch of the request, quoted whole."""
    merged: list[list[int]] = []
    for start, end in sorted(s for s in spans if s[1] > s[0]):
        if merged and (start <= merged[-1][1] + 1 or _CONNECTOR.fullmatch(text[merged[-1][1] : start])):
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return " ".join(text[s:e].strip() for s, e in merged)


# --- minute and hour fields -------------------------------------------------------------------------


def _interval_fields(
    interval: Interval, times: list[TimeOfDay], notes: _Notes, used: list[Span]
) -> tuple[str, str]:
    used.append(interval.span)
    window = _window(times, used)
    if interval.minute_of_hour is not None:  # "9시부터 18시까지 매시 30분": the minute, in the window
        if window is not None:
            notes.assume("window_hours", a=window[0], b=window[1])
        return str(interval.minute_of_hour), "*" if window is None else f"{window[0]}-{window[1]}"
    if window is not None and interval.minutes is not None and interval.minutes < 60:
        last = 59 // interval.minutes * interval.minutes
        notes.assume("window", a=window[0], b=window[1], m=last)
    elif window is not None:
        notes.assume("window_hours", a=window[0], b=window[1])
    if interval.minutes is not None:
        return _minute_interval(interval.minutes, window, notes)
    hours = interval.hours or 1
    if hours == 24:
        notes.assume("daily_midnight")
        return "0", "0"
    if hours > 24:
        notes.ask("schedule", "interval_hours", n=hours)
        return "0", "0"
    if 24 % hours:
        notes.assume("uneven_hours", n=hours)
    step = "*" if hours == 1 else f"*/{hours}"
    if window is not None:
        step = f"{window[0]}-{window[1]}" + ("" if hours == 1 else f"/{hours}")
    return "0", step


def _minute_interval(minutes: int, window: tuple[int, int] | None, notes: _Notes) -> tuple[str, str]:
    hour = "*" if window is None else f"{window[0]}-{window[1]}"
    if minutes >= 60:
        if minutes % 60 == 0:
            hours = minutes // 60
            return "0", hour if hours == 1 else f"*/{hours}"
        notes.ask("schedule", "interval_uneven", n=minutes)
        return "0", hour
    if 60 % minutes:
        notes.assume("uneven_minutes", n=minutes)
    return ("*" if minutes <= 1 else f"*/{max(minutes, 1)}"), hour


def _window(times: list[TimeOfDay], used: list[Span]) -> tuple[int, int] | None:
    """ "9시부터 18시까지 30분마다": the first and last times said around an interval. Both hours are
    included, as people write it in cron (9-18): the last run is 18:30, and the assumption says so."""
    if len(times) < 2:
        return None
    first, last = (_resolve_quietly(t) for t in (times[0], times[-1]))
    if last <= first:
        return None
    used.extend([times[0].span, times[-1].span])
    return first, last


def _resolve_quietly(time: TimeOfDay) -> int:
    """An hour for a working-hours window: 1-6 without a part of the day read as afternoon."""
    if time.part is None and not time.explicit_24h and 1 <= time.hour <= 6:
        return time.hour + 12
    return _apply_part(time.hour, time.part or "am") if not time.explicit_24h else time.hour


def _time_fields(found: Found, notes: _Notes, used: list[Span], recurring: bool) -> tuple[str, str, set[int]]:
    """(minute, hour, days moved by each time): -1 when an offset crosses midnight backwards
    ("자정 5분 전"), +1 forwards, 0 otherwise."""
    times = [t for t in found.times if t.anchored or recurring]
    lone_part = found.parts[0] if len({p.kind for p in found.parts}) == 1 else None
    if not times:
        return (*_part_only(lone_part, found, notes, used), set())
    hours, minutes, moves = [], [], set()
    for time in times:
        used.append(time.span)
        hour, minute, moved = shifted(_hour(time, lone_part, notes, used), time.minute, time.offset)
        hours.append(hour)
        minutes.append(minute)
        moves.add(moved)
    if len(set(minutes)) > 1:
        shown = ", ".join(f"{h}:{m:02d}" for h, m in zip(hours, minutes, strict=True))
        notes.ask("time", "time_minutes_differ", times=shown)
    if found.times_a_day and found.times_a_day[0] > len(set(hours)):
        notes.ask("time", "times_a_day", n=found.times_a_day[0])
    if found.times_a_day:
        used.append(found.times_a_day[1])
    return str(minutes[0]), ",".join(str(h) for h in sorted(set(hours))), moves


def _moved_days(dom: str, month: str, dow: str, moves: set[int], notes: _Notes) -> str:
    """The weekday field once a time moved to the day before (or after). Every day stays every day;
    named weekdays move with it; days of the month or n-th weekdays cannot move exactly: asked, and the
    days kept as said for now."""
    if dom == "*" and month == "*" and dow == "*":
        return dow
    moved_dow = None
    if dom == "*" and month == "*" and len(moves) == 1:  # times that move differently cannot share days
        moved_dow = shift_weekdays(dow, next(iter(moves)))
    if moved_dow is None:
        notes.ask("schedule", "day_shift")
        return dow
    notes.assume("day_shift_weekdays")
    return _compact(sorted({int(d) for d in moved_dow.split(",")}))


def _part_only(part: PartOfDay | None, found: Found, notes: _Notes, used: list[Span]) -> tuple[str, str]:
    if found.times_a_day:
        used.append(found.times_a_day[1])
        notes.ask("time", "times_a_day", n=found.times_a_day[0])
        return "0", "9"
    if part is None:
        notes.ask("time", "time_missing")
        return "0", "9"
    used.append(part.span)
    if part.default_hour is None:
        notes.ask("time", "time_in_part", part=part.name)
        return "0", "14" if part.kind == "pm" else "9"
    notes.assume("part_default", part=part.name, eun=eun(part.name), h=part.default_hour)
    return "0", str(part.default_hour)


def _apply_part(hour: int, part: str) -> int:
    """A 1-12 hour said with a part of the day, in 24-hour time (see time_words.PARTS_OF_DAY)."""
    if part == "am":
        return 0 if hour == 12 else hour
    if part == "pm":
        return hour if hour == 12 else hour + 12
    if part == "night":
        return 0 if hour == 12 else (hour if hour <= 4 else hour + 12)
    return hour if hour >= 11 else hour + 12  # noon: 점심 12시, 점심 1시 -> 13


def _hour(time: TimeOfDay, lone_part: PartOfDay | None, notes: _Notes, used: list[Span]) -> int:
    if time.explicit_24h:
        return time.hour
    if time.part is not None:
        return _apply_part(time.hour, time.part)
    if lone_part is not None:
        used.append(lone_part.span)
        return _apply_part(time.hour, lone_part.kind)
    if time.hour in SAFE_MORNING_HOURS:
        notes.assume("morning_hour", h=time.hour)
        return time.hour
    if time.hour in SAFE_NOON_HOURS:
        notes.assume("noon_hour")
        return time.hour
    notes.ask("time", "time_ambiguous", h=time.hour)
    return time.hour + 12


# --- day fields -------------------------------------------------------------------------------------


def _day_fields(days: list[Days], notes: _Notes, used: list[Span]) -> tuple[str, str, str, int]:
    """(day of month, month, day of week, every_weeks) from the day pieces."""
    excluded = {w for d in days for w in d.excluded}
    used.extend(d.span for d in days if not (d.dow and set(d.dow) <= excluded))  # see _dow_field
    every_weeks = max((d.every_weeks for d in days), default=1)
    if any(d.assumed == "impossible_date" for d in days):
        notes.ask("schedule", "impossible_date")
        return "*", "*", "*", every_weeks
    if every_weeks > 1:
        notes.assume("biweekly")
        notes.ask("schedule", "biweekly")
    dom = next((d for d in days if d.dom), None)
    if dom is not None:
        if dom.assumed:
            notes.assume(dom.assumed, n=dom.dom[0].removeprefix("*/"))
        month = ",".join(map(str, dom.months)) if dom.months else str(dom.month or "*")
        return ",".join(dom.dom), month, "*", every_weeks
    nth = next((d.nth for d in days if d.nth), None)
    if nth is not None:
        return "*", "*", nth, every_weeks
    return "*", "*", _dow_field(days, excluded, notes), every_weeks


def _dow_field(days: list[Days], excluded: set[int], notes: _Notes) -> str:
    """The weekday field; `excluded` holds the days left out ("화요일만 빼고")."""
    # A day left out and named again ("화요일만 빼고 매일 ... 화요일은 휴관이라서") stays left out.
    named = [d for d in days if d.dow and not set(d.dow) <= excluded]
    chosen: set[int] = {w for d in named for w in d.dow}
    weekly = any(d.assumed == "weekly_monday" or d.every_weeks > 1 for d in days)
    if not chosen and weekly:
        notes.assume("weekly_monday")
        chosen = {1}
    elif named and not weekly and not any(d.recurring for d in named):
        names = _KO_DAY_NAMES if notes.language == "ko" else _EN_DAY_NAMES
        notes.assume("weekly_from_day", day=", ".join(names[w] for w in sorted(chosen)))
    if excluded:
        chosen = (chosen or set(range(7))) - excluded
    if not chosen or len(chosen) == 7:
        return "*"
    return _compact(sorted(chosen))


def _compact(days: list[int]) -> str:
    """1,2,3,4,5 -> 1-5; a run of three or more becomes a range."""
    parts: list[str] = []
    i = 0
    while i < len(days):
        j = i
        while j + 1 < len(days) and days[j + 1] == days[j] + 1:
            j += 1
        parts.append(f"{days[i]}-{days[j]}" if j - i >= 2 else ",".join(map(str, days[i : j + 1])))
        i = j + 1
    return ",".join(parts)

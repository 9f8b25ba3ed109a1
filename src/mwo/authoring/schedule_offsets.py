"""Times said as an offset from another time: "자정 5분 전" (23:55), "9시 10분 전" (08:50),
"정오 15분 후" (12:15), "5 minutes before midnight", "a quarter to 9 pm", "10 minutes after noon".

The offset is kept on the time (`TimeOfDay.offset`) and applied once the hour is resolved (am/pm
first: "오후 1시 10분 전" is 12:50). An offset that crosses midnight moves the run to the day before
(or after): a daily schedule is the same every day; named weekdays move with it (`shift_weekdays`);
days of the month or n-th weekdays cannot be moved exactly in cron, so the caller asks.

Korean "N시 M분 전" is read as M minutes before N o'clock, as people say it ("9시 10분 전에" = 8:50);
"N시 M분 후" stays N:M, which is the same time. "09:50 전에" (before a clock time) is no offset.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Final

from mwo.authoring import time_words as words
from mwo.authoring.schedule_parts import KO_SINO, TimeOfDay, number

_KO_END: Final = r"(?=에|까지|쯤|경|과|와|마다|\s|$|[,.)])"
# "자정 5분 전", "정오 이십 분 후에": minutes before or after a named time (Korean says it after).
_KO_AFTER_NAMED: Final = re.compile(rf"\s*(\d{{1,2}}|{KO_SINO})\s*분\s*(전|후|뒤){_KO_END}")
# "9시 10분 전": the minutes were read as the time's own; said with 전 they come off the hour.
_KO_MINUTE_BEFORE: Final = re.compile(rf"\s*전{_KO_END}")
_KO_HOUR_AND_MINUTES: Final = re.compile(rf"시\s*(?:\d{{1,2}}|{KO_SINO})\s*분$")
_EN_NUMBER: Final = "|".join(sorted(words.EN_NUMBERS, key=len, reverse=True))
# "5 minutes before", "ten minutes to", "a quarter to", "half an hour before" (English says it first).
_EN_BEFORE_TIME: Final = re.compile(
    rf"\b(?:(\d{{1,2}}|{_EN_NUMBER})\s*(?:minutes?|mins?)|(?:a\s+)?(quarter)(?:\s+of\s+an\s+hour)?"
    rf"|(half)\s+an\s+hour)\s+(before|to|after|past)\s+(?:at\s+)?$",
    re.IGNORECASE,
)
_EVERY_BEFORE: Final = re.compile(r"\bevery\s+$", re.IGNORECASE)  # "every 5 minutes after 9am" is no offset
_NAMED: Final = frozenset(words.NAMED_TIMES)


def with_offset(text: str, time: TimeOfDay) -> TimeOfDay:
    """`time` with the offset said around it (its span widened to cover the words), else as is."""
    start, end = time.span
    said = text[start:end]
    if said.lower() in _NAMED:
        m = _KO_AFTER_NAMED.match(text, end)
        if m is not None:
            minutes = number(m.group(1))
            sign = -1 if m.group(2) == "전" else 1
            return replace(time, span=(start, m.end()), offset=sign * minutes)
    if time.minute and _KO_HOUR_AND_MINUTES.search(said):
        m = _KO_MINUTE_BEFORE.match(text, end)
        if m is not None:
            return replace(time, minute=0, span=(start, m.end()), offset=-time.minute)
    m = _EN_BEFORE_TIME.search(text, max(0, start - 60), start)
    if m is not None and not _EVERY_BEFORE.search(text, 0, m.start()):
        minutes = 15 if m.group(2) else 30 if m.group(3) else number(m.group(1))
        sign = -1 if m.group(4).lower() in ("before", "to") else 1
        return replace(time, span=(m.start(), end), offset=sign * minutes)
    return time


def shifted(hour: int, minute: int, offset: int) -> tuple[int, int, int]:
    """(hour, minute, days moved) for a resolved time plus `offset` minutes."""
    days, rest = divmod(hour * 60 + minute + offset, 24 * 60)
    return rest // 60, rest % 60, days


def shift_weekdays(dow: str, days: int) -> str | None:
    """A cron weekday field of plain days and ranges ("1-5", "0,6") moved by `days`, compacted by the
    caller; None when it holds anything else (#, L, steps) and cannot be moved exactly."""
    if not re.fullmatch(r"\d(?:-\d)?(?:,\d(?:-\d)?)*", dow):
        return None
    picked: set[int] = set()
    for part in dow.split(","):
        first, _, last = part.partition("-")
        picked.update(range(int(first), int(last or first) + 1))
    return ",".join(str(d) for d in sorted({(d + days) % 7 for d in picked}))

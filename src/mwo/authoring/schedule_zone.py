"""The time zone a request names, as an IANA name: "런던 시간", "뉴욕 기준", "New York time",
"in Tokyo time", abbreviations written in capitals (KST, UTC, PST), "UTC+9", a US zone right after
a time ("4 pm Eastern", "9:30 PT"), or an IANA name itself.

A place counts only with a zone word after it (시간/시각/기준, time/timezone), so "런던 날씨" or
"a report about Tokyo" names no zone. Abbreviations that are also words (ET, PT, CT) and the bare
US zone names (Eastern, Central) count only right after a time, the short forms in capitals.
"""

from __future__ import annotations

import re
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from mwo.authoring import time_words as words
from mwo.authoring.schedule_parts import Span, Zone

_PLACES = "|".join(re.escape(p) for p in sorted(words.ZONE_PLACES, key=len, reverse=True))
_KO_PLACE_ZONE = re.compile(
    rf"(?<![A-Za-z])({_PLACES})\s*(?:의\s*)?(?:현지\s*)?(?:시간|시각|기준|표준시)(?!\s*마다)", re.IGNORECASE
)
_EN_PLACE_ZONE = re.compile(
    rf"\b(?:in\s+)?({_PLACES})\s+(?:local\s+)?(?:time|timezone|time\s+zone|hours)\b", re.IGNORECASE
)
_ABBREVIATION = re.compile(
    r"(?<![A-Za-z])(" + "|".join(sorted(words.ZONE_ABBREVIATIONS, key=len, reverse=True)) + r")(?![A-Za-z])"
)
# "4 pm Eastern", "9:30 PT", "noon (Central time)": a US zone right after a time. A capitalised word
# after the name makes it a place ("9am Central Park"); a zone word may follow ("Eastern time").
_US_TIME = (
    r"(?i:\d{1,2}(?::\d{2})?\s*(?:[ap]\.?m\.?|o'?clock)|\d{1,2}:\d{2}|\bat\s+\d{1,2}|\bnoon|\bmidnight)"
    r"|\d\s*시(?:\s*\d{1,2}\s*분|\s*반)?|정오|자정"
)
_US_AFTER_TIME = re.compile(
    rf"(?:{_US_TIME})\s*\(?\s*((?i:eastern|central|mountain|pacific)|ET|CT|MT|PT|CST)(?![A-Za-z])"
    r"(?!\s+(?!(?i:time|standard|daylight)\b)[A-Z][a-z])"
)
_OFFSET = re.compile(r"(?<![A-Za-z])(?:UTC|GMT)\s*([+-])\s*(\d{1,2})(?::?00)?(?![\d:])")
_IANA = re.compile(r"\b([A-Z][A-Za-z]+/[A-Z][A-Za-z_]+(?:/[A-Z][A-Za-z_]+)?)\b")


def _valid(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def _first(candidates: list[tuple[Span, str]]) -> Zone | None:
    good = [(span, name) for span, name in candidates if _valid(name)]
    if not good:
        return None
    span, name = min(good)
    return Zone(name, span)


def find_zone(text: str) -> Zone | None:
    """The first zone named in `text`, or None (the caller's default zone applies)."""
    candidates: list[tuple[Span, str]] = []
    for m in _IANA.finditer(text):
        candidates.append((m.span(), m.group(1)))
    for m in _OFFSET.finditer(text):
        hours = int(m.group(2))
        if hours <= 14:  # Etc/GMT signs are inverted: UTC+9 is Etc/GMT-9
            sign = "-" if m.group(1) == "+" else "+"
            candidates.append((m.span(), "UTC" if hours == 0 else f"Etc/GMT{sign}{hours}"))
    taken = [span for span, _ in candidates]
    for pattern in (_KO_PLACE_ZONE, _EN_PLACE_ZONE):
        for m in pattern.finditer(text):
            candidates.append((m.span(), words.ZONE_PLACES[m.group(1).lower()]))
            taken.append(m.span())
    for m in _US_AFTER_TIME.finditer(text):
        if any(s <= m.start(1) < e for s, e in taken):
            continue  # "Pacific time": already read, with its zone word
        name = m.group(1) if m.group(1).isupper() else m.group(1).lower()
        candidates.append((m.span(1), words.US_ZONES_AFTER_TIME[name]))
        taken.append(m.span(1))
    for m in _ABBREVIATION.finditer(text):
        if not any(s <= m.start() < e for s, e in taken):
            candidates.append((m.span(), words.ZONE_ABBREVIATIONS[m.group(1)]))
    return _first(candidates)

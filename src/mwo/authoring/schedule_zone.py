"""The time zone a request names, as an IANA name: "런던 시간", "뉴욕 기준", "New York time",
"in Tokyo time", abbreviations written in capitals (KST, UTC, PST), "UTC+9", or an IANA name itself.

A place counts only with a zone word after it (시간/시각/기준, time/timezone), so "런던 날씨" or
"a report about Tokyo" names no zone. Abbreviations that are also words (ET, PT) count only in
capitals, on their own.
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
    for m in _ABBREVIATION.finditer(text):
        if not any(s <= m.start() < e for s, e in taken):
            candidates.append((m.span(), words.ZONE_ABBREVIATIONS[m.group(1)]))
    return _first(candidates)

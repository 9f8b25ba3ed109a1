"""Quoted spans of a request: a message or a name said word for word, never read as instructions.

"슬랙에 '주간 회의 10시에 시작합니다' 공지 올려줘" is a notice sent every Monday, not a 10:00 run, and
"'주말 잘 보내세요'" names no weekend. The schedule grammar and the trigger rules read the request
with the quoted words blanked out (spaces of the same length, so every position stays where it was).

An apostrophe inside a word is no quote: an opening quote follows no letter or digit, a closing one
is followed by no Latin letter ("the manager's approval", "don't", "every run's output" stay).
Korean particles may follow a closing quote ('금리'를, '내일은 금요일!'이라고).
"""

from __future__ import annotations

import re
from typing import Final

MAX_QUOTED = 160
"""Longer stretches between two quote marks are more likely two stray marks than one quote."""

QUOTED: Final = re.compile(
    rf"(?<![A-Za-z0-9])'(?=\S)([^'\n]{{1,{MAX_QUOTED}}}?)(?<=\S)'(?![A-Za-z])"
    rf"|(?<![A-Za-z0-9])\"(?=\S)([^\"\n]{{1,{MAX_QUOTED}}}?)(?<=\S)\"(?![A-Za-z])"
    rf"|‘([^’\n]{{1,{MAX_QUOTED}}})’|“([^”\n]{{1,{MAX_QUOTED}}})”"
    rf"|「([^」\n]{{1,{MAX_QUOTED}}})」|『([^』\n]{{1,{MAX_QUOTED}}})』"
)


def quoted_spans(text: str) -> list[tuple[int, int]]:
    """Where each quote is, its marks included."""
    return [m.span() for m in QUOTED.finditer(text)]


def quoted_words(text: str) -> list[str]:
    """What each quote says, stripped, in order."""
    return [next(g for g in m.groups() if g is not None).strip() for m in QUOTED.finditer(text)]


# A quoted name ('order.created', 'price-sync', '*.csv') names an event, a workflow or a pattern for the
# trigger rules to read; only quoted words and sentences are messages.
_QUOTED_NAME: Final = re.compile(r"[A-Za-z0-9*][\w*]*(?:[.\-][\w*]+)+", re.ASCII)


def blank_quotes(text: str) -> str:
    """`text` with every quote (marks included) turned into spaces of the same length, except a quoted
    dotted or hyphenated name, which stays for the trigger rules."""

    def blank(m: re.Match[str]) -> str:
        said = next(g for g in m.groups() if g is not None).strip()
        return m.group(0) if _QUOTED_NAME.fullmatch(said) else " " * len(m.group(0))

    return QUOTED.sub(blank, text)

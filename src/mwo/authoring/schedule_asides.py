"""Examples said in brackets beside a schedule are not the schedule.

"매시간 15분에(1시 15분, 2시 15분처럼)" runs at minute 15 of every hour; the bracket only shows what
that means, and read as times it would become 13:15 and 14:15. A bracket counts as an example when it
says so: 처럼/같이/예/예를 들어/등 in Korean, e.g./for example/like/such as in English. Other brackets
("매일 아침(9시)에") clarify the schedule and are kept. Blanked text keeps its length, so every
position in the request stays where it was.
"""

from __future__ import annotations

import re
from typing import Final

_BRACKET: Final = re.compile(r"\(([^()\n]{1,160})\)|\[([^\[\]\n]{1,160})\]")
_EXAMPLE_WORDS: Final = re.compile(
    r"처럼|같이|같은|예(?:를\s*들(?:어|면))?\s*[:)]|예를\s*들(?:어|면)|예컨대|예시|(?<=[\d분시])\s*등"
    r"|\be\.?g\.?|\bfor\s+(?:example|instance)\b|\blike\b|\bsuch\s+as\b|\bex\.",
    re.IGNORECASE,
)


def blank_examples(text: str) -> str:
    """`text` with every bracket that gives examples replaced by spaces of the same length."""

    def blank(m: re.Match[str]) -> str:
        inner = m.group(1) if m.group(1) is not None else m.group(2)
        return " " * len(m.group(0)) if _EXAMPLE_WORDS.search(inner) else m.group(0)

    return _BRACKET.sub(blank, text)

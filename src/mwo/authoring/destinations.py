"""URLs a request names as where the result *goes* ("https://… 에 게시해줘", "POST it to https://…"):
a POST API_CALL at the end of the workflow, not a page to fetch at the start.

A URL followed by a Korean destination particle and a storing/posting verb, or preceded by an
English posting verb and "to", is a destination; every other URL stays a source. Slack/Discord
incoming-webhook URLs are notification channels (`lexicon_words.HOOK_URLS`), not read here.
"""

from __future__ import annotations

import re
from typing import Final

_URL = r"https?://[^\s<>\"')\]]*[^\s<>\"')\].,;:!?]"
_KO_AFTER: Final = re.compile(
    r"\s*(?:에|으로|로|쪽으로)\s*(?:(?:POST|JSON|json|post)\s*(?:로|으로|요청으로)?\s*)?"
    r"(?:게시|저장|올려|등록|전송|보내|기록|추가|발행|업로드|POST|post)"
)
_EN_BEFORE: Final = re.compile(
    r"\b(?:post|posts|posting|push|upload|save|store|submit|write|append)\s+"
    r"(?:(?:it|them|this|that|the\s+\w+(?:\s+\w+)?|a\s+\w+)\s+)?(?:to|into|at)\s+(?:the\s+)?"
    r"(?:(?:api|endpoint|url|address|server)\s+)?$",
    re.IGNORECASE,
)
_URLS: Final = re.compile(_URL)


def destination_spans(text: str) -> list[tuple[int, int]]:
    """Where destination URLs are said (see the module rules)."""
    spans = []
    for m in _URLS.finditer(text):
        before = text[max(0, m.start() - 60) : m.start()]
        if _KO_AFTER.match(text, m.end()) or _EN_BEFORE.search(before):
            spans.append(m.span())
    return spans


def destination_urls(text: str) -> list[str]:
    """The destination URLs, in the order said."""
    return [text[s:e] for s, e in destination_spans(text)]

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
# "once approved, call https://…", "승인되면 https://… 호출": the call is what the approval allows, so
# it comes after the approval (an action at the end), never a page read before it.
_AFTER_APPROVAL: Final = re.compile(
    r"(?:\b(?:once|after|when|if)\s+(?:it\s+is\s+|it's\s+|they\s+|he\s+|she\s+|(?:my|the)\s+\w+\s+)?"
    r"(?:approv\w*|signs?\s+off|signed\s+off)|\bafter\s+(?:the\s+|my\s+)?(?:\w+'s\s+)?approval"
    r"|(?:승인|결재|허가|컨펌)(?:이|을|를)?\s*(?:되면|나면|받으면|받고\s*나면|받은\s*(?:뒤|후|다음)|후|하면|되고\s*나면"
    r"|(?:한|된|했을|할|됐을|될)\s*(?:경우에만|경우|때만|때에만|때|뒤|후|다음)))"
    r"[^.!?\n]{0,40}$",
    re.IGNORECASE,
)
_URLS: Final = re.compile(_URL)
# An email address is where mail goes ("parents@school.kr 로 보내", "send it to a@b.io"): the address
# names the channel (mail) and the recipient. One said as a sender ("boss@x.com에서 온 메일", "from
# a@b.io") is where mail comes from.
_EMAIL: Final = re.compile(r"(?<![\w.+-])[\w.+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63})+", re.ASCII)
_KO_SENDER_AFTER: Final = re.compile(r"\s*(?:에서|으로부터|로부터|한테서|에게서|(?:이|가|님이)\s*보낸)")
_EN_SENDER_BEFORE: Final = re.compile(r"\b(?:from|by|sender|sent\s+by)\s*:?\s*$", re.IGNORECASE)


def destination_spans(text: str) -> list[tuple[int, int]]:
    """Where destination URLs are said (see the module rules)."""
    spans = []
    for m in _URLS.finditer(text):
        before = text[max(0, m.start() - 60) : m.start()]
        if _KO_AFTER.match(text, m.end()) or _EN_BEFORE.search(before) or _AFTER_APPROVAL.search(before):
            spans.append(m.span())
    return spans


def destination_urls(text: str) -> list[str]:
    """The destination URLs, in the order said."""
    return [text[s:e] for s, e in destination_spans(text)]


def recipient_email_spans(text: str) -> list[tuple[int, int]]:
    """Where email addresses are said as recipients (see `_EMAIL`): each makes the channel mail."""
    spans = []
    for m in _EMAIL.finditer(text):
        before = text[max(0, m.start() - 20) : m.start()]
        if _KO_SENDER_AFTER.match(text, m.end()) is None and _EN_SENDER_BEFORE.search(before) is None:
            spans.append(m.span())
    return spans

"""The lexicon: trigger kind and step types by rules, before any model call.

Bilingual word tables (`lexicon_words`, `trigger_words`) narrow the choice; the planner asks the
model only what is left. Rules:

- Trigger: a webhook, file or named event said with a receiving verb in a conditional ("웹훅으로
  받으면", "폴더에 CSV가 생기면", "invoice.received 이벤트가 오면") wins; else a parsed schedule
  means cron; else manual.
- Steps, in the order the request says them: each LLM/transform/script/approval/condition role once
  (at its first mention); one API_CALL per provider (a bare "API" only when no provider is named);
  one NOTIFICATION per channel named, or one with no channel when only a send verb is said. Source
  and channel words inside the trigger phrase make no step ("웹훅으로 받으면" is no webhook channel),
  nor do file kinds ("CSV가 생기면" is no CSV step); a comparison there still does ("a file over
  100 MB is uploaded").
- Never raises: any text (empty, 10 kB, emoji) gives an answer; only the first MAX_TEXT characters
  are read.
"""

from __future__ import annotations

import re

from mwo.authoring import trigger_words as tw
from mwo.authoring.destinations import destination_spans, recipient_email_spans
from mwo.authoring.intents import ScheduleParse, StepIntent, TriggerIntent
from mwo.authoring.lexicon_words import (
    API_WORDS,
    APPROVAL_ONLY,
    APPROVAL_WORDS,
    CHANNEL_AS_SOURCE,
    CHANNEL_WORDS,
    CONDITION_WORDS,
    CONDITIONAL_ENDING,
    HOOK_URLS,
    LLM_WORDS,
    MANUAL_ONLY,
    MANUAL_WORDS,
    NOT_CONDITIONS,
    SCRIPT_WORDS,
    SEND_WORDS,
    TRANSFORM_WORDS,
    Word,
)
from mwo.authoring.missing import missing_what
from mwo.authoring.quoted import blank_quotes
from mwo.authoring.slots import Slots, extract_slots
from mwo.spec.steps import Channel, StepType

__all__ = [
    "Slots",
    "StepIntent",
    "TriggerIntent",
    "detect_trigger",
    "extract_slots",
    "is_manual_requested",
    "missing_what",
    "step_intents",
    "trigger_span",
]

MAX_TEXT = 8000
Span = tuple[int, int]


# --- trigger -----------------------------------------------------------------------------------------


def _event(text: str, original: str) -> tuple[TriggerIntent, Span] | None:
    run = tw.RUN_EVENT.search(text)
    named = tw.NAMED_EVENT.search(text)
    for m in tw.EVENT_NAME.finditer(text):
        if m.group(1).rsplit(".", 1)[1] in tw.NOT_EVENT_ENDINGS:
            continue
        near = tw.EVENT_WORDS.search(text[m.end() : m.end() + 24])
        if near is not None or re.search(r"(?:이벤트|event)\s*$", text[: m.start()], re.I):
            end = m.end() + (near.end() if near is not None else 0)
            return TriggerIntent("event", text[m.start() : end], event_name=m.group(1)), (m.start(), end)
    if named is not None:
        name = named.group(1) or named.group(2)
        return TriggerIntent("event", named.group(0), event_name=name), named.span()
    generic = tw.GENERIC_EVENT.search(text)
    if run is None and generic is not None:
        return TriggerIntent("event", generic.group(0)), generic.span()
    if run is not None:
        name = _run_outcome((run.group(1) or run.group(2)).lower())
        watched = _run_workflow(original, run.span())
        where = None if watched is None else f"event.data.workflow == '{watched}'"
        said = original[run.start() : run.end()]  # the words as written, quotes and all
        intent = TriggerIntent("event", said, event_name=name, event_filter=where)
        return intent, run.span()
    return None


def _run_outcome(word: str) -> str:
    """The run event a finishing word names: cancelled ("취소되면", "is aborted"), failed ("실패하면",
    "errors out"), else succeeded ("끝나면", "completes")."""
    if re.search(r"취소|중단|cancel|abort", word):
        return "run.cancelled"
    if re.search(r"실패|오류|에러|fail|error|break", word):
        return "run.failed"
    return "run.succeeded"


def _run_workflow(text: str, span: Span) -> str | None:
    """The workflow a run event is about ("the workflow called 'price-sync' fails", "'백업' 워크플로가
    실패하면"), read from the clause around it with its quotes; None when no name is said."""
    start = max(0, text.rfind("\n", 0, span[0]) + 1, span[0] - 60)
    m = tw.RUN_NAME.search(text, start, span[1] + 2)
    if m is None:
        return None
    name = next(g for g in m.groups() if g).strip()
    return name if re.fullmatch(r"[\w.\-]{1,60}", name) and name.lower() not in _NOT_NAMES else None


_NOT_NAMES = frozenset(
    {"the", "my", "a", "an", "any", "this", "that", "our", "your", "each", "every", "some"}
)


def _file(text: str, original: str) -> tuple[TriggerIntent, Span] | None:
    m = tw.FILE.search(text)
    if m is None:
        return None
    path = tw.PATH.search(text)
    glob = tw.GLOB.search(original)  # a quoted '*.csv' is the pattern
    extension = tw.FILE_EXTENSION.search(m.group(0))
    pattern = (
        glob.group(1)
        if glob
        else f"*.{extension.group(1).lower()}"
        if extension
        else next((g for p, g in tw.FILE_KINDS if p.search(m.group(0))), None)
    )
    said = original[m.start() : m.end()]
    intent = TriggerIntent("file", said, path=path.group(1) if path else None, pattern=pattern)
    return intent, m.span()


def _webhook(text: str) -> tuple[TriggerIntent, Span] | None:
    m = tw.WEBHOOK.search(text)
    return None if m is None else (TriggerIntent("webhook", m.group(0)), m.span())


def _said_trigger(text: str) -> tuple[TriggerIntent, Span] | None:
    plain = blank_quotes(text)  # a quoted message ('파일이 오면 확인하세요') starts nothing
    found = [f for f in (_webhook(plain), _file(plain, text), _event(plain, text)) if f is not None]
    return min(found, key=lambda f: f[1][0]) if found else None


def trigger_span(text: str) -> Span | None:
    """Where a webhook/file/event trigger is said, if one is: its words make no step."""
    found = _said_trigger(text[:MAX_TEXT])
    return None if found is None else found[1]


def is_manual_requested(text: str) -> bool:
    """The request says it runs by hand or on demand ("수동으로", "버튼 누르면", "on demand")."""
    return MANUAL_WORDS.search(text[:MAX_TEXT]) is not None


def detect_trigger(text: str, schedule: ScheduleParse | None) -> TriggerIntent:
    """Webhook / file / event when said with a receiving verb, else cron when a schedule was parsed,
    else manual (its evidence the manual words, or empty when nothing was said)."""
    text = text[:MAX_TEXT]
    found = _said_trigger(text)
    if found is not None:
        return found[0]
    if schedule is not None:
        return TriggerIntent("cron", schedule.phrase)
    manual = MANUAL_WORDS.search(text)
    return TriggerIntent("manual", manual.group(0) if manual else "")


# --- steps -------------------------------------------------------------------------------------------


def _hits(text: str, table: tuple[Word, ...], skip: list[Span]) -> list[tuple[int, str, Word]]:
    out = []
    for word in table:
        for m in word.pattern.finditer(text):
            if not any(s <= m.start() < e for s, e in skip):
                out.append((m.start(), m.group(0), word))
    return out


def _first_per(hits: list[tuple[int, str, Word]], key: str) -> list[StepIntent]:
    """The first mention of each role (or provider, or channel), as a StepIntent."""
    seen: set[object] = set()
    out = []
    for position, evidence, word in sorted(hits, key=lambda h: h[0]):
        ident = getattr(word, key)
        if ident in seen:
            continue
        seen.add(ident)
        out.append(StepIntent(word.type, word.role, evidence, position, word.channel, word.provider))
    return out


def _roles(text: str, skip: list[Span]) -> list[StepIntent]:
    """LLM, transform, script and approval steps: one per role, longest words first at a place."""
    said = trigger_span(text)
    hits = _hits(text, (*LLM_WORDS, *TRANSFORM_WORDS, *SCRIPT_WORDS, *APPROVAL_WORDS), skip)
    hits = [h for h in hits if not (said and said[0] <= h[0] < said[1] and h[2].role == "tabulate")]
    hits.sort(key=lambda h: (h[0], -len(h[1])))
    kept: list[tuple[int, str, Word]] = []
    for hit in hits:
        if not kept or hit[0] >= kept[-1][0] + len(kept[-1][1]):
            kept.append(hit)
    return _first_per(kept, "role")


def _conditions(text: str, skip: list[Span]) -> list[StepIntent]:
    manual = [m.span() for m in MANUAL_ONLY.finditer(text)]  # "직접 실행할 때만" is the trigger
    approval = [m.span() for m in APPROVAL_ONLY.finditer(text)]  # "승인한 경우에만" is the approval step
    said = trigger_span(text)

    def trigger_own(position: int, evidence: str, word: Word) -> bool:
        """ "If the workflow 'x' fails", "워크플로가 취소되면": the trigger's own "if" or verb, no
        condition step (a comparison inside it stays: "a file over 100 MB is uploaded")."""
        inside = said is not None and said[0] <= position < said[1]
        return inside and (_BARE_IF.fullmatch(evidence.strip()) is not None or word is CONDITIONAL_ENDING)

    hits = [
        h
        for h in _hits(text, CONDITION_WORDS, skip + manual + approval)
        if h[1].strip() not in NOT_CONDITIONS and not trigger_own(*h)
    ]
    return _first_per(hits, "role")


def _apis(text: str, skip: list[Span]) -> list[StepIntent]:
    hooks = [m.span() for m in HOOK_URLS.finditer(text)]
    hits = _hits(text, API_WORDS, skip + hooks + destination_spans(text))  # a POST target is no source
    intents = _first_per(hits, "provider")
    named = [i for i in intents if i.provider is not None]
    return named or intents


def _notifications(text: str, skip: list[Span]) -> list[StepIntent]:
    hits = []
    for position, evidence, word in _hits(text, CHANNEL_WORDS, skip):
        if CHANNEL_AS_SOURCE.match(text, position + len(evidence)):
            continue
        if word.channel is Channel.WEBHOOK and tw.WEBHOOK.match(text, position):
            continue
        hits.append((position, evidence, word))
    hooks = [(m.start(), m.group(0)) for m in HOOK_URLS.finditer(text)]
    for position, url in hooks:
        channel = Channel.SLACK if "slack" in url.lower() else Channel.DISCORD
        hits.append((position, url, next(w for w in CHANNEL_WORDS if w.channel is channel)))
    mail = next(w for w in CHANNEL_WORDS if w.channel is Channel.EMAIL)
    for start, end in recipient_email_spans(text):  # an address said as a recipient is the mail channel
        if not any(s <= start < e for s, e in skip):
            hits.append((start, text[start:end], mail))
    channels = _first_per(hits, "channel")
    if channels:
        return channels
    return _first_per(_hits(text, SEND_WORDS, skip), "role")


def step_intents(text: str) -> list[StepIntent]:
    """The steps the request asks for, in the order it says them (see the module rules)."""
    text = text[:MAX_TEXT]
    said = trigger_span(text)
    paths = [m.span() for m in tw.PATH.finditer(_URL.sub(_blank, text))]
    skip = paths + ([said] if said is not None else [])
    intents = [
        *_apis(text, skip),
        *_roles(text, paths),  # "a file over 100 MB is uploaded": a condition said inside the trigger
        *_conditions(text, paths),
        *_notifications(text, skip + [m.span() for m in _URL.finditer(text)]),  # no ".../inbox" channel
    ]
    return sorted(intents, key=lambda i: (i.position, _TYPE_ORDER[i.type]))


_TYPE_ORDER = {t: n for n, t in enumerate(StepType)}
_BARE_IF = re.compile(r"if|when|만약|만일|경우", re.IGNORECASE)
_URL = re.compile(r"https?://\S+")


def _blank(m: re.Match[str]) -> str:
    """A URL replaced by spaces of its length, so its path is not read as a folder."""
    return " " * len(m.group(0))

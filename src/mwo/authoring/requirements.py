"""Understanding by rules: what a request (and the answers given so far) asks for, before any model.

The language, the schedule (grammar), the trigger kind and the step intents (lexicon), the slots
(count, addresses, URLs, topic) and the domains (knowledge detection, optional and offline) are all
read here; what is missing becomes questions tied to slots, what has a sensible default becomes a
stated assumption. Answers are merged in two ways: their text is read with the request (so "메일로"
given as an answer is understood like the same words in the request), and answers to known slots
override what the rules read (a topic, a recipient, a schedule).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Literal

from mwo.authoring.destinations import destination_urls
from mwo.authoring.intents import Question, ScheduleParse, StepIntent, TriggerIntent
from mwo.authoring.lengths import Length, length_spans
from mwo.authoring.lexicon import detect_trigger, extract_slots, missing_what, step_intents
from mwo.authoring.lexicon_words import URL_INPUT
from mwo.authoring.schedule import parse_schedule, parse_schedule_answer, request_language
from mwo.knowledge.errors import KnowledgeError
from mwo.spec import StepType

if TYPE_CHECKING:
    from mwo.knowledge.service import KnowledgeService

DEFAULT_COUNT = 5
"""Items fetched when a request says "articles" without a number (the issue's sensible default)."""
_SCHEDULE_SLOTS = frozenset({"time", "schedule", "when", "day", "days", "frequency"})
_TOPIC_SLOTS = frozenset({"topic", "query", "keyword", "subject"})
_RECIPIENT_SLOTS = frozenset({"recipient", "to", "email"})
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_NUMBER = re.compile(r"\d+")
_NOTHING = re.compile(r"^[\W\d_]*$")
Language = Literal["ko", "en"]


@dataclass(frozen=True)
class TriggerPlan:
    """The trigger the workflow gets: kind plus what that kind needs."""

    kind: str
    cron: str | None = None
    timezone: str | None = None
    phrase: str = ""
    every_weeks: int = 1
    event_name: str | None = None
    path: str | None = None
    pattern: str | None = None
    event_filter: str | None = None


@dataclass(frozen=True)
class Requirements:
    """Everything the planner needs, read by rules from the request and the answers."""

    request: str
    text: str
    """The request with the answers' text, what the rules read."""
    language: Language
    trigger: TriggerPlan
    intents: tuple[StepIntent, ...]
    topic: str | None
    count: int | None
    emails: tuple[str, ...]
    urls: tuple[str, ...]
    """URLs to read (sources)."""
    url_input: bool = False
    """The run is given the URL to read ("takes a URL as input"): the input `url`."""
    post_urls: tuple[str, ...] = ()
    """URLs the result is POSTed to ("... 에 게시해줘", "post it to ..."): the last steps."""
    target_language: str | None = None
    """Translation target ("ko", "en", "ja", "zh") when the request names one."""
    length: Length | None = None
    """How long the written result should be ("세 줄로", "under 100 words"), when said."""
    domains: tuple[str, ...] = ()
    questions: tuple[Question, ...] = ()
    assumptions: tuple[str, ...] = ()
    answers: Mapping[str, str] = field(default_factory=dict)

    def has(self, step_type: StepType) -> bool:
        return any(i.type is step_type for i in self.intents)

    def of_type(self, step_type: StepType) -> list[StepIntent]:
        return [i for i in self.intents if i.type is step_type]

    def say(self, ko: str, en: str) -> str:
        return ko if self.language == "ko" else en


def understand(
    request: str,
    answers: Mapping[str, str],
    *,
    default_timezone: str,
    knowledge: KnowledgeService | None = None,
    detect_threshold: float = 0.35,
) -> Requirements:
    """Read `request` and `answers` by rules; questions for what is missing."""
    language: Language = "ko" if request_language(request) == "ko" else "en"
    text = "\n".join([request.strip(), *(v.strip() for v in answers.values() if v.strip())])
    schedule = _schedule(request, text, answers, default_timezone, language)
    trigger = detect_trigger(text, schedule)
    found = _with_counting(_not_steps(step_intents(text), text), text)
    intents = _without_length_words(sorted(found, key=lambda i: i.position), text)
    slots = extract_slots(text)
    questions = list(missing_what(text, list(intents), trigger, schedule))
    if schedule is not None and trigger.kind in ("cron", "manual"):
        # A webhook/file/event trigger starts the run: a time word inside it ('daily-report') asks nothing.
        questions.extend(q for q in schedule.questions if q not in questions)
    topic = _answered(answers, _TOPIC_SLOTS) or slots.topic_hint or said_topic(text)
    emails = tuple(_EMAIL.findall(_answered(answers, _RECIPIENT_SLOTS) or "")) or tuple(slots.emails)
    count = _count(answers) or slots.count
    questions = [q for q in questions if not _is_answered(q.slot, answers, topic)]
    posts = destination_urls(text)
    if not intents and _NOTHING.match(request.strip()) and not questions:
        questions.append(GOAL_QUESTION)
    return Requirements(
        request=request,
        text=text,
        language=language,
        trigger=_trigger_plan(trigger, schedule),
        intents=intents,
        topic=topic,
        count=count,
        emails=emails,
        urls=tuple(u for u in slots.urls if u not in posts),
        post_urls=tuple(posts),
        url_input=URL_INPUT.search(text) is not None,
        target_language=slots.target_language,
        length=slots.length,
        domains=_domains(knowledge, _EMAIL.sub(" ", text), detect_threshold),  # "mom@naver.com": no Naver
        questions=tuple(questions),
        assumptions=tuple(schedule.assumptions) if schedule else (),
        answers=dict(answers),
    )


GOAL_QUESTION = Question(
    "goal",
    "어떤 일을 자동으로 하고 싶으세요? 무엇을 가져와서(또는 만들어서) 어디로 보낼지 알려 주세요.",
    "What should be done automatically? Say what to fetch (or write) and where to send it.",
)


def with_assumption(req: Requirements, text: str) -> Requirements:
    """`req` with one more stated assumption (kept once)."""
    return req if text in req.assumptions else replace(req, assumptions=(*req.assumptions, text))


# "정리하라고 알려줘", "카드값 나가는 날이라고": the words before 라고 are what the message says, not
# steps to run (a reminder to tidy up is no script). Only a word ending in the quoting ending counts.
_REPORTED = re.compile(r"[가-힣]*(?:라고|라는|라며)(?![가-힣])")
# Counting what came in ("몇 건인지 세서", "how many rows"): a computation, not a bare notification.
_COUNTING = re.compile(
    r"몇\s*(?:건|개|명|줄|행)\s*(?:인지|이나|있는지)|(?<![가-힣])세(?:어|서|어서)(?![가-힣])|개수|갯수|행\s*수|합산|총합"
    r"|\bhow\s+many\b|\bcount(?:s|ing)?\s+(?:the|of|how|all|rows|lines|orders|entries|items)\b|\btally\b",
    re.IGNORECASE,
)
_COMPUTING = frozenset({StepType.PYTHON_SCRIPT, StepType.DATA_TRANSFORM, StepType.LLM_CALL})


def _not_steps(intents: list[StepIntent], text: str) -> list[StepIntent]:
    """Intents said inside an e-mail address ("mom@naver.com" names no Naver search) or inside the
    words a reminder quotes ("일정 정리하라고 카톡 보내줘": tidy is what the person is told to do)."""
    spans = [m.span() for m in _EMAIL.finditer(text)] + [m.span() for m in _REPORTED.finditer(text)]

    def said_inside(intent: StepIntent) -> bool:
        return intent.type is not StepType.NOTIFICATION and any(a <= intent.position < b for a, b in spans)

    return [i for i in intents if not said_inside(i)]


def _with_counting(intents: list[StepIntent], text: str) -> list[StepIntent]:
    """A count of what the workflow gets ("주문 몇 건인지 세서") is a PYTHON_SCRIPT step when no other
    word already asks for one (the lexicon knows 계산/합계/건수, not every way to say "count")."""
    found = _COUNTING.search(text)
    if found is None or any(i.type in _COMPUTING for i in intents):
        return intents
    return [*intents, StepIntent(StepType.PYTHON_SCRIPT, "compute", found.group(0), found.start())]


def _without_length_words(intents: list[StepIntent], text: str) -> tuple[StepIntent, ...]:
    """A length said ("under 100 words", "3문장으로 요약") is no condition, and no writing step of its
    own when another step writes the result (it only says how long that one is)."""
    spans = length_spans(text)

    def inside(intent: StepIntent) -> bool:
        return any(start <= intent.position < end for start, end in spans)

    writes_else = any(i.type is StepType.LLM_CALL and not inside(i) for i in intents)
    return tuple(
        i
        for i in intents
        if not (inside(i) and (i.type is StepType.CONDITION or (i.type is StepType.LLM_CALL and writes_else)))
    )


def _schedule(
    request: str, text: str, answers: Mapping[str, str], zone: str, language: Language
) -> ScheduleParse | None:
    answered = _answered(answers, _SCHEDULE_SLOTS)
    if answered:
        parsed = parse_schedule_answer(request, answered, default_timezone=zone, language=language)
        if parsed is not None:
            return parsed
    return parse_schedule(text, default_timezone=zone, language=language)


def _trigger_plan(trigger: TriggerIntent, schedule: ScheduleParse | None) -> TriggerPlan:
    if trigger.kind == "cron" and schedule is not None:
        return TriggerPlan("cron", schedule.cron, schedule.timezone, schedule.phrase, schedule.every_weeks)
    return TriggerPlan(
        trigger.kind,
        event_name=trigger.event_name,
        path=trigger.path,
        pattern=trigger.pattern,
        event_filter=trigger.event_filter,
    )


_QUOTED = re.compile(r"['\"‘“「『]([^'\"’”」』\n]{1,30})['\"’”」』]")
_KO_TOPIC = re.compile(r"([가-힣A-Za-z0-9]{1,12})\s*(?:관련\s*)?(?:뉴스|기사|소식)")
_EN_TOPIC = re.compile(
    r"\bnews (?:on|about) (?:the )?([a-z][a-z0-9 -]{1,24}?)(?=\s+(?:and|to|at|every)\b|[,.]|$)", re.I
)
_NOT_TOPICS = frozenset(
    {"네이버", "오늘", "오늘의", "최신", "주요", "인기", "새", "최근", "관련", "the", "top", "매일", "아침",
     "저녁", "점심", "밤", "오전", "오후", "새벽", "주간", "월간", "일간", "매주", "매월", "평일", "주말",
     "하루", "이번", "이번주", "어제", "내일", "각종", "여러", "모든"}
)  # fmt: skip


def said_topic(text: str) -> str | None:
    """A topic the request names in quotes ('반도체'), before 뉴스/기사 ("경제 기사"), or after
    "news on/about": the grammar's own slot reader misses some of these."""
    for pattern in (_QUOTED, _KO_TOPIC, _EN_TOPIC):
        for found in pattern.finditer(text):
            topic = found.group(1).strip()
            ordinary = topic.lower() not in _NOT_TOPICS and not topic.startswith("http")
            if topic and ordinary and not topic.endswith("마다"):  # "아침마다": when, not what about
                return topic
    return None


_SEARCHED = re.compile(
    # words ending in a particle of means or place ("API로", "앱에서") are not part of what is searched
    r"(?<![가-힣A-Za-z0-9])((?:[가-힣A-Za-z0-9]+(?<![로에서])\s+){0,2}[가-힣A-Za-z0-9]+?)\s*(?:을|를)\s*(?:검색|찾아)"
    r"|\b(?:search(?:es)?|look)\s+(?:for\s+)?([a-z0-9][a-z0-9 ]{1,30}?)"
    r"(?=\s+(?:near|in|and|with|on|every)\b|[,.]|$)",
    re.IGNORECASE,
)


def said_search(text: str) -> str | None:
    """What a place or keyword search looks for ("역 근처 맛집을 검색해서", "search for cafes near ...")."""
    found = _SEARCHED.search(text)
    return (found.group(1) or found.group(2)).strip() if found else None


def _answered(answers: Mapping[str, str], slots: frozenset[str]) -> str | None:
    for slot, value in answers.items():
        if slot.lower() in slots and value.strip():
            return value.strip()
    return None


def _count(answers: Mapping[str, str]) -> int | None:
    value = _answered(answers, frozenset({"count", "number"}))
    found = _NUMBER.search(value or "")
    return int(found.group(0)) if found else None


def _is_answered(slot: str, answers: Mapping[str, str], topic: str | None) -> bool:
    if slot in answers and answers[slot].strip():
        return True
    return slot in _TOPIC_SLOTS and bool(topic)


def _domains(knowledge: KnowledgeService | None, text: str, threshold: float) -> tuple[str, ...]:
    """Detected knowledge domains; none when the knowledge base is not available (it is optional)."""
    if knowledge is None:
        return ()
    try:
        matches = knowledge.detect_domains(text)
    except (KnowledgeError, OSError):  # a missing embedding model must not stop authoring
        return ()
    return tuple(m.domain for m in matches if m.confidence >= threshold)

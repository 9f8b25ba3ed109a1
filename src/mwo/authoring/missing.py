"""Which *whats* a request leaves out, as questions tied to slots: ask, never guess.

Asked (a workflow built without them would be a different workflow):
- `goal`: nothing to do was recognised at all (empty or nonsense request);
- `topic`: news/blog/search with no topic;
- `source`: summarising, translating, filtering ... with nothing to work on (no API, URL, webhook,
  file or event input);
- `channel`: "보내줘"/"알려줘" with no channel;
- `schedule`: no trigger at all (no time, no event, not "수동으로"/"on demand");
- `criterion`: "만약"/"if"/"조건" with nothing to compare;
- `path` / `event`: a file or event trigger with no folder or event name.
Nothing about the source, topic or schedule is asked when the request gives its input at run time
("검색어를 입력하면", "when I paste a text": a manual trigger with inputs).
Not asked (the planner assumes them and says so): the mail recipient (the configured default), the
number of items (5), the weather location, the time when only days are missing (the schedule's own
`time` question covers it: `ScheduleParse.questions`, not repeated here).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from types import MappingProxyType
from typing import Final

from mwo.authoring.destinations import destination_urls
from mwo.authoring.intents import Question, ScheduleParse, StepIntent, TriggerIntent
from mwo.authoring.lexicon_words import INPUT_WORDS, MANUAL_WORDS
from mwo.authoring.slots import extract_slots
from mwo.spec.steps import StepType

QUESTIONS: Final = MappingProxyType(
    {
        "goal": ("무엇을 자동화할까요? 할 일과 언제 실행할지 알려 주세요.",
                 "What should be automated? Say what to do and when it runs."),
        "topic": ("어떤 주제(검색어)의 뉴스나 글을 가져올까요?",
                  "Which topic (search words) should it fetch?"),
        "source": ("무엇을 처리할까요? 가져올 곳(뉴스, 날씨, URL, 파일 등)을 알려 주세요.",
                   "What should it work on? Name the source (news, weather, a URL, a file ...)."),
        "channel": ("어디로 보낼까요? (메일, 슬랙, 디스코드, 카카오톡, 앱 알림)",
                    "Where should it send the result? (email, Slack, Discord, KakaoTalk, in-app inbox)"),
        "schedule": ("언제 실행할까요? (예: 매일 오전 9시, 또는 필요할 때 수동으로)",
                     "When should it run? (e.g. every day at 9:00, or by hand when needed)"),
        "criterion": ("어떤 조건일 때 진행할까요? (예: 기온이 30도 이상이면)",
                      "Under which condition should it go on? (e.g. if the temperature is above 30)"),
        "path": ("어느 폴더를 지켜볼까요? 전체 경로로 알려 주세요. (예: ~/inbox)",
                 "Which folder should it watch? Give the full path (e.g. ~/inbox)."),
        "event": ("어떤 이벤트가 오면 실행할까요? (예: invoice.received)",
                  "Which event should start it? (e.g. invoice.received)"),
    }
)  # fmt: skip

_NEEDS_INPUT = frozenset({"summarize", "translate", "classify", "sentiment", "analyze", "extract"})
_BARE_CONDITION = re.compile(
    r"^(?:만약|만일|조건|경우|경우에만|때만|if|only when|only if|unless|in case)$", re.IGNORECASE
)
_SEARCH_PROVIDERS = frozenset({"naver"})
# Criteria that name no measure or value: "조건이 맞으면", "기준을 넘으면", "above the limit".
_VAGUE_CRITERION = re.compile(
    r"^(?:조건|기준|한도|임계값?|설정값)?\s*(?:이|가|을|를|에)?\s*"
    r"(?:맞으면|만족하면|충족하면|해당하면|되면|넘으면|넘는|초과하면|이상이면|이하이면|미만이면)$"
    r"|^(?:above|below|over|under|exceeds?|greater\s+than|less\s+than|more\s+than|at\s+least|at\s+most)\s+"
    r"(?:the|a|my|our|its|it|that|this|limit|threshold|target|value)$",
    re.IGNORECASE,
)


def _ask(slot: str) -> Question:
    ko, en = QUESTIONS[slot]
    return Question(slot, ko, en)


def _needs_source(intents: Sequence[StepIntent], trigger: TriggerIntent) -> bool:
    if trigger.kind in ("webhook", "file", "event"):
        return False
    if any(i.type is StepType.API_CALL for i in intents):
        return False
    return any(
        i.role in _NEEDS_INPUT or i.type in (StepType.DATA_TRANSFORM, StepType.PYTHON_SCRIPT) for i in intents
    )


def _needs_channel(intents: Sequence[StepIntent]) -> bool:
    notes = [i for i in intents if i.type is StepType.NOTIFICATION]
    return bool(notes) and all(i.channel is None for i in notes)


def _needs_criterion(intents: Sequence[StepIntent], criterion: str | None) -> bool:
    conditions = [i for i in intents if i.type is StepType.CONDITION]
    bare = all(_BARE_CONDITION.match(i.evidence.strip()) for i in conditions)
    vague = criterion is None or _VAGUE_CRITERION.match(criterion.strip()) is not None
    return bool(conditions) and vague and (bare or criterion is not None)


def _trigger_questions(trigger: TriggerIntent, schedule: ScheduleParse | None, text: str) -> list[Question]:
    if trigger.kind == "file" and trigger.path is None:
        return [_ask("path")]
    if trigger.kind == "event" and not trigger.event_name:
        return [_ask("event")]
    if trigger.kind == "manual" and schedule is None and MANUAL_WORDS.search(text) is None:
        return [_ask("schedule")]
    return []


def missing_what(
    text: str, intents: Sequence[StepIntent], trigger: TriggerIntent, schedule: ScheduleParse | None
) -> list[Question]:
    """The questions to ask before planning (see the module rules), in slot order of the plan."""
    if not intents and trigger.kind == "manual" and schedule is None:
        return [_ask("goal")]
    slots = extract_slots(text)
    questions = _trigger_questions(trigger, schedule, text)
    given = INPUT_WORDS.search(text) is not None  # "검색어를 입력하면": the input is the source and topic
    searches = [i for i in intents if i.provider in _SEARCH_PROVIDERS]
    if searches and slots.topic_hint is None and not given:
        questions.append(_ask("topic"))
    if _needs_source(intents, trigger) and not given:
        questions.append(_ask("source"))
    if _needs_criterion(intents, slots.criterion):
        questions.append(_ask("criterion"))
    if _needs_channel(intents) and not destination_urls(text):  # "… 에 게시해줘": the URL is where it goes
        questions.append(_ask("channel"))
    return questions

"""Which *whats* a request leaves out, as questions tied to slots: ask, never guess.

Asked (a workflow built without them would be a different workflow):
- `goal`: nothing to do was recognised at all (empty or nonsense request);
- `topic`: news/blog/search with no topic;
- `source`: summarising, translating, filtering ... with nothing to work on (no API, URL, webhook,
  file or event input);
- `channel`: "보내줘"/"알려줘" with no channel;
- `schedule`: no trigger at all (no time, no event, not "수동으로"/"on demand");
- `criterion`: "만약"/"if"/"조건" with nothing to compare (and `source` with it when no source is named:
  "when it goes above the limit" says neither the limit nor what "it" is);
- `path` / `event`: a file or event trigger with no folder or event name;
- `topic` (content): a message whose content no rule explains and the request does not name
  ("매일 알림 보내줘", "send something useful to Slack"), or names only as something to fetch with no
  topic ("매주 보고서 만들어서 보내줘", "send me the news"): `content_question`. This never waits for the
  model's content kind: only a request that names what to write ("오늘의 명언", "a short poem") lets
  the model choose to generate it.
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
from mwo.authoring.lexicon_words import CHANNEL_WORDS, INPUT_WORDS, MANUAL_WORDS, SEND_WORDS, VAGUE_CHANGE
from mwo.authoring.slots import extract_slots
from mwo.spec.steps import StepType

QUESTIONS: Final = MappingProxyType(
    {
        "goal": ("무엇을 자동화할까요? 할 일과 언제 실행할지 알려 주세요.",
                 "What should be automated? Say what to do and when it runs."),
        "topic": ("어떤 주제(검색어)의 뉴스나 글을 가져올까요? (예: 경제, 인공지능)",
                  "What topic should the news or posts be about? (search words, e.g. economy, AI)"),
        "source": ("무엇을 처리할까요? 내용을 가져올 곳을 알려 주세요. (예: 네이버 뉴스, 날씨, 웹 주소 https://...)",
                   "What should it work on? Say where the content comes from (e.g. Naver News, the "
                   "weather, a web address https://...)."),
        "channel": ("어디로 보낼까요? (메일, 슬랙, 디스코드, 카카오톡, MWO 받은편지함)",
                    "Where should it send the result? (email, Slack, Discord, KakaoTalk, the MWO inbox)"),
        "schedule": ("언제 실행할까요? (예: 매일 오전 9시, 또는 필요할 때 수동으로)",
                     "When should it run? (e.g. every day at 9:00, or by hand when needed)"),
        "criterion": ("어떤 조건일 때 진행할까요? 기준을 알려 주세요. (예: 기온이 30도 이상일 때)",
                      "Under which condition should it go on? (e.g. when the temperature is above 30 °C)"),
        "path": ("어느 폴더를 지켜볼까요? 전체 경로로 알려 주세요. (예: ~/inbox)",
                 "Which folder should it watch? Give the full path (e.g. ~/inbox)."),
        "event": ("어떤 이벤트가 오면 실행할까요? (예: invoice.received)",
                  "Which event should start it? (e.g. invoice.received)"),
        "content": ("무엇을 보낼까요? 보낼 내용을 알려 주세요. "
                    "(예: 경제 뉴스 요약, 서울 날씨, 오늘의 명언, '물 마실 시간이에요' 같은 알림 문구)",
                    "What should it send? Say what the message is about (e.g. a summary of economy news, "
                    "the Seoul weather, a quote of the day, or a fixed reminder text)."),
        "subject": ("무엇에 대한 내용인가요? 주제나 가져올 곳을 알려 주세요. "
                    "(예: 반도체 뉴스, 비트코인 가격, 보고서가 있는 웹 주소 https://...)",
                    "What should it be about? Say the topic or where it comes from (e.g. chip industry "
                    "news, the bitcoin price, the web address of a report https://...)."),
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


def _ask(slot: str, asked_as: str | None = None) -> Question:
    ko, en = QUESTIONS[slot]
    return Question(asked_as or slot, ko, en)


def _needs_source(intents: Sequence[StepIntent], trigger: TriggerIntent) -> bool:
    if trigger.kind in ("webhook", "file", "event"):
        return False
    if any(i.type is StepType.API_CALL for i in intents):
        return False
    return any(
        i.role in _NEEDS_INPUT or i.type in (StepType.DATA_TRANSFORM, StepType.PYTHON_SCRIPT) for i in intents
    )


def _brings_data(intents: Sequence[StepIntent], trigger: TriggerIntent) -> bool:
    return trigger.kind in ("webhook", "file", "event") or any(i.type is StepType.API_CALL for i in intents)


def _writes_unnamed(intents: Sequence[StepIntent], trigger: TriggerIntent) -> bool:
    """A writing step with nothing to work on: what it writes must be named (see `content_question`)."""
    writes = any(i.type is StepType.LLM_CALL and i.role == "write" for i in intents)
    return writes and not _brings_data(intents, trigger)


def _needs_channel(intents: Sequence[StepIntent]) -> bool:
    notes = [i for i in intents if i.type is StepType.NOTIFICATION]
    return bool(notes) and all(i.channel is None for i in notes)


_MAKES = frozenset({StepType.API_CALL, StepType.LLM_CALL, StepType.DATA_TRANSFORM})
_TO_READ = frozenset({"naver", "kma"})


def _delivers_nowhere(intents: Sequence[StepIntent], trigger: TriggerIntent) -> bool:
    """A scheduled job that only fetches something to read (news, posts, the weather: "아침마다 뉴스")
    and sends it nowhere: nobody would read it, so where it goes is as missing as a notification's
    channel. A check or a job that works on its own (a site probe, an API call) keeps the inbox."""
    return (
        trigger.kind == "cron"
        and any(i.provider in _TO_READ for i in intents)
        and all(i.type in _MAKES for i in intents)
        and not any(i.type is StepType.NOTIFICATION for i in intents)
    )


# A condition that names a judgement, not a measure: "날씨가 나쁘면", "뭔가 이상하면", "if it looks off".
# What counts as bad or odd is the criterion, and only the person can say it.
_VAGUE_QUALITY = re.compile(
    r"(?:안\s*좋|나쁘|이상하|수상하|심하|위험하|별로(?:이)?|애매하)(?:으)?면$"
    r"|\bif\s+(?:it|things|that|this|anything|something)?\s*(?:is|are|looks?|seems?|gets?|goes)?\s*"
    r"(?:bad|worse|off|weird|odd|strange|wrong|fishy|unusual)\b",
    re.IGNORECASE,
)


def _needs_criterion(intents: Sequence[StepIntent], criterion: str | None) -> bool:
    conditions = [i for i in intents if i.type is StepType.CONDITION]
    if any(VAGUE_CHANGE.fullmatch(i.evidence.strip()) for i in conditions):
        return True  # "환율이 많이 오르면": how much is the criterion
    if any(_VAGUE_QUALITY.search(i.evidence.strip()) for i in conditions):
        return True  # "나쁘면": what counts as bad is the criterion
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
    if not intents:  # "매일 9시에 돌려줘": when is said, what to do is not
        questions.insert(0, _ask("goal"))
    given = INPUT_WORDS.search(text) is not None  # "검색어를 입력하면": the input is the source and topic
    searches = [i for i in intents if i.provider in _SEARCH_PROVIDERS]
    if searches and slots.topic_hint is None and not given:
        questions.append(_ask("topic"))
    if _needs_source(intents, trigger) and not given:
        questions.append(_ask("source"))
    if _writes_unnamed(intents, trigger) and not given:  # "보고서 만들어서 보내줘": write what?
        unsaid = content_question(text, schedule.phrase if schedule else "", slots.topic_hint)
        if unsaid is not None and not any(q.slot == unsaid.slot for q in questions):
            questions.append(unsaid)
    if _needs_criterion(intents, slots.criterion):
        questions.append(_ask("criterion"))
        asked_source = any(q.slot == "source" for q in questions)
        if not given and not _brings_data(intents, trigger) and not asked_source:
            # "when it goes above the limit": what "it" is is unknown too (never guessed from a domain)
            questions.append(_ask("source"))
    if (_needs_channel(intents) or _delivers_nowhere(intents, trigger)) and not destination_urls(text):
        questions.append(_ask("channel"))  # "… 에 게시해줘": the URL is where it goes
    return questions


# --- what a message carries -------------------------------------------------------------------

# Things a workflow fetches or summarises: named without a topic, the *what* is still missing, and
# the model must not make them up ("보고서 만들어서 보내줘" is not a request to invent a report).
_FETCHED = re.compile(
    r"뉴스|기사|소식|보고서|^보고$|리포트|레포트|자료|정보|데이터|현황|동향|업데이트|브리핑|요약|다이제스트|헤드라인"
    r"|가격|시세|환율|주가|통계|지표|수치|실적|매출|언급|얘기|게시물|댓글|후기|리뷰"
    r"|^(?:news|articles?|reports?|summar(?:y|ies)|digests?|updates?|data|info|information|headlines?"
    r"|stories|story|briefings?|feeds?|posts|prices?|rates?|stats|statistics|metrics|figures|numbers"
    r"|sales|mentions|comments|reviews|results)$",
    re.IGNORECASE,
)
# Words that name no content: the frame of the request (when, to whom, how to send) and fillers.
# Stems of two or more syllables match the start of a word (particles and endings attach); single
# syllables and particles must be the whole word, with at most a particle ("나에게", "팀에").
_PARTICLE = r"(?:에게|한테|께|에서|에는|에|을|를|은|는|이|가|의|도|만|으로|로|과|와|마다|서|및)?"
_FRAME_KO = re.compile(
    r"^(?:보내|알려|알림|만들|작성|생성|전송|발송|올려|올리|넣어|공유|전달|전해|부탁|해줘|해주|해서|주세요|주고|써줘|써서"
    r"|써주|그냥|매일|매주|매월|매달|매년|매시|매번|날마다|아침|저녁|점심|오전|오후|새벽|오늘|내일|이번|평일"
    r"|주말|하루|[월화수목금토일]요일|우리|모두|전체|하나|뭔가|무언가|아무|그거|이거|저거|메시지|메세지|알람"
    r"|공지|안내|내용|유용|좋은|재미|재밌|필요|중요|최신|최근|주요|새로운|각종|관련|정각|마다|주간|월간|일간|자동)"
    r"|^(?:나|내|저|제|팀|한|두|세|네|개|번|것|거|게|뭐|뭘|새|밤|해|줘|써|쓰|좀|시|분|초|일|월|년|주|반|시간)"
    rf"{_PARTICLE}$"
    rf"|^{_PARTICLE}$"
)
_FRAME_EN = frozenset(
    """a an the some any me my us our team everyone it them this that these those to for of on in at by
    and or with from every each daily weekly monthly hourly day days morning mornings evening night noon
    week month year today today's tomorrow s please just send post share deliver give make create write
    generate put drop mail email message messages notification notifications alert alerts note notice
    content something anything stuff thing things useful interesting good nice cool important new latest
    recent quick short little bit one two three am pm o'clock clock weekday weekdays weekend weekends
    monday tuesday wednesday thursday friday saturday sunday""".split()  # noqa: SIM905 (a word list)
)
_GREETING = re.compile(
    r"\bgood\s+(?:morning|night|evening|luck)\b|\bhappy\s+(?:birthday|monday|friday|new\s+year|holidays)\b",
    re.IGNORECASE,
)
_WORDS = re.compile(r"[가-힣]+|[A-Za-z]+(?:'[A-Za-z]+)?|\d+")


def content_question(request: str, schedule_phrase: str, topic: str | None) -> Question | None:
    """The question to ask when a message's content is not said (see the module rules), before and
    whatever the model would answer: None when the request names something to write or to fetch
    with its topic, so the model may choose how the content is made."""
    if _GREETING.search(request):  # "a good morning message": the greeting is the content
        return None
    text = request
    for word in schedule_phrase.split():
        text = text.replace(word, " ", 1)
    for pattern in (*(w.pattern for w in CHANNEL_WORDS), *(w.pattern for w in SEND_WORDS)):
        text = pattern.sub(" ", text)
    named = [w for w in _WORDS.findall(text) if not _frame(w)]
    fetched = [w for w in named if _FETCHED.search(w)]
    if len(fetched) == len(named) and not topic:
        return _ask("subject", "topic") if fetched else _ask("content", "topic")
    return None


def names_fetched(request: str) -> bool:
    """True when the request names something to fetch or summarise (news, a report, 소식 ...): its
    content is never made up by the model."""
    return any(_FETCHED.search(w) for w in _WORDS.findall(request))


# "학생들한테", "고객에게": who gets it, never what it says.
_TO_WHOM = re.compile(r"[가-힣]+(?:에게|한테|께)$")


def _frame(word: str) -> bool:
    if word.isdigit():
        return True
    if re.match(r"[가-힣]", word):
        return _FRAME_KO.match(word) is not None or _TO_WHOM.match(word) is not None
    return word.lower() in _FRAME_EN

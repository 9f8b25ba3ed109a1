"""The plan: the ordered list of steps a request needs, from the rules' intents first.

Sources come first (a named provider, a URL, or what the trigger brings), processing in the order
the request says it, an approval just before the first message, messages last. The model is asked
only when no rule explains where the content comes from (a tiny enum: generate, fetch, compute,
none); everything else here is rules.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from mwo.authoring.intents import Question, StepIntent
from mwo.authoring.missing import QUESTIONS, content_question, names_fetched
from mwo.authoring.model_slots import ModelSlots
from mwo.authoring.places import Place, find_place, unknown_place
from mwo.authoring.requirements import Requirements
from mwo.spec import Channel, StepType

_BLOG = re.compile(r"블로그|\bblogs?\b", re.IGNORECASE)
_NEWS = re.compile(r"뉴스|기사|헤드라인|\bnews\b|\barticles?\b|\bheadlines?\b", re.IGNORECASE)
_WEATHER = re.compile(r"날씨|기온|예보|강수|우산|\bweather\b|\bforecast\b|\btemperature\b", re.IGNORECASE)
_RAIN = re.compile(
    r"비\s*(?:가|이|올|오|소식)|우산|강수|눈\s*(?:이|올|오)|\brain|\bumbrella|\bsnow", re.IGNORECASE
)
_DOWN = re.compile(
    r"다운|장애|죽으면|안\s*되면|응답(?:이)?\s*없|에러|오류|실패|\bdown\b|\bfails?\b|\berrors?\b|\boutage\b"
    r"|안\s*열리|열리지\s*않|접속(?:이)?\s*안|\bunreachable\b|\bdoes\s*n[o']t\s+(?:load|open)\b"
    r"|\d{3}\s*(?:이|가)?\s*아니|상태\s*코드|\bnot\s+(?:return\s+)?\d{3}\b|\bstatus(?:\s+code)?\b",
    re.IGNORECASE,
)
_URL_TEXT = re.compile(r"https?://\S+")  # "?status=open" in a URL says nothing about a health check
_REMINDER = re.compile(
    r"리마인드|상기|잊지|라고.{0,15}?(?:알려|말해|보내|전해|줘|주세요)|\bremind"
    # "a message every day at 12:30 to take my vitamins": what the person is told to do
    r"|\b(?:msg|message|text|note|ping|alert|notification|e-?mail)\b[^.!?\n]{0,50}?\bto\s+"
    r"(?!(?:me|us|you|him|her|them|my|our|the|a|an|everyone|slack|discord|kakao\w*|e-?mail|mail|inbox|"
    r"channel|team|every|each|at|on|in)\b)[a-z]{2,}\s+(?!(?:every|each|at|on|in|daily)\b)[a-z]",
    re.IGNORECASE,
)
# What a language model writes by itself, named as a kind of text ("오늘의 명언", "a motivational quote").
_WRITTEN = re.compile(
    r"명언|격언|속담|덕담|농담|유머|수수께끼|응원\s*(?:메시지|문구|한마디)|동기\s*부여|좋은\s*글귀|글귀|오늘의\s*한마디"
    r"|영어\s*표현|영단어|\bquotes?\b|\bpoems?\b|\bhaikus?\b|\bjokes?\b|\briddles?\b|\bproverbs?\b"
    r"|\baffirmations?\b|\bfun\s+facts?\b|\bword\s+of\s+the\s+day\b|\bpep\s+talk\b|\bmotivational\b",
    re.IGNORECASE,
)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_INPUT_DATA = re.compile(r"입력(?:으로|받은|한)|붙여\s*넣|\binputs?\b|\bgiven\b|\bpasted\b", re.IGNORECASE)
_LLM_ROLES = {"summarize", "translate", "classify", "extract", "rewrite", "generate", "analyze", "judge"}


@dataclass(frozen=True)
class PlannedStep:
    """One step to build: its type and the role that decides how it is built."""

    id: str
    type: StepType
    role: str
    provider: str | None = None
    channel: Channel | None = None
    evidence: str = ""
    place: Place | None = None
    """Where a forecast is for (KMA): a place of the table the request names."""


@dataclass
class Plan:
    steps: list[PlannedStep] = field(default_factory=list)
    assumptions: list[str] = field(default_factory=list)
    questions: list[Question] = field(default_factory=list)
    message: str | None = None
    """A fixed message the request states ('이번 주도 수고했어요!', "팀 회의 알림"): the body of a
    reminder that fetches and writes nothing."""

    def add(self, step_type: StepType, role: str, base_id: str, **extra: object) -> PlannedStep:
        taken = {s.id for s in self.steps}
        step_id, n = base_id, 2
        while step_id in taken:
            step_id, n = f"{base_id}_{n}", n + 1
        step = PlannedStep(step_id, step_type, role, **extra)  # type: ignore[arg-type]
        self.steps.append(step)
        return step


SOURCE_QUESTION = Question(
    "source",
    "어디에서 내용을 가져올까요? (예: 네이버 뉴스, 기상청 날씨, 웹 주소 https://...)",
    "Where should the content come from? (e.g. Naver News, the KMA weather forecast, a URL https://...)",
)
CONTENT_QUESTION = Question("topic", *QUESTIONS["content"])
TOPIC_QUESTION = Question(
    "topic", "어떤 주제(검색어)로 찾을까요?", "Which topic (search words) should it look for?"
)


def _place_question(name: str) -> Question:
    """A weather place the grid table does not hold: asked, not silently replaced by Seoul."""
    return Question(
        "place",
        f"'{name}'의 기상청 격자를 모릅니다. 어느 시·군·구의 날씨인가요? (예: 부산, 대전 유성구, 수원)",
        f"The KMA grid of '{name}' is not known here. Which Korean city or district? "
        "(e.g. Busan, Daejeon Yuseong-gu, Suwon)",
    )


Examples = Callable[[], list[tuple[str, str]]]
"""The nearest worked examples as (request, content kind), fetched only when the model is asked."""


def plan_steps(req: Requirements, model: ModelSlots | None, examples: Examples | None = None) -> Plan:
    """The steps of the workflow in order; questions when a source cannot be chosen."""
    plan = Plan()
    provider = _source_provider(req, plan)
    if provider is None and not _trigger_brings_data(req) and not _processing(req):
        provider = _content_from_model(req, model, plan, examples)
    if provider is None and req.has(StepType.CONDITION) and not _trigger_brings_data(req):
        plan.questions.append(SOURCE_QUESTION)  # a condition on what? ("가격이 오르면")
    if provider:
        _add_source(req, plan, provider)
    for intent in req.intents:
        _add_processing(req, plan, intent, provider)
    _add_outputs(req, plan)
    return plan


def _source_provider(req: Requirements, plan: Plan) -> str | None:
    """naver_news | naver_blog | kma | http | generate | None, from intents, domains and words."""
    # Papago translates what the workflow has: a processing step, never where the content comes from.
    wanted = [i.provider for i in req.of_type(StepType.API_CALL) if i.provider != "papago"]
    if "kakao" in wanted and not ("naver" in wanted and _BLOG.search(req.text)):
        return "kakao_local"  # places ("맛집"), unless blog posts are what is asked ("맛집 블로그 글")
    # A detected domain is a source only when nothing else brings the content (papago is naver too).
    # A request that writes ("블로그 글 초안을 작성") names the domain of its output, not a source.
    writes = any(i.role == "write" for i in req.intents)
    by_domain = not wanted and not writes and not _trigger_brings_data(req) and not _papago(req)
    # A domain found by likeness alone is no source when the request's words name nothing to send
    # ("send me something useful every morning" is near the weather, and still says nothing).
    by_domain = by_domain and content_question(req.request, req.trigger.phrase, req.topic) is None
    if "naver" in wanted or ("naver" in req.domains and by_domain):
        return "naver_blog" if _BLOG.search(req.text) else "naver_news"
    if "kma" in wanted or ("kma" in req.domains and by_domain):
        return "kma"
    if req.urls and ("http" in wanted or None in wanted or not wanted):
        return "http"
    if req.url_input and not req.urls:
        return "http_input"  # "takes a URL as input": the run is given the page to read
    if wanted and not (set(wanted) <= {"kakao"}):
        if _NEWS.search(req.text):
            return _assume(
                plan,
                req,
                "naver_news",
                "뉴스는 네이버 뉴스 검색 API에서 가져옵니다",
                "news comes from the Naver News search API",
            )
        plan.questions.append(SOURCE_QUESTION)
        return None
    # Processing with no topic works on what the trigger brings ("news-crawl 워크플로가 끝나면 요약"),
    # not on news fetched besides.
    if _NEWS.search(req.text) and (req.topic or (_processing(req) and not _trigger_brings_data(req))):
        return _assume(
            plan,
            req,
            "naver_news",
            "뉴스는 네이버 뉴스 검색 API에서 가져옵니다",
            "news comes from the Naver News search API",
        )
    if _WEATHER.search(req.text):
        return _assume(
            plan,
            req,
            "kma",
            "날씨는 기상청 단기예보에서 가져옵니다",
            "the weather comes from the KMA short-term forecast",
        )
    return None


def _assume(plan: Plan, req: Requirements, provider: str, ko: str, en: str) -> str:
    plan.assumptions.append(req.say(ko, en))
    return provider


def _processing(req: Requirements) -> bool:
    kinds = {StepType.LLM_CALL, StepType.PYTHON_SCRIPT, StepType.DATA_TRANSFORM, StepType.CONDITION}
    return any(i.type in kinds for i in req.intents)


def _has_script(plan: Plan) -> bool:
    return any(s.type is StepType.PYTHON_SCRIPT for s in plan.steps)


def _papago(req: Requirements) -> bool:
    return any(i.provider == "papago" for i in req.intents)


def _trigger_brings_data(req: Requirements) -> bool:
    return req.trigger.kind in ("webhook", "event", "file") or bool(_INPUT_DATA.search(req.text))


def _content_from_model(
    req: Requirements, model: ModelSlots | None, plan: Plan, examples: Examples | None
) -> str | None:
    """Nothing says where the message comes from: a stated message or a reminder says itself;
    otherwise the model picks, and a bare "send a notice" is asked about."""
    if not req.has(StepType.NOTIFICATION):
        return None
    # Asked whatever the model would say (it must not make up the *what*), and before a message is
    # read from the request's own words ("send a message" names none); a quoted message is one.
    # Once the person answered what to send, that answer is the content, not the request's words.
    answered = _content_answers(req)
    unsaid = (
        None if _QUOTED.search(req.request) else content_question(req.request, req.trigger.phrase, req.topic)
    )
    if unsaid is not None:
        plan.questions.append(unsaid)
        return None
    plan.message = None if answered else stated_message(req.request, req.trigger.phrase)
    # An address says who gets it, never what: "…하라고 acct@shop.kr 에 메일 보내줘" is a reminder.
    if plan.message or (not answered and _REMINDER.search(_EMAIL.sub(" ", req.text))):
        return None
    if names_fetched(req.text):  # "반도체 동향", "가격이 오르면": fetched, never written by the model
        plan.questions.append(SOURCE_QUESTION)
        return None
    kind = (
        model.content_kind(examples() if examples else None, answers=_content_answers(req))
        if model is not None
        else None
    )
    if kind == "generate":
        return "generate"
    if kind == "compute":
        return "compute"
    if kind == "none" and answered:  # nothing to make: the answer is the message ("물 마실 시간이에요")
        plan.message = answered
        return None
    if kind is None and (answered or _WRITTEN.search(req.text)):
        # The person said what to send ("오늘의 명언", "a motivational quote"); with no answer from the
        # model about how to make it, the model writes it.
        plan.assumptions.append(
            req.say("보낼 내용은 언어 모델이 씁니다", "the language model writes the content")
        )
        return "generate"
    plan.questions.append(SOURCE_QUESTION if kind == "fetch" else CONTENT_QUESTION)
    return None


def _content_answers(req: Requirements) -> str:
    """What the person answered about the content (the `topic` question), for the model's prompt."""
    return " ".join(v.strip() for k, v in req.answers.items() if k in ("topic", "content") and v.strip())


_QUOTED = re.compile(r"['\"‘“「『]([^'\"’”」』\n]{2,80})['\"’”」』]")
_NOTICE = re.compile(
    r"^(.{2,40}?)\s*(?:알림|메시지|공지|리마인더|안내)|^(.{2,40}?)\s+(?:reminder|notice|message)\b", re.I
)
_EN_NOTICE = re.compile(
    r"\b(?:send|post)\s+(?:me\s+)?(?:a|an|the)?\s*(.{2,40}?)\s+(reminder|notice|message)\b", re.I
)
_GENERIC = re.compile(r"^(?:매일|오늘|뭔가|무언가|something|a|an|the|some|useful|me|\s)*$", re.I)


def stated_message(request: str, schedule_phrase: str) -> str | None:
    """The message a request spells out: a quote, or the words before 알림/메시지/reminder."""
    from mwo.authoring.step_builders import content_phrase

    quoted = _QUOTED.search(request)
    if quoted:
        return quoted.group(1).strip()
    english = _EN_NOTICE.search(request)
    if english and not _GENERIC.match(english.group(1)):
        return f"{english.group(1)} {english.group(2)}"
    found = _NOTICE.search(content_phrase(request, schedule_phrase))
    if found:
        words = (found.group(1) or found.group(2) or "").strip()
        if words and not _GENERIC.match(words):
            return found.group(0).strip()
    return None


def _add_source(req: Requirements, plan: Plan, provider: str) -> None:
    if provider in ("naver_news", "naver_blog"):
        if not req.topic:
            plan.questions.append(TOPIC_QUESTION)
        plan.add(StepType.API_CALL, "fetch", "fetch", provider=provider)
        plan.add(StepType.DATA_TRANSFORM, "format", "articles" if provider == "naver_news" else "posts")
    elif provider == "kakao_local":
        plan.add(StepType.API_CALL, "fetch", "places", provider="kakao_local")
        plan.add(StepType.DATA_TRANSFORM, "format", "places")
    elif provider == "kma":
        place = find_place(req.text)
        unknown = unknown_place(req.text) if place is None else None
        if unknown is not None and not req.answers.get("place", "").strip():
            plan.questions.append(_place_question(unknown))
        plan.add(StepType.API_CALL, "fetch", "forecast", provider="kma", place=place)
        if req.has(StepType.CONDITION) and _RAIN.search(req.text):
            plan.add(StepType.DATA_TRANSFORM, "rain_chance", "rain_chance")
        else:
            plan.add(StepType.DATA_TRANSFORM, "weather", "weather")
    elif provider == "http_input":
        plan.add(StepType.API_CALL, "fetch", "fetch", provider="http_input")
    elif provider == "http":
        down = req.has(StepType.CONDITION) and _DOWN.search(_URL_TEXT.sub(" ", req.text)) is not None
        plan.add(
            StepType.API_CALL, "probe" if down else "fetch", "probe" if down else "fetch", provider="http"
        )
    elif provider == "generate":
        plan.add(StepType.LLM_CALL, "generate", "write")
    elif provider == "compute":
        plan.add(StepType.PYTHON_SCRIPT, "compute", "compute")


def _add_processing(req: Requirements, plan: Plan, intent: StepIntent, provider: str | None) -> None:
    if intent.type is StepType.LLM_CALL and intent.role == "translate" and _papago(req):
        if not any(s.provider == "papago" for s in plan.steps):  # "파파고로 번역": the API translates
            plan.add(StepType.API_CALL, "translate", "translate", provider="papago", evidence=intent.evidence)
    elif intent.type is StepType.LLM_CALL:
        role = intent.role if intent.role in _LLM_ROLES else "summarize"
        if intent.role == "write" and provider is None and not _trigger_brings_data(req):
            role = "generate"  # nothing to work on: the model writes it ("블로그 글 초안을 작성")
        if not any(s.role == role for s in plan.steps):
            plan.add(StepType.LLM_CALL, role, role, evidence=intent.evidence)
    elif intent.type is StepType.API_CALL and intent.provider == "papago" and not req.has(StepType.LLM_CALL):
        plan.add(StepType.API_CALL, "translate", "translate", provider="papago", evidence=intent.evidence)
    elif intent.type is StepType.PYTHON_SCRIPT and not _has_script(plan):
        # One script does all the computing said ("parse the xlsx with a Python script"): not one per word.
        plan.add(StepType.PYTHON_SCRIPT, "script", "compute", evidence=intent.evidence)
    elif intent.type is StepType.CONDITION:
        _add_condition(req, plan, intent, provider)
    elif intent.type is StepType.DATA_TRANSFORM and not any(
        s.type is StepType.DATA_TRANSFORM for s in plan.steps
    ):
        plan.add(StepType.DATA_TRANSFORM, "format", "items", evidence=intent.evidence)


def _add_condition(req: Requirements, plan: Plan, intent: StepIntent, provider: str | None) -> None:
    if any(s.type is StepType.CONDITION for s in plan.steps):
        return
    if provider == "kma" and any(s.role == "rain_chance" for s in plan.steps):
        plan.add(StepType.CONDITION, "rain", "will_rain", evidence=intent.evidence)
    elif provider == "http" and any(s.role == "probe" for s in plan.steps):
        plan.add(StepType.CONDITION, "healthy", "healthy", evidence=intent.evidence)
    else:
        plan.add(StepType.LLM_CALL, "judge", "judge", evidence=intent.evidence)
        plan.add(StepType.CONDITION, "judged", "check", evidence=intent.evidence)


def _add_outputs(req: Requirements, plan: Plan) -> None:
    if req.has(StepType.APPROVAL):
        plan.add(StepType.APPROVAL, "approve", "approve", evidence=req.of_type(StepType.APPROVAL)[0].evidence)
    for url in req.post_urls:  # "… 에 게시해줘": the result is POSTed there, after any approval
        plan.add(StepType.API_CALL, "post", "post", provider="http_post", evidence=url)
    channels: list[Channel] = []
    for intent in req.of_type(StepType.NOTIFICATION):
        if intent.channel is not None and intent.channel not in channels:
            channels.append(intent.channel)
    if not channels and not req.post_urls and not any(q.slot == "channel" for q in req.questions):
        channels.append(Channel.INBOX)
        plan.assumptions.append(
            req.say(
                "결과는 MWO 받은편지함(mwo inbox)으로 보냅니다",
                "the result goes to the MWO inbox (mwo inbox)",
            )
        )
    for channel in channels:
        plan.add(StepType.NOTIFICATION, "notify", _CHANNEL_IDS[channel], channel=channel)


_CHANNEL_IDS = {
    Channel.EMAIL: "mail",
    Channel.SLACK: "slack",
    Channel.DISCORD: "discord",
    Channel.KAKAO: "kakao",
    Channel.INBOX: "inbox",
    Channel.WEBHOOK: "post",
}

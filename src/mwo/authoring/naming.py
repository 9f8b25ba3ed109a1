"""A workflow's name (slug), derived from its plan, never from the model: the same request gives the
same name, and a name already used in the store gets -2, -3, ..."""

from __future__ import annotations

import re
from collections.abc import Callable

from mwo.authoring.planner import Plan
from mwo.spec import StepType

MAX_NAME = 60
_TOPICS = {
    "경제": "economy", "주식": "stocks", "증시": "stocks", "부동산": "real-estate", "정치": "politics",
    "사회": "society", "스포츠": "sports", "야구": "baseball", "축구": "football", "날씨": "weather",
    "환율": "exchange-rate", "비트코인": "bitcoin", "코인": "crypto", "반도체": "chips", "인공지능": "ai",
    "AI": "ai", "IT": "it", "기술": "tech", "과학": "science", "건강": "health", "여행": "travel",
    "맛집": "restaurants", "부산": "busan", "서울": "seoul", "게임": "games", "영화": "movies",
    "음악": "music", "교육": "education", "채용": "jobs", "문화": "culture", "국제": "world",
}  # fmt: skip
_PROVIDER_WORDS = {"naver_news": "naver-news", "naver_blog": "naver-blog", "kma": "weather", "http": "web"}
_ROLE_WORDS = {
    "summarize": "summary", "translate": "translation", "classify": "classification", "generate": "writer",
    "judge": "check", "compute": "script", "script": "script", "rain": "rain", "healthy": "health-check",
}  # fmt: skip
_SLUG = re.compile(r"[^a-z0-9]+")


def base_name(plan: Plan, topic: str | None, trigger_kind: str) -> str:
    """Words for source, topic, processing and channel, e.g. naver-news-economy-summary-mail."""
    words: list[str] = []
    if trigger_kind in ("webhook", "event", "file"):
        words.append(trigger_kind)
    for step in plan.steps:
        if step.type is StepType.API_CALL and step.provider in _PROVIDER_WORDS:
            words.append(_PROVIDER_WORDS[step.provider])
    if topic:
        english = _TOPICS.get(topic) or _TOPICS.get(topic.upper()) or _SLUG.sub("-", topic.lower()).strip("-")
        if english:
            words.append(english)
    for step in plan.steps:
        if step.role in _ROLE_WORDS:
            words.append(_ROLE_WORDS[step.role])
        if step.type is StepType.NOTIFICATION and step.channel is not None:
            words.append(step.channel.value)
    if not words:
        words.append("workflow")
    slug = "-".join(dict.fromkeys(w for word in words for w in _SLUG.sub("-", word.lower()).split("-") if w))
    return slug[:MAX_NAME].strip("-") or "workflow"


def unique_name(base: str, taken: Callable[[str], bool]) -> str:
    """`base`, or `base-2`, `base-3`, ... the first one `taken` says is free."""
    name, n = base, 2
    while taken(name):
        suffix = f"-{n}"
        name = base[: MAX_NAME - len(suffix)] + suffix
        n += 1
    return name

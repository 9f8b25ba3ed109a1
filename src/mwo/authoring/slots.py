"""Details a request states outright: how many items, addresses, URLs, the topic, who gets it, a
watched folder, the condition's criterion, a translation's target language, a written result's length.

Rules only; what is not found is None or empty, and `missing` decides whether to ask or assume.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from mwo.authoring.lengths import Length, parse_length
from mwo.authoring.lexicon_words import EN_COMPARATIVE, NOT_CONDITIONS
from mwo.authoring.time_words import EN_NUMBERS, KO_NATIVE_NUMBERS

MAX_TEXT = 8000


@dataclass(frozen=True)
class Slots:
    count: int | None
    """"기사 3개", "상위 5개", "top 10", "five articles"; None when not said ("몇 개")."""
    emails: tuple[str, ...]
    urls: tuple[str, ...]
    topic_hint: str | None
    """"경제 기사" -> 경제, "AI 관련 뉴스" -> AI, "news about climate" -> climate."""
    recipients_words: tuple[str, ...]
    """Who it goes to, in words: 나에게, 팀, me, #general ..."""
    paths: tuple[str, ...] = ()
    criterion: str | None = None
    """A condition's criterion as said ("30도 이상", "비가 오면", "over 100")."""
    target_language: str | None = None
    """Translation target: "ko", "en", "ja", "zh"."""
    length: Length | None = None
    """How long a written result should be ("세 줄로", "under 100 words", "짧게"): `lengths`."""


# Bounded runs after a look-behind: a 10 kB run of word characters costs linear time, not quadratic.
_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63})+", re.ASCII)
_URL = re.compile(r"https?://[^\s<>\"')\]]+")
_NATIVE = "|".join(sorted(KO_NATIVE_NUMBERS, key=len, reverse=True))
_EN_NUM = "|".join(k for k in EN_NUMBERS if len(k) > 2)
_COUNT = re.compile(
    rf"(?:상위|최신|최근|top)\s*(\d{{1,3}}|{_EN_NUM})"
    rf"|(?<![\d.:])(\d{{1,3}})\s*(?:개|건|편|가지|꼭지|items?\b|articles?\b|posts?\b|results?\b|stories\b"
    rf"|headlines?\b|news\b|links?\b|entries\b|rows?\b)"
    rf"|(?<![가-힣])({_NATIVE})\s*(?:개|건|편|가지|꼭지)"
    rf"|\b({_EN_NUM})\s+(?:\w+\s+)?(?:items|articles|posts|results|stories|headlines|links|entries)\b",
    re.IGNORECASE | re.ASCII,
)
_TOPIC_STOP = frozenset(
    {"네이버", "오늘", "최신", "주요", "관련", "모든", "최근", "새", "새로운", "인기", "매일", "아침",
     "저녁", "뉴스", "기사", "그", "이", "몇", "개", "the", "latest", "top", "today's", "daily", "some",
     "new", "recent", "all", "naver", "a", "any", "morning", "evening", "news", "main", "key", "those",
     "these", "my", "our", "글", "블로그", "검색", "내용", "데이터", "결과", "자료", "정보", "평일", "주말",
     "매주", "매월", "최신순", "오늘의", "어제", "우리", "회사", "주간", "월간", "일간", "하루", "이번"}
)  # fmt: skip
_KO_TOPIC = re.compile(
    r"(?<![\w+#·\-])([\w+#·\-]{1,30}(?:\s+[\w+#·\-]{1,30})?)\s*(?:관련|에\s*대한|에\s*관한|분야)\s*(?:의\s*)?(?:뉴스|기사|소식|글|블로그|자료|정보)?"
    r"|(?<![\w+#·\-])((?:[\w+#·\-]{1,30}\s+){0,2}[\w+#·\-]{1,30})\s*(?:뉴스|기사|소식|동향|트렌드|블로그\s*글|후기|리뷰|글)"
    r"|[\"'“‘]([^\"'”’]{1,40})[\"'”’]\s*(?:을|를)?\s*(?:검색|키워드)"
    r"|(?<![\w+#·\-])([\w+#·\-]{1,30})\s*(?:을|를)?\s*검색"
)
_EN_TOPIC = re.compile(
    r"\b(?:about|on|regarding|related\s+to|for)\s+([A-Za-z0-9+#\-]+(?:\s+[A-Za-z0-9+#\-]+)?)\s+"
    r"(?:news|articles|headlines|stories|posts)\b"
    r"|\b(?:news|articles|headlines|stories|posts)\s+(?:about|on|regarding|related\s+to)\s+"
    r"([A-Za-z0-9+#\-]+(?:\s+[A-Za-z0-9+#\-]+)?)"
    r"|(?<![A-Za-z0-9+#\-])([A-Za-z0-9+#\-]{1,30})\s+(?:news|articles|headlines|stories|reviews|posts)\b"
    r"|\bsearch\s+(?:[A-Za-z]+\s+){0,3}?for\s+([A-Za-z0-9+#\-]{1,30}(?:\s+[A-Za-z0-9+#\-]{1,30})?)",
    re.IGNORECASE | re.ASCII,
)
_RECIPIENTS = re.compile(
    r"나에게|나한테|내게|저에게|제게|저한테|나\s+에게|우리\s*팀|팀원(?:들)?|팀장(?:님)?|팀(?=에게|한테|원|\s*채널)|담당자|관리자"
    r"|고객(?:들)?|\bme\b|\bmy\s+team\b|\bthe\s+team\b|\bmy\s+manager\b|\beveryone\b|(?<![\w&])#[\w\-]+",
    re.IGNORECASE | re.ASCII,
)
_PATH = re.compile(r"(?<![\w:/.])((?:~|/)[\w.\-~/]*[\w\-~/])")
_CRITERION = re.compile(
    r"(?<![\w.%])[\w.%]{1,20}\s*(?:도|원|%|개|건|명|점|달러|mm)?\s*(?:이상|이하|초과|미만|넘으면|넘는|보다\s*(?:크|작|높|낮|많|적|길|짧|오래|늦|비싸|싸))"
    r"|(?<![가-힣])(?:비|눈)(?:가|이)?\s*(?:오면|올\s*때|오는\s*날|내리면|예보되면)"
    r"|\b(?:above|below|over|under|exceeds?|greater\s+than|less\s+than|more\s+than|at\s+least|at\s+most)\s+[\w.$%]+"
    rf"|\b{EN_COMPARATIVE}\s+than\s+[-+]?[$₩€£]?\d[\d,.]*(?:\s+[A-Za-z%]+)?"
    r"|\b(?:rains?|raining|snows?|snowing)\b|[<>]=?\s*\d+|(?<!\S)\S{1,20}\s+아니면"
    r"|\bis\s+(?:negative|positive|urgent|important|late|missing|empty|true|false|checked|set|yes)\b"
    r"|\b(?:does\s+not|doesn't|do\s+not|don't)\s+(?:answer|respond|return\s+\d{3})\b"
    r"|\b(?:returns?|status(?:\s+code)?)\s+(?:is\s+)?(?:not\s+)?\d{3}\b|\bis\s+down\b|\breturns?\s+an?\s+error\b|오류|에러|응답이\s*없"
    r"|(?<![가-힣])[가-힣]{0,12}(?:하면|이면|으면|다면|크면|작으면|많으면|적으면|없으면|있으면|아니면|같으면|다르면)",
    re.IGNORECASE,
)
_LANGUAGES = (
    (re.compile(r"영어로|영문으로|\binto\s+english\b|\bto\s+english\b|\bin\s+english\b", re.I), "en"),
    (re.compile(r"한국어로|한글로|\binto\s+korean\b|\bto\s+korean\b|\bin\s+korean\b", re.I), "ko"),
    (re.compile(r"일본어로|\binto\s+japanese\b|\bto\s+japanese\b", re.I), "ja"),
    (re.compile(r"중국어로|\binto\s+chinese\b|\bto\s+chinese\b", re.I), "zh"),
)


def _count(text: str) -> int | None:
    m = _COUNT.search(text)
    if m is None:
        return None
    token = next(g for g in m.groups() if g)
    low = token.lower()
    value = int(low) if low.isdigit() else KO_NATIVE_NUMBERS.get(low) or EN_NUMBERS.get(low)
    return value if value else None


# A word that ends in a particle closes another phrase ("블로그에서 강남 맛집 글": the topic is after it);
# so does a verb's modifier form ("올라온 캠핑 후기", "중요한 기사").
_PARTICLE_END = re.compile(r"(?:에서|에게|에|으로|로|을|를|은|는|이|가|과|와|의|온|된|한|던)$|\d")
_EVERY = re.compile(r"[가-힣]마다$")
_TOPIC_END = frozenset(
    {"into", "to", "and", "in", "from", "every", "each", "at", "on", "for", "then", "with"}
)


def _topic(text: str) -> str | None:
    for pattern in (_KO_TOPIC, _EN_TOPIC):
        for m in pattern.finditer(text):
            raw = next((g for g in m.groups() if g), "")
            if raw.split() and raw.split()[-1].lower() in _TOPIC_END:
                raw = raw.split()[0]
            words = raw.split()
            cut = max((i + 1 for i, w in enumerate(words) if _PARTICLE_END.search(w)), default=0)
            words = [w for w in words[cut:] if w.lower().strip("'") not in _TOPIC_STOP]
            words = [re.sub(r"(?:에서|의|을|를|이|가|은|는|로|으로)$", "", w) for w in words]
            words = [w for w in words if w and w.lower() not in _TOPIC_STOP and not w.isdigit()]
            words = [w for w in words if not _EVERY.search(w)]  # "아침마다 뉴스": when, not about what
            if words:
                return " ".join(words)
    return None


def extract_slots(text: str) -> Slots:
    """What the request states outright (see `Slots`)."""
    text = text[:MAX_TEXT]
    urls = tuple(u.rstrip(".,;:!?") for u in _URL.findall(text))
    without_urls = _URL.sub(" ", text)
    criterion = next((m for m in _CRITERION.finditer(without_urls) if m.group(0) not in NOT_CONDITIONS), None)
    language = next((code for pattern, code in _LANGUAGES if pattern.search(text)), None)
    return Slots(
        count=_count(without_urls),
        emails=tuple(dict.fromkeys(_EMAIL.findall(text))),
        urls=urls,
        topic_hint=_topic(without_urls),
        recipients_words=tuple(dict.fromkeys(m.group(0) for m in _RECIPIENTS.finditer(text))),
        paths=tuple(dict.fromkeys(_PATH.findall(without_urls))),
        criterion=criterion.group(0) if criterion else None,
        target_language=language,
        length=parse_length(without_urls),
    )

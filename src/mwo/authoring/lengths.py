"""How long the person wants a written result: "세 줄로", "3문장으로", "한 문단으로", "100자 이내",
"짧게", "in two sentences", "under 100 words", "briefly".

Parsed by rules (deterministic: the same words always give the same hint), then said back as one
sentence that the summary's or writer's LLM_CALL instruction ends with, in the request's language,
so the explain-back shows it too. No hint is invented: a request that says no length gets none and
the step keeps its own default wording.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from mwo.authoring.time_words import EN_NUMBERS, KO_NATIVE_NUMBERS

Unit = Literal["lines", "sentences", "paragraphs", "words", "characters", "bullet points", "short"]
Bound = Literal["exact", "max", "about"]

_KO_UNITS: dict[str, Unit] = {
    "줄": "lines", "문장": "sentences", "문단": "paragraphs", "단락": "paragraphs", "단어": "words",
    "글자": "characters", "자": "characters",
}  # fmt: skip
_EN_UNITS: dict[str, Unit] = {
    "line": "lines", "sentence": "sentences", "paragraph": "paragraphs", "word": "words",
    "character": "characters", "char": "characters", "bullet": "bullet points",
    "bullet point": "bullet points",
}  # fmt: skip
_KO_NUM = "|".join(sorted(KO_NATIVE_NUMBERS, key=len, reverse=True))
_EN_NUM = "|".join(k for k in EN_NUMBERS if len(k) > 2)  # not "a"/"an": "a paragraph" is said below
_KO_LENGTH = re.compile(
    rf"(?<![\d가-힣])(\d{{1,4}}|{_KO_NUM})\s*(글자|문장|문단|단락|단어|줄|자)"
    r"\s*(이내|이하|안으로|안쪽|미만|정도|내외|남짓|안팎)?"
)
_KO_SUFFIX_OK = re.compile(r"^(?:로|으로|이내|이하|안|안쪽|미만|정도|내외|남짓|안팎|짜리|요약|의|만|씩|\s|$)")
_EN_LENGTH = re.compile(
    rf"\b(under|at\s+most|no\s+more\s+than|not\s+more\s+than|fewer\s+than|less\s+than|within|max(?:imum)?"
    rf"|up\s+to|about|around|roughly|approximately|in|into|as)?\s*(\d{{1,4}}|{_EN_NUM}|a|an|one)[\s-]+"
    r"(bullet\s+points?|bullets?|sentences?|lines?|paragraphs?|words?|characters?|chars?)\b",
    re.IGNORECASE,
)
_KO_SHORT = re.compile(r"짧게|짧은|간단히|간단하게|간략히|간략하게|간결하게")
_EN_SHORT = re.compile(
    r"\b(?:briefly|brief|short(?:ly)?(?!-)|concise(?:ly)?|in\s+a\s+nutshell)\b", re.IGNORECASE
)
_EN_MAX = frozenset({"under", "at most", "no more than", "not more than", "fewer than", "less than",
                     "within", "max", "maximum", "up to"})  # fmt: skip
_EN_ABOUT = frozenset({"about", "around", "roughly", "approximately"})


_KO_SAID: dict[Unit, tuple[str, str]] = {
    "lines": ("줄", "로"), "sentences": ("문장", "으로"), "paragraphs": ("문단", "으로"),
    "words": ("단어", "로"), "characters": ("자", "로"), "bullet points": ("", ""), "short": ("", ""),
}  # fmt: skip
_KO_NATIVE = {1: "한", 2: "두", 3: "세", 4: "네", 5: "다섯"}
_EN_SAID = {1: "one", 2: "two", 3: "three", 4: "four", 5: "five"}
_KO_NATIVE_UNITS = frozenset({"lines", "sentences", "paragraphs"})


@dataclass(frozen=True)
class Length:
    """A requested length: `count` of `unit` (None for plain "short"), and how strict."""

    unit: Unit
    count: int | None = None
    bound: Bound = "exact"

    def sentence(self, language: str) -> str:
        """The instruction's last sentence, in `language` ("ko" or English)."""
        if self.unit == "short" or self.count is None:
            return "짧게 쓰세요." if language == "ko" else "Keep it short."
        n = self.count
        if self.unit == "bullet points":
            return self._bullets(n, language)
        if language == "ko":
            unit, particle = _KO_SAID[self.unit]
            # "세 줄로", "두 문장으로" read naturally; counted words and characters in digits ("100자")
            number = f"{_KO_NATIVE[n]} " if n in _KO_NATIVE and self.unit in _KO_NATIVE_UNITS else str(n)
            how = {"exact": particle, "max": " 이내로", "about": " 정도로"}[self.bound]
            return f"{number}{unit}{how} 쓰세요."
        unit_en = self.unit[:-1] if n == 1 else self.unit
        how_en = {"exact": "in", "max": "in at most", "about": "in about"}[self.bound]
        number_en = _EN_SAID.get(n, str(n)) if self.unit in _KO_NATIVE_UNITS else str(n)
        return f"Write it {how_en} {number_en} {unit_en}."

    def _bullets(self, n: int, language: str) -> str:
        if language == "ko":
            count = f"{_KO_NATIVE[n]} 개" if n in _KO_NATIVE else f"{n}개"
            how = {"exact": "로", "max": " 이내로", "about": " 정도로"}[self.bound]
            return f"요점 {count}{how} 쓰세요."
        how_en = {"exact": "", "max": "at most ", "about": "about "}[self.bound]
        return f"Write it as {how_en}{_EN_SAID.get(n, str(n))} bullet point{'' if n == 1 else 's'}."

    def max_tokens(self, default: int) -> int:
        """Room for the answer: never less than `default`, more for a long text ("500 words")."""
        if self.count is None:
            return default
        per = {"lines": 40, "sentences": 40, "paragraphs": 200, "words": 3, "characters": 1,
               "bullet points": 40, "short": 0}  # fmt: skip
        return max(default, min(2000, self.count * per[self.unit] + 50))


def parse_length(text: str) -> Length | None:
    """The length a request asks for, or None; a counted length wins over a plain "짧게"/"briefly"."""
    for m in _KO_LENGTH.finditer(text):
        rest = text[m.end(2) :]
        if m.group(2) in ("자", "줄") and not _KO_SUFFIX_OK.match(rest):
            continue  # "3자리", "줄이다": not a length
        count = _number(m.group(1))
        if count:
            bound: Bound = "exact"
            if m.group(3) in ("이내", "이하", "안으로", "안쪽", "미만"):
                bound = "max"
            elif m.group(3) in ("정도", "내외", "남짓", "안팎"):
                bound = "about"
            return Length(_KO_UNITS[m.group(2)], count, bound)
    for m in _EN_LENGTH.finditer(text):
        word = " ".join((m.group(1) or "").lower().split())
        if not word and m.group(2).lower() in ("a", "an"):
            continue  # "send a line", "a word of thanks": no length without "in"/"under"
        count = _number(m.group(2))
        unit = m.group(3).lower().rstrip("s")
        unit = "bullet point" if unit.startswith("bullet point") else unit
        if count:
            en_bound: Bound = "max" if word in _EN_MAX else "about" if word in _EN_ABOUT else "exact"
            return Length(_EN_UNITS[unit], count, en_bound)
    if _KO_SHORT.search(text) or _EN_SHORT.search(text):
        return Length("short")
    return None


def _number(token: str) -> int | None:
    low = token.lower()
    if low.isdigit():
        return int(low) or None
    return KO_NATIVE_NUMBERS.get(low) or EN_NUMBERS.get(low)


def length_spans(text: str) -> list[tuple[int, int]]:
    """Where counted lengths are said ("3문장으로", "under 100 words"): words there are no condition
    ("under 100") and no request to write something of their own."""
    spans = [m.span() for m in _KO_LENGTH.finditer(text) if _KO_SUFFIX_OK.match(text[m.end(2) :])]
    return spans + [
        m.span() for m in _EN_LENGTH.finditer(text) if m.group(1) or m.group(2).lower() not in ("a", "an")
    ]

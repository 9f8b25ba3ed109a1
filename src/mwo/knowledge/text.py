"""Korean-aware text analysis: sentence splitting and keyword tokens, both from one Kiwi analyser.

Korean attaches particles and endings to words ("카톡으로", "오면"), so whitespace tokens rarely
match between a question and a document. Kiwi's morphemes ("카톡", "오") do. English and code
identifiers come out of Kiwi as foreign-word tokens (tag SL) and are lower-cased and also split at
camelCase / snake_case boundaries so `getUltraSrtNcst` matches "ultra srt ncst" and itself.
"""

from __future__ import annotations

import re
from typing import Any

# Content-bearing morpheme tags: nouns, verb and adjective stems, roots, foreign words, numbers,
# Chinese characters, and adverbs (내일, 매일). Particles and endings are dropped.
_KEEP_TAGS = (
    "NNG",
    "NNP",
    "NNB",
    "NR",
    "NP",
    "VV",
    "VA",
    "XR",
    "SL",
    "SN",
    "SH",
    "MAG",
    "W_URL",
    "W_EMAIL",
)
_CAMEL = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|\d+")
_SPLIT_ID = re.compile(r"[_\-./:]+")
_ENGLISH_STOP = frozenset(
    [
        "a",
        "an",
        "the",
        "of",
        "to",
        "in",
        "on",
        "for",
        "and",
        "or",
        "is",
        "are",
        "be",
        "by",
        "with",
        "from",
        "as",
        "at",
        "it",
        "this",
        "that",
        "these",
        "those",
        "how",
        "what",
        "which",
        "do",
        "does",
        "can",
        "i",
        "me",
        "my",
        "you",
        "your",
        "we",
        "our",
    ]
)


class KoreanText:
    """Holds the loaded Kiwi model (about a second to load) for the lifetime of its owner."""

    def __init__(self) -> None:
        self._kiwi: Any = None

    def _analyser(self) -> Any:
        if self._kiwi is None:
            from kiwipiepy import Kiwi

            self._kiwi = Kiwi()
        return self._kiwi

    def sentences(self, text: str) -> list[str]:
        """Sentences of a paragraph; Korean endings without punctuation are recognised too."""
        text = text.strip()
        if not text:
            return []
        return [s.text.strip() for s in self._analyser().split_into_sents(text) if s.text.strip()]

    def keyword_tokens(self, text: str) -> list[str]:
        """Lower-cased content morphemes plus identifier parts, for BM25 on both Korean and English."""
        tokens: list[str] = []
        for token in self._analyser().tokenize(text):
            tag = str(token.tag)
            if not tag.startswith(_KEEP_TAGS):
                continue
            form = str(token.form)
            if tag in ("SL", "W_URL") or "_" in form:
                tokens.extend(identifier_tokens(form))
            else:
                tokens.append(form.lower())
        return [t for t in tokens if t not in _ENGLISH_STOP]

    def keyword_tokens_many(self, texts: list[str]) -> list[list[str]]:
        return [self.keyword_tokens(t) for t in texts]


def identifier_tokens(word: str) -> list[str]:
    """`getUltraSrtNcst` -> [getultrasrtncst, get, ultra, srt, ncst]; plain words stay one token."""
    lower = word.lower()
    parts = [p.lower() for piece in _SPLIT_ID.split(word) for p in _CAMEL.findall(piece)]
    if len(parts) <= 1:
        return [lower]
    return [lower, *parts]

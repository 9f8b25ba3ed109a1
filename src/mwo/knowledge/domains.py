"""Domain detection: which packs a request is about, with a confidence, from words and meaning.

Two signals, combined as a noisy-or: (1) keywords in Korean and English, matched on the raw
request (Korean by substring, because particles attach: "카톡으로" contains "카톡"; ASCII terms on
word boundaries) with strong words (네이버, 기상청, 카톡, and the APIs' own identifiers such as
`base_date`, `template_object`, or capital codes like `PTY` matched case-sensitively) weighing more
than weak ones (뉴스, 날씨);
(2) the embedding similarity of the request to each domain's example requests, counted only by
its margin over the other domains, since e5 similarities all sit in a narrow band. Keywords
decide when present; similarity catches paraphrases ("우산 챙겨야 하나" -> kma).
"""

from __future__ import annotations

import re

import numpy as np

from mwo.knowledge.embeddings import Embedder, Vectors
from mwo.knowledge.packs import DomainProfile
from mwo.knowledge.records import DomainMatch

STRONG_WEIGHT = 0.7
WEAK_WEIGHT = 0.3
SIMILARITY_WEIGHT = 0.6
MARGIN_SCALE = 0.08  # a similarity this much above the runner-up (common included) counts fully


def _matcher(term: str) -> re.Pattern[str]:
    """Korean by substring; ASCII on word boundaries, an English plural included ("forecasts")."""
    escaped = re.escape(term.lower())
    if term.isascii():
        plural = "(?:s|es)?" if term[-1:].isalpha() else ""
        return re.compile(rf"(?<![a-z0-9]){escaped}{plural}(?![a-z0-9])")
    return re.compile(escaped)


def _code_matcher(code: str) -> re.Pattern[str]:
    """An API code as written (`PTY`, `SE01`): case-sensitive, not inside a longer word or code."""
    return re.compile(rf"(?<![A-Za-z0-9_]){re.escape(code)}(?![A-Za-z0-9_])")


class DomainDetector:
    """Holds each domain's keyword patterns and embedded examples (embedded once, on first use)."""

    def __init__(self, profiles: list[DomainProfile], embedder: Embedder, always: str = "common") -> None:
        self._profiles = [p for p in profiles if p.domain != always]
        # `always` (common) is never reported, but competes on similarity: a request closest to
        # "send an email" examples must not be pinned on whichever API domain is next.
        self._rivals = [p for p in profiles if p.domain == always]
        self._embedder = embedder
        self._patterns = {
            p.domain: ([(t, _matcher(t)) for t in p.strong], [(t, _matcher(t)) for t in p.weak])
            for p in self._profiles
        }
        self._codes = {p.domain: [(c, _code_matcher(c)) for c in p.codes] for p in self._profiles}
        self._examples: dict[str, Vectors] | None = None

    @property
    def domains(self) -> list[str]:
        return [p.domain for p in self._profiles]

    def _example_vectors(self) -> dict[str, Vectors]:
        if self._examples is None:
            self._examples = {}
            for p in [*self._profiles, *self._rivals]:
                texts = p.examples or [p.description]
                self._examples[p.domain] = self._embedder.embed_queries(texts)
        return self._examples

    def warm(self) -> None:
        """Embed the example requests now (the first detection would otherwise pay for it)."""
        self._example_vectors()

    def keyword_scores(self, text: str) -> dict[str, tuple[float, list[str]]]:
        lowered = text.lower()
        out: dict[str, tuple[float, list[str]]] = {}
        for domain, (strong, weak) in self._patterns.items():
            found: list[str] = []
            miss = 1.0
            for weight, terms, subject in (
                (STRONG_WEIGHT, strong, lowered),
                (WEAK_WEIGHT, weak, lowered),
                (STRONG_WEIGHT, self._codes[domain], text),
            ):
                for term, pattern in terms:
                    if pattern.search(subject):
                        found.append(term)
                        miss *= 1.0 - weight
            out[domain] = (1.0 - miss, found)
        return out

    def similarity_scores(self, text: str, query: Vectors | None = None) -> dict[str, float]:
        vector = query if query is not None else self._embedder.embed_queries([text])[0]
        return {d: float(np.max(rows @ vector)) for d, rows in self._example_vectors().items()}

    def detect(self, text: str, query: Vectors | None = None) -> list[DomainMatch]:
        """Every known domain except `common`, best first, each with confidence in [0, 1]."""
        if not self._profiles:
            return []
        keywords = self.keyword_scores(text)
        sims = self.similarity_scores(text, query)
        matches = []
        for domain in self.domains:
            others = [s for d, s in sims.items() if d != domain]  # rivals included
            margin = sims[domain] - (max(others) if others else 0.0)
            semantic = float(np.clip(margin / MARGIN_SCALE, 0.0, 1.0)) * SIMILARITY_WEIGHT
            kw_score, found = keywords[domain]
            confidence = 1.0 - (1.0 - kw_score) * (1.0 - semantic)
            matches.append(DomainMatch(domain, round(confidence, 4), found, round(sims[domain], 4)))
        matches.sort(key=lambda m: (m.confidence, m.similarity), reverse=True)
        return matches

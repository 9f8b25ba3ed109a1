"""Splitting documents into retrieval-sized chunks without cutting Korean sentences in half.

A chunk is a run of whole paragraphs up to `max_chars`; a paragraph that is too long is split into
sentences by Kiwi (which knows Korean sentence endings such as "-다", "-요" even without a full
stop), and only a single over-long sentence is cut by length. Code blocks stay whole, because half
an example teaches the wrong thing. Each chunk starts with its section heading so that both the
vector and the keyword side see what the chunk is about.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from mwo.knowledge.text import KoreanText

_BLANK_LINES = re.compile(r"\n\s*\n")
_FENCE = re.compile(r"^\s*(```|~~~)")


@dataclass(frozen=True)
class Section:
    """A unit a loader produces: a page, a markdown section, a sheet's rows."""

    text: str
    page: int | None = None
    heading: str = ""
    records: bool = False  # lines are independent records (spreadsheet rows): never sentence-split


@dataclass(frozen=True)
class ChunkText:
    text: str
    page: int | None


def paragraphs(text: str) -> list[str]:
    """Blank-line separated paragraphs; a fenced code block is one paragraph even with blank lines."""
    out: list[str] = []
    current: list[str] = []
    in_fence = False
    for line in text.splitlines():
        if _FENCE.match(line):
            if not in_fence and current and not _is_blank(current):
                out.append("\n".join(current).strip())
                current = []
            current.append(line)
            in_fence = not in_fence
            if not in_fence:
                out.append("\n".join(current).strip())
                current = []
            continue
        if not in_fence and not line.strip():
            if current and not _is_blank(current):
                out.append("\n".join(current).strip())
            current = []
            continue
        current.append(line)
    if current and not _is_blank(current):
        out.append("\n".join(current).strip())
    return [p for p in out if p]


def _is_blank(lines: list[str]) -> bool:
    return not any(line.strip() for line in lines)


class Chunker:
    """Packs paragraphs (or sentences of long paragraphs) into chunks of at most `max_chars`."""

    def __init__(self, text: KoreanText, max_chars: int = 600) -> None:
        self._text = text
        self.max_chars = max_chars

    def _units(self, section: Section) -> list[str]:
        if section.records:
            return [line for line in section.text.splitlines() if line.strip()]
        units: list[str] = []
        for para in paragraphs(section.text):
            if len(para) <= self.max_chars or _FENCE.match(para):
                units.append(para)
                continue
            units.extend(self._split_long(para))
        return units

    def _split_long(self, para: str, keep_items: bool = True) -> list[str]:
        """Pieces of a paragraph over the budget: whole lines first, sentences only inside a long line.

        Markdown lists, tables and hard-wrapped prose are line-structured, and Kiwi's sentence
        splitter misreads them (it cut a table row in two and moved a full stop to the next piece),
        so a multi-line paragraph is split between lines; a list item's indented continuation lines
        stay with the item unless the item alone is over the budget.
        """
        lines = para.splitlines()
        if len(lines) == 1:
            return [piece for sentence in self._text.sentences(para) for piece in self._hard_split(sentence)]
        items: list[str] = []
        for line in lines:
            if keep_items and items and line[:1].isspace() and line.strip():
                items[-1] += "\n" + line
            else:
                items.append(line)
        pieces: list[str] = []
        for item in items:
            if len(item) <= self.max_chars:
                pieces.append(item)
            else:  # one long line (sentences), or an item with continuations (its lines)
                pieces.extend(self._split_long(item, keep_items=False))
        return pieces

    def _hard_split(self, sentence: str) -> list[str]:
        step = self.max_chars
        return [sentence[i : i + step] for i in range(0, len(sentence), step)] or [sentence]

    def split(self, sections: list[Section]) -> list[ChunkText]:
        chunks: list[ChunkText] = []
        for section in sections:
            prefix = f"{section.heading}\n" if section.heading else ""
            budget = max(self.max_chars - len(prefix), self.max_chars // 2)
            groups: list[list[str]] = []
            current: list[str] = []
            size = 0
            for unit in self._units(section):
                if current and size + len(unit) + 1 > budget:
                    carried = self._lead_in(current, unit, budget)
                    if len(carried) < len(current):
                        groups.append(current[: len(current) - len(carried)])
                    current, size = carried, sum(len(u) + 1 for u in carried)
                current.append(unit)
                size += len(unit) + 1
            if current:
                groups.append(current)
            groups = self._absorb_tail(groups, budget)
            chunks.extend(ChunkText(prefix + "\n".join(group), section.page) for group in groups)
        return chunks

    @staticmethod
    def _lead_in(current: list[str], unit: str, budget: int) -> list[str]:
        """The paragraph that introduces a code block travels with it (else the example loses its why).

        Only a short prose paragraph right before the block qualifies; what it leaves behind forms a
        chunk of its own as before.
        """
        last = current[-1]
        if _FENCE.match(unit) and not _FENCE.match(last) and len(last) <= budget // 2:
            return [last]
        return []

    @staticmethod
    def _absorb_tail(groups: list[list[str]], budget: int) -> list[list[str]]:
        """A section's last piece that is tiny (a closing sentence after an example) joins the one before.

        A chunk of one short sentence under a repeated heading ranks on the heading alone and
        crowds better answers out of the top results.
        """
        if len(groups) >= 2:
            tail = sum(len(u) + 1 for u in groups[-1])
            if tail <= budget // 4:
                return [*groups[:-2], groups[-2] + groups[-1]]
        return groups

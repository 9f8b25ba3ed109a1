"""Plain text, Markdown (split at headings, code blocks intact) and HTML (visible text only)."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

from mwo.knowledge.chunking import Section
from mwo.knowledge.ingest.base import LoadedDocument, read_text_file

_HEADING = re.compile(r"^(#{1,6})\s+(.*\S)\s*$")
_FENCE = re.compile(r"^\s*(```|~~~)")
_FRONT_MATTER = re.compile(r"\A---\n(.*?)\n---\n", re.S)


def split_front_matter(text: str) -> tuple[dict[str, str], str]:
    """`---\\nkey: value\\n---` at the top of a Markdown file (flat string values only)."""
    match = _FRONT_MATTER.match(text)
    if not match:
        return {}, text
    meta: dict[str, str] = {}
    for line in match.group(1).splitlines():
        key, sep, value = line.partition(":")
        if sep:
            meta[key.strip()] = value.strip().strip('"')
    return meta, text[match.end() :]


def markdown_sections(text: str, title: str) -> list[Section]:
    """One section per heading, headed by its breadcrumb ("Doc > H2 > H3"); `#` in code is no heading."""
    sections: list[Section] = []
    trail: list[tuple[int, str]] = []
    body: list[str] = []
    in_fence = False

    def flush() -> None:
        joined = "\n".join(body).strip()
        if joined:
            crumbs = [title] + [t for _, t in trail if t != title]
            sections.append(Section(joined, heading=" > ".join(crumbs)))
        body.clear()

    for line in text.splitlines():
        if _FENCE.match(line):
            in_fence = not in_fence
        match = None if in_fence else _HEADING.match(line)
        if match:
            flush()
            level = len(match.group(1))
            trail = [(lv, t) for lv, t in trail if lv < level] + [(level, match.group(2))]
        else:
            body.append(line)
    flush()
    return sections


def load_markdown(path: Path) -> LoadedDocument:
    meta, text = split_front_matter(read_text_file(path))
    title = meta.get("title") or _first_heading(text) or path.stem
    return LoadedDocument("md", title, markdown_sections(text, title))


def load_text(path: Path) -> LoadedDocument:
    return LoadedDocument("txt", path.stem, [Section(read_text_file(path))])


def _first_heading(text: str) -> str | None:
    for line in text.splitlines():
        match = _HEADING.match(line)
        if match:
            return match.group(2)
    return None


class _VisibleText(HTMLParser):
    _SKIP = frozenset({"script", "style", "noscript", "template", "svg"})
    _BLOCK = frozenset(
        {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "section", "pre", "table"}
    )

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.title = ""
        self._skip = 0
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._SKIP:
            self._skip += 1
        elif tag == "title":
            self._in_title = True
        elif tag in self._BLOCK:
            self.parts.append("\n\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._SKIP and self._skip:
            self._skip -= 1
        elif tag == "title":
            self._in_title = False
        elif tag in self._BLOCK:
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data
        elif not self._skip:
            self.parts.append(data)


def load_html(path: Path) -> LoadedDocument:
    parser = _VisibleText()
    parser.feed(read_text_file(path))
    text = re.sub(r"[ \t]+", " ", "".join(parser.parts))
    text = re.sub(r"\n\s*\n\s*", "\n\n", text).strip()
    return LoadedDocument("html", parser.title.strip() or path.stem, [Section(text)])

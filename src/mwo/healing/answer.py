"""Reading a model's repair answer: the whole script in one ```python block (or bare code), or a
finding saying why there is none (empty, cut off at the token limit, not code)."""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass

from mwo.healing.notes import note
from mwo.validation.findings import Finding

_BLOCK = re.compile(r"```[ \t]*(?:python|py|python3)?[ \t]*\n(.*?)(?:\n```|\Z)", re.DOTALL | re.IGNORECASE)
_NUMBERED = re.compile(r"^\s*\d+\s?\| ?")


@dataclass(frozen=True)
class ParsedAnswer:
    """The script found in an answer, or the finding that rejects the answer."""

    code: str | None
    problem: Finding | None


def parse_answer(text: str, finish_reason: str | None, language: str = "en") -> ParsedAnswer:
    """The script in a model answer, or the finding that rejects the answer."""
    if not text.strip():
        return ParsedAnswer(None, note("healing.empty_answer", language))
    if finish_reason == "length":
        return ParsedAnswer(None, note("healing.truncated", language))
    code = _script_in(text)
    if code is None:
        return ParsedAnswer(None, note("healing.not_code", language))
    return ParsedAnswer(code, None)


def _script_in(text: str) -> str | None:
    """The block that defines main (the longest such), else the whole text when it is code."""
    blocks = [_unnumbered(b) for b in _BLOCK.findall(text)]
    with_main = [b for b in blocks if "def main" in b]
    if with_main:
        return max(with_main, key=len).strip("\n") + "\n"
    bare = _unnumbered(text.strip())
    if "def main" in bare and _parses(bare):
        return bare + "\n"
    return None


def _unnumbered(code: str) -> str:
    """Code without the line numbers the prompt showed, when the model copied them back."""
    lines = code.splitlines()
    filled = [line for line in lines if line.strip()]
    if filled and all(_NUMBERED.match(line) for line in filled):
        return "\n".join(_NUMBERED.sub("", line, count=1) for line in lines)
    return code


def _parses(code: str) -> bool:
    try:
        ast.parse(code)
    except (SyntaxError, ValueError):
        return False
    return True

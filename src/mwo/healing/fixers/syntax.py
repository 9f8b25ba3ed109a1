"""Syntax errors a code-writing model makes by form, not by thought: markdown fences or prose left
around the code, a missing colon after `def`/`if`/`for`, tabs mixed with spaces."""

from __future__ import annotations

import re

from mwo.healing.evaluation import Evaluation
from mwo.healing.fixers.base import Fix, Fixer, parse
from mwo.healing.request import ScriptRepairRequest

_FENCE = re.compile(r"^\s*```")
_BLOCK_START = re.compile(r"^\s*(def|class|if|elif|else|for|while|try|except|finally|with)\b.*[^:\s]\s*$")


class MarkdownFenceFixer(Fixer):
    """Drops ``` fence lines (and any prose before the first) a model left in the script."""

    name = "markdown_fence"

    def propose(self, current: Evaluation, request: ScriptRepairRequest) -> Fix | None:
        if not _has_syntax_error(current):
            return None
        lines = current.code.splitlines(keepends=True)
        fences = [i for i, text in enumerate(lines) if _FENCE.match(text)]
        if not fences:
            return None
        start = fences[0] + 1 if len(fences) >= 2 else 0
        end = fences[1] if len(fences) >= 2 else len(lines)
        kept = [text for text in lines[start:end] if not _FENCE.match(text)]
        return Fix("".join(kept), "removed the markdown fences (```) around the code")


class MissingColonFixer(Fixer):
    """Adds the colon Python asks for ("expected ':'") at the end of the line it names."""

    name = "missing_colon"

    def propose(self, current: Evaluation, request: ScriptRepairRequest) -> Fix | None:
        syntax = next((f for f in current.errors if f.code == "script.syntax"), None)
        if syntax is None or syntax.line is None or "expected ':'" not in syntax.message:
            return None
        lines = current.code.splitlines(keepends=True)
        text = lines[syntax.line - 1]
        if not _BLOCK_START.match(text.rstrip("\n")):
            return None
        body = text.rstrip("\r\n")
        lines[syntax.line - 1] = body.rstrip() + ":" + text[len(body) :]
        return Fix("".join(lines), f"added the missing ':' at the end of line {syntax.line}")


class TabIndentFixer(Fixer):
    """Expands tabs used for indentation when Python refuses the mix ("inconsistent use of tabs")."""

    name = "tab_indent"

    def propose(self, current: Evaluation, request: ScriptRepairRequest) -> Fix | None:
        syntax = next((f for f in current.errors if f.code == "script.syntax"), None)
        if syntax is None or "tab" not in syntax.message or "\t" not in current.code:
            return None
        lines = [_expand_indent(text) for text in current.code.splitlines(keepends=True)]
        code = "".join(lines)
        return Fix(code, "indentation used tabs and spaces; tabs are 4 spaces now") if parse(code) else None


def _has_syntax_error(current: Evaluation) -> bool:
    return any(f.code == "script.syntax" for f in current.errors)


def _expand_indent(text: str) -> str:
    stripped = text.lstrip(" \t")
    indent = text[: len(text) - len(stripped)]
    return indent.replace("\t", "    ") + stripped

"""Small, exact edits of a script's text that keep everything else as the author wrote it.

Fixers find what to change in the syntax tree and change it in the text: a node's span is spliced,
an import goes after the module's own imports. Columns in `ast` are UTF-8 byte offsets, so splicing
works on bytes (a Korean string before the edit on the same line must not shift it).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass


@dataclass(frozen=True)
class Span:
    """A node's place in the text, as `ast` gives it (1-based lines, UTF-8 byte columns)."""

    line: int
    col: int
    end_line: int
    end_col: int

    @classmethod
    def of(cls, node: ast.expr | ast.stmt) -> Span:
        """The span of a node (it must come from `ast.parse`, which sets end positions)."""
        assert node.end_lineno is not None and node.end_col_offset is not None
        return cls(node.lineno, node.col_offset, node.end_lineno, node.end_col_offset)


def replace_spans(code: str, edits: list[tuple[Span, str]]) -> str:
    """`code` with each span replaced by its text; spans must not overlap."""
    data = code.encode("utf-8")
    starts = _line_starts(data)
    ordered = sorted(edits, key=lambda e: (e[0].line, e[0].col), reverse=True)
    for span, text in ordered:
        begin = starts[span.line - 1] + span.col
        end = starts[span.end_line - 1] + span.end_col
        data = data[:begin] + text.encode("utf-8") + data[end:]
    return data.decode("utf-8")


def segment(code: str, span: Span) -> str:
    """The text of a span."""
    data = code.encode("utf-8")
    starts = _line_starts(data)
    return data[starts[span.line - 1] + span.col : starts[span.end_line - 1] + span.end_col].decode("utf-8")


def add_import(code: str, statement: str) -> str:
    """`code` with `statement` (`import json`) after the module's leading docstring and imports."""
    tree = ast.parse(code)
    after = 0
    for index, node in enumerate(tree.body):
        is_docstring = index == 0 and isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)
        if isinstance(node, (ast.Import, ast.ImportFrom)) or is_docstring:
            after = node.end_lineno or after
        else:
            break
    lines = code.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    separated = after == 0 and bool(lines) and lines[0].strip() != ""
    lines.insert(after, statement + ("\n\n\n" if separated else "\n"))
    return "".join(lines)


def string_literal(value: str, like: str) -> str:
    """`value` as a Python string literal quoted the way `like` (an existing literal) is."""
    quoted = repr(value)
    if like.startswith('"') and quoted.startswith("'") and '"' not in value and "\\" not in quoted:
        return '"' + quoted[1:-1] + '"'
    return quoted


def numbered(code: str) -> str:
    """The script with line numbers, as a prompt shows it (`  3| x = 1`)."""
    lines = code.splitlines()
    width = len(str(len(lines)))
    return "\n".join(f"{number:>{width}}| {text}" for number, text in enumerate(lines, 1))


def indentation_of(code: str, line: int) -> str:
    """The leading whitespace of a line (1-based)."""
    text = code.splitlines()[line - 1]
    return text[: len(text) - len(text.lstrip())]


def _line_starts(data: bytes) -> list[int]:
    starts = [0]
    for index, byte in enumerate(data):
        if byte == 0x0A:
            starts.append(index + 1)
    return starts

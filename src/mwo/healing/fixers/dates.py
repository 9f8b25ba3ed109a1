"""Dates in a format other than the one the code parses: an ISO timestamp given to `strptime` with a
date-only format, or a Korean/dotted date given to `fromisoformat`. Only unambiguous, year-first
formats are guessed, and the value in the error is parsed here first to be sure."""

from __future__ import annotations

import ast
import re
from datetime import datetime

from mwo.healing.evaluation import Evaluation
from mwo.healing.fixers.base import Fix, Fixer, error_line, parse
from mwo.healing.request import ScriptRepairRequest
from mwo.healing.source_edits import Span, add_import, replace_spans, segment

_NO_MATCH = re.compile(r"time data (['\"])(.*)\1 does not match format")
_LEFT_OVER = re.compile(r"unconverted data remains: [T ]\d{2}:\d{2}")
_NOT_ISO = re.compile(r"Invalid isoformat string: (['\"])(.*)\1")
YEAR_FIRST_FORMATS = (
    "%Y년 %m월 %d일",
    "%Y년 %m월 %d일 %H시 %M분",
    "%Y.%m.%d",
    "%Y. %m. %d.",
    "%Y. %m. %d",
    "%Y/%m/%d",
    "%Y%m%d",
    "%Y-%m-%d %H:%M",
    "%Y.%m.%d %H:%M",
)


class IsoTimestampFixer(Fixer):
    """`strptime(value, "%Y-%m-%d")` on "2026-12-04T09:30:00": parse it with `fromisoformat`."""

    name = "iso_timestamp"

    def propose(self, current: Evaluation, request: ScriptRepairRequest) -> Fix | None:
        message = current.error.message if current.error is not None else ""
        given = _NO_MATCH.search(message)
        if not (_LEFT_OVER.search(message) or (given and _is_iso(given.group(2)))):
            return None
        call = _call_on_line(current, "strptime", 2)
        if call is None:
            return None
        assert isinstance(call.func, ast.Attribute)
        owner = segment(current.code, Span.of(call.func.value))
        text = f"{owner}.fromisoformat({segment(current.code, Span.of(call.args[0]))})"
        return Fix(
            replace_spans(current.code, [(Span.of(call), text)]),
            "the date is an ISO 8601 timestamp (with a time); it is read with fromisoformat",
        )


class DateFormatFixer(Fixer):
    """`fromisoformat("2026년 12월 4일")`: `strptime` with the one year-first format that reads it."""

    name = "date_format"

    def propose(self, current: Evaluation, request: ScriptRepairRequest) -> Fix | None:
        found = _NOT_ISO.search(current.error.message) if current.error is not None else None
        fmt = _format_of(found.group(2)) if found else None
        call = _call_on_line(current, "fromisoformat", 1) if found and fmt else None
        if call is None or found is None:
            return None
        assert isinstance(call.func, ast.Attribute)
        name, missing = _datetime_name(current.code)
        owner = segment(current.code, Span.of(call.func.value))
        value = segment(current.code, Span.of(call.args[0]))
        text = f"{name}.strptime({value}, {fmt!r})" + (".date()" if owner.endswith("date") else "")
        code = replace_spans(current.code, [(Span.of(call), text)])
        code = add_import(code, "from datetime import datetime") if missing else code
        return Fix(code, f"the date is written like {found.group(2)!r}; it is read with the format {fmt!r}")


def _is_iso(value: str) -> bool:
    try:
        datetime.fromisoformat(value)
    except ValueError:
        return False
    return True


def _format_of(value: str) -> str | None:
    fits = []
    for fmt in YEAR_FIRST_FORMATS:
        try:
            datetime.strptime(value.strip(), fmt)
        except ValueError:
            continue
        fits.append(fmt)
    return fits[0] if len(fits) == 1 else None


def _call_on_line(current: Evaluation, method: str, args: int) -> ast.Call | None:
    """The one call `<x>.<method>(...)` with `args` arguments on the line the error points at."""
    tree, line = parse(current.code), error_line(current)
    if tree is None or line is None:
        return None
    calls = [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and node.lineno == line
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == method
        and len(node.args) == args
    ]
    return calls[0] if len(calls) == 1 else None


def _datetime_name(code: str) -> tuple[str, bool]:
    """How the script names the datetime class, and whether an import of it must be added."""
    tree = parse(code)
    for node in tree.body if tree else []:
        named = node.names if isinstance(node, ast.ImportFrom) and node.module == "datetime" else []
        if any(alias.name == "datetime" and alias.asname is None for alias in named):
            return "datetime", False
        if isinstance(node, ast.Import) and any(
            a.name == "datetime" and a.asname is None for a in node.names
        ):
            return "datetime.datetime", False
    return "datetime", True

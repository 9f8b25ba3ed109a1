"""A KeyError on a key the input does not have, where the input has a near match (`titel` for `title`,
`Items` for `items`) or has the key one level down (`inputs["items"]` for `inputs["data"]["items"]`)."""

from __future__ import annotations

import ast
import difflib
import re
from collections.abc import Iterator
from typing import Any

from mwo.healing.evaluation import Evaluation
from mwo.healing.fixers.base import Fix, Fixer, error_line, inputs_name, main_of, parse
from mwo.healing.request import ScriptRepairRequest
from mwo.healing.source_edits import Span, replace_spans, segment, string_literal

_KEY_ERROR = re.compile(r"^KeyError: (['\"])(.*)\1$")
_MAX_KEYS = 2000


class KeyNameFixer(Fixer):
    """Rewrites the missing key on the failing line: to the input's nearest key, or to the path one
    level down when the key is under a single top-level key of the inputs."""

    name = "key_name"

    def propose(self, current: Evaluation, request: ScriptRepairRequest) -> Fix | None:
        missing = _missing_key(current)
        line = error_line(current)
        tree = parse(current.code)
        if missing is None or line is None or tree is None:
            return None
        literals = [
            n
            for n in ast.walk(tree)
            if isinstance(n, ast.Constant) and n.value == missing and n.lineno == line
        ]
        if not literals:
            return None
        nested = _one_level_down(tree, literals, missing, request.inputs)
        if nested is not None:
            return _nested_fix(current.code, nested, missing)
        near = _near_key(missing, request.inputs)
        if near is None:
            return None
        edits = [(Span.of(n), string_literal(near, segment(current.code, Span.of(n)))) for n in literals]
        code = replace_spans(current.code, edits)
        return Fix(code, f"the input has no key {missing!r}; used {near!r}, the nearest key it has")


def _nested_fix(code: str, nested: tuple[ast.Subscript, str], missing: str) -> Fix:
    node, parent = nested
    inner = segment(code, Span.of(node.value))
    like = segment(code, Span.of(node.slice))
    text = f"{inner}[{string_literal(parent, like)}][{string_literal(missing, like)}]"
    return Fix(
        replace_spans(code, [(Span.of(node), text)]),
        f"{missing!r} is not at the top of the input but under {parent!r}; read it from there",
    )


def _missing_key(current: Evaluation) -> str | None:
    if current.error is None:
        return None
    found = _KEY_ERROR.match(current.error.message.strip())
    return found.group(2) if found else None


def _one_level_down(
    tree: ast.Module, literals: list[ast.Constant], missing: str, inputs: dict[str, Any]
) -> tuple[ast.Subscript, str] | None:
    """`inputs[missing]` on the failing line, when exactly one top-level value of the inputs holds it."""
    main = main_of(tree)
    name = inputs_name(main) if main is not None else None
    holders = [k for k, v in inputs.items() if isinstance(v, dict) and missing in v]
    if name is None or len(holders) != 1:
        return None
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Subscript)
            and node.slice in literals
            and isinstance(node.value, ast.Name)
            and node.value.id == name
        ):
            return node, holders[0]
    return None


def _near_key(missing: str, inputs: Any) -> str | None:
    keys = list(dict.fromkeys(_keys(inputs)))
    folded = [k for k in keys if k.casefold() == missing.casefold() or k.strip() == missing.strip()]
    if folded:
        return folded[0]
    close = difflib.get_close_matches(missing, keys, n=2, cutoff=0.75)
    if len(close) == 1 or (
        len(close) == 2
        and difflib.SequenceMatcher(None, missing, close[0]).ratio()
        > difflib.SequenceMatcher(None, missing, close[1]).ratio()
    ):
        return close[0]
    return None


def _keys(value: Any, depth: int = 0) -> Iterator[str]:
    """Every key in the input (dicts inside lists too: the first few items), shallow ones first."""
    if depth > 6:
        return
    if isinstance(value, dict):
        yield from (k for k in list(value)[:_MAX_KEYS] if isinstance(k, str))
        for item in list(value.values())[:50]:
            yield from _keys(item, depth + 1)
    elif isinstance(value, list):
        for item in value[:5]:
            yield from _keys(item, depth + 1)

"""main returns a bare list, string or number where the contract wants a dict: wrap it under the key
the step's `output` schema names, else under "result"."""

from __future__ import annotations

import ast
from typing import Any

from mwo.healing.evaluation import Evaluation
from mwo.healing.fixers.base import Fix, Fixer, main_of, own_returns, parse
from mwo.healing.request import ScriptRepairRequest
from mwo.healing.source_edits import Span, replace_spans, segment, string_literal

_DICT_NODES = (ast.Dict, ast.DictComp)


class ReturnShapeFixer(Fixer):
    """Wraps every return value of main that is not a dict literal, when a check or the dry run says
    main does not return a dict."""

    name = "return_shape"

    def propose(self, current: Evaluation, request: ScriptRepairRequest) -> Fix | None:
        if not any(_says_not_a_dict(f.code, f.message) for f in current.errors):
            return None
        tree = parse(current.code)
        main = main_of(tree) if tree is not None else None
        if main is None:
            return None
        returns = [r for r in own_returns(main) if r.value is not None and not _is_dict(r.value)]
        if not returns:
            return None
        key = output_key(request.output_schema)
        if key == "result":
            key = _sibling_key(main) or key
        quoted = string_literal(key, '"')
        edits = [
            (Span.of(ret.value), f"{{{quoted}: {segment(current.code, Span.of(ret.value))}}}")
            for ret in returns
            if ret.value is not None
        ]
        why = (
            "the key the step's output schema or main's other returns use"
            if key != "result"
            else "no key named"
        )
        return Fix(
            replace_spans(current.code, edits),
            f"main did not return a dict; wrapped its value as {{{key!r}: ...}} ({why})",
        )


def output_key(schema: dict[str, Any] | None) -> str:
    """The one key an object schema asks for (its only required or only property), else "result"."""
    if not schema or schema.get("type") not in (None, "object"):
        return "result"
    required = schema.get("required") or []
    properties = list((schema.get("properties") or {}).keys())
    if len(required) == 1 and isinstance(required[0], str):
        return required[0]
    if len(properties) == 1:
        return str(properties[0])
    return "result"


def _sibling_key(main: ast.FunctionDef) -> str | None:
    """The one key every dict literal main returns elsewhere has (`return {"title": t}`), if any."""
    keys = set()
    for ret in own_returns(main):
        if isinstance(ret.value, ast.Dict):
            names = [
                k.value for k in ret.value.keys if isinstance(k, ast.Constant) and isinstance(k.value, str)
            ]
            if len(names) != 1 or len(ret.value.keys) != 1:
                return None
            keys.add(names[0])
    return keys.pop() if len(keys) == 1 else None


def _says_not_a_dict(code: str, message: str) -> bool:
    return code == "script.bad_return" or (code == "dryrun.bad_output" and "not a dict" in message)


def _is_dict(value: ast.expr) -> bool:
    if isinstance(value, _DICT_NODES):
        return True
    return isinstance(value, ast.Call) and isinstance(value.func, ast.Name) and value.func.id == "dict"

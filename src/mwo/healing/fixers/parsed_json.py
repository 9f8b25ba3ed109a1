"""`json.loads` of a value that is already parsed: the engine hands a step its inputs as JSON values
(dicts, lists), so `json.loads(inputs["data"])` fails with "the JSON object must be str ... not dict"."""

from __future__ import annotations

import ast

from mwo.healing.evaluation import Evaluation
from mwo.healing.fixers.base import Fix, Fixer, error_line, parse
from mwo.healing.request import ScriptRepairRequest
from mwo.healing.source_edits import Span, replace_spans, segment

_MESSAGE = "the JSON object must be str, bytes or bytearray, not"


class ParsedJsonFixer(Fixer):
    """Drops `json.loads(...)` around the value on the failing line (it is a dict or list already)."""

    name = "parsed_json"

    def propose(self, current: Evaluation, request: ScriptRepairRequest) -> Fix | None:
        if current.error is None or _MESSAGE not in current.error.message:
            return None
        line = error_line(current)
        tree = parse(current.code)
        if line is None or tree is None:
            return None
        calls = [
            node
            for node in ast.walk(tree)
            if isinstance(node, ast.Call)
            and node.lineno == line
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "loads"
            and len(node.args) == 1
        ]
        if len(calls) != 1:
            return None
        call = calls[0]
        code = replace_spans(current.code, [(Span.of(call), segment(current.code, Span.of(call.args[0])))])
        return Fix(code, "the input is parsed JSON already (a dict or list); json.loads is not needed")

"""main computes its result and never returns it (`result = {...}` or a `print(result)` at the end)."""

from __future__ import annotations

import ast

from mwo.healing.evaluation import Evaluation
from mwo.healing.fixers.base import Fix, Fixer, main_of, parse
from mwo.healing.request import ScriptRepairRequest
from mwo.healing.source_edits import Span, indentation_of, replace_spans, segment


class MissingReturnFixer(Fixer):
    """Returns what main's last statement computes: a bare expression becomes `return expr`, a final
    `print(x)` or `print(json.dumps(x))` becomes `return x`, else the last variable main assigned is
    returned."""

    name = "missing_return"

    def propose(self, current: Evaluation, request: ScriptRepairRequest) -> Fix | None:
        if not any(f.code == "script.no_return" for f in current.errors):
            return None
        tree = parse(current.code)
        main = main_of(tree) if tree is not None else None
        if main is None or not main.body:
            return None
        last = main.body[-1]
        printed = _printed_name(last)
        if printed is not None:
            code = replace_spans(current.code, [(Span.of(last), f"return {printed}")])
            return Fix(code, f"main printed {printed!r} instead of returning it; it returns it now")
        if isinstance(last, ast.Expr) and not isinstance(last.value, ast.Call):
            text = segment(current.code, Span.of(last.value))
            return Fix(
                replace_spans(current.code, [(Span.of(last), f"return {text}")]),
                "main's last line computed a value without returning it; it returns it now",
            )
        assigned = _last_assigned(main)
        if assigned is None:
            return None
        return Fix(
            _append_return(current.code, last, assigned),
            f"main never returned; it returns {assigned!r} now, the last value it assigned",
        )


def _printed_name(statement: ast.stmt) -> str | None:
    if not (isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Call)):
        return None
    call = statement.value
    if not (isinstance(call.func, ast.Name) and call.func.id == "print" and len(call.args) == 1):
        return None
    arg = call.args[0]
    if (
        isinstance(arg, ast.Call)
        and isinstance(arg.func, ast.Attribute)
        and arg.func.attr == "dumps"
        and arg.args
    ):
        arg = arg.args[0]
    return arg.id if isinstance(arg, ast.Name) else None


def _last_assigned(main: ast.FunctionDef) -> str | None:
    for statement in reversed(main.body):
        if isinstance(statement, (ast.Assign, ast.AnnAssign)):
            targets = statement.targets if isinstance(statement, ast.Assign) else [statement.target]
            if len(targets) == 1 and isinstance(targets[0], ast.Name):
                return targets[0].id
    return None


def _append_return(code: str, last: ast.stmt, name: str) -> str:
    """`return name` after main's last statement, at its indentation."""
    indent = indentation_of(code, last.lineno)
    lines = code.splitlines(keepends=True)
    end = last.end_lineno or last.lineno
    if not lines[end - 1].endswith("\n"):
        lines[end - 1] += "\n"
    lines.insert(end, f"{indent}return {name}\n")
    return "".join(lines)

"""The PYTHON_SCRIPT contract, read from the syntax tree: a top-level `def main(inputs) -> dict`.

The sandbox's harness calls `main(inputs)`, or `main(inputs, secrets)` when main takes two positional
parameters, and refuses anything but a dict back. What can be seen without running is checked here:
main exists, is a plain function with one or two positional parameters, and returns a value that
could be a dict.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from mwo.validation.catalogue import Language, Where, finding
from mwo.validation.findings import Finding, Severity

_NOT_DICT: tuple[tuple[type[ast.AST], str], ...] = (
    (ast.List, "a list"),
    (ast.ListComp, "a list"),
    (ast.Tuple, "a tuple"),
    (ast.Set, "a set"),
    (ast.SetComp, "a set"),
    (ast.JoinedStr, "a string"),
    (ast.GeneratorExp, "a generator"),
)


def contract_findings(
    tree: ast.Module, language: Language, *, step: str | None, field: str
) -> Iterator[Finding]:
    """Findings about `main`: missing, wrong signature, no return, a return that is plainly not a dict."""
    main = _main_of(tree)
    where = Where(step=step, field=field)
    if main is None:
        yield finding("script.no_main", Severity.ERROR, language, **where)
        return
    problem = _signature_problem(main)
    if problem:
        yield finding(
            "script.main_signature", Severity.ERROR, language, line=main.lineno, detail=problem, **where
        )
    returns = list(_own_returns(main))
    if not any(r.value is not None for r in returns) and not _only_raises(main):
        yield finding("script.no_return", Severity.ERROR, language, line=main.lineno, **where)
    for ret in returns:
        what = _not_a_dict(ret.value)
        if what:
            yield finding("script.bad_return", Severity.ERROR, language, line=ret.lineno, what=what, **where)


def _main_of(tree: ast.Module) -> ast.FunctionDef | ast.AsyncFunctionDef | None:
    found = None
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == "main":
            found = node  # the last definition wins, as at run time
    return found


def _signature_problem(main: ast.FunctionDef | ast.AsyncFunctionDef) -> str | None:
    if isinstance(main, ast.AsyncFunctionDef):
        return "is `async def`; the sandbox calls it as a plain function and gets a coroutine, not a dict"
    args = main.args
    positional = [*args.posonlyargs, *args.args]
    required = len(positional) - len(args.defaults)
    if not positional and args.vararg is None:
        return "takes no parameter; it is called with the step's inputs"
    if required > 2:
        return f"requires {required} parameters; it is called with (inputs) or (inputs, secrets)"
    missing_kw = [a.arg for a, d in zip(args.kwonlyargs, args.kw_defaults, strict=True) if d is None]
    if missing_kw:
        return f"requires keyword-only parameter(s) {', '.join(missing_kw)}, which are never passed"
    return None


def _own_returns(function: ast.AST) -> Iterator[ast.Return]:
    """The return statements of `function` itself, not of functions or classes nested in it."""
    for child in ast.iter_child_nodes(function):
        if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
            continue
        if isinstance(child, ast.Return):
            yield child
        yield from _own_returns(child)


def _only_raises(main: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """A main whose body ends by raising is not 'missing a return' (it always fails loudly)."""
    return bool(main.body) and isinstance(main.body[-1], ast.Raise)


def _not_a_dict(value: ast.expr | None) -> str | None:
    if value is None:
        return "None (a bare `return`)"
    if isinstance(value, ast.Constant):
        return "None" if value.value is None else f"a {type(value.value).__name__}"
    for kind, words in _NOT_DICT:
        if isinstance(value, kind):
            return words
    return None

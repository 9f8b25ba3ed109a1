"""Error handling a script must have (the original product: "every script handles its errors"):
a failure is reported or raised, never swallowed.

Warnings, not errors: `except ...: pass` that hides a failure, a bare `except:`, and a broad handler
around an I/O call that neither raises, prints, logs nor uses the error it caught.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from mwo.validation.catalogue import Language, Where, finding
from mwo.validation.findings import Finding, Severity

_IO_TAILS = frozenset(
    {
        "open",
        "urlopen",
        "read_text",
        "write_text",
        "read_bytes",
        "write_bytes",
        "load",
        "dump",
        "connect",
        "mkdir",
        "unlink",
        "rename",
        "copyfile",
        "request",
    }
)
_NETWORK_ROOTS = frozenset({"requests", "httpx", "urllib", "socket"})
_BROAD = frozenset({"Exception", "BaseException", "OSError", "IOError", "EnvironmentError"})
_REPORTERS = frozenset({"print", "exception", "error", "warning", "critical", "log"})


def error_handling_findings(
    tree: ast.Module, language: Language, *, step: str | None, field: str
) -> Iterator[Finding]:
    """Warnings for handlers that hide failures, each at the handler's line."""
    where = Where(step=step, field=field)
    for node in ast.walk(tree):
        if not isinstance(node, ast.Try):
            continue
        io_call = _first_io_call(node.body)
        for handler in node.handlers:
            line = handler.lineno
            if handler.type is None:
                yield finding("script.bare_except", Severity.WARNING, language, line=line, **where)
            if _does_nothing(handler):
                yield finding(
                    "script.swallowed_error",
                    Severity.WARNING,
                    language,
                    line=line,
                    handler=_handler_text(handler),
                    **where,
                )
            elif io_call and _is_broad(handler) and not _reports(handler):
                yield finding(
                    "script.unreported_error", Severity.WARNING, language, line=line, call=io_call, **where
                )


def _handler_text(handler: ast.ExceptHandler) -> str:
    return f"except {ast.unparse(handler.type)}:" if handler.type is not None else "except:"


def _does_nothing(handler: ast.ExceptHandler) -> bool:
    """`pass`, `...`, `continue` or a bare string: the failure vanishes."""
    return all(
        isinstance(stmt, (ast.Pass, ast.Continue))
        or (isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant))
        for stmt in handler.body
    )


def _is_broad(handler: ast.ExceptHandler) -> bool:
    if handler.type is None:
        return True
    names = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    return any(isinstance(n, ast.Name) and n.id in _BROAD for n in names)


def _reports(handler: ast.ExceptHandler) -> bool:
    """The handler raises, uses the caught error, or prints / logs something."""
    for node in ast.walk(ast.Module(body=handler.body, type_ignores=[])):
        if isinstance(node, ast.Raise):
            return True
        if handler.name and isinstance(node, ast.Name) and node.id == handler.name:
            return True
        if isinstance(node, ast.Call) and _tail(node.func) in _REPORTERS:
            return True
    return False


def _first_io_call(body: list[ast.stmt]) -> str | None:
    for node in ast.walk(ast.Module(body=body, type_ignores=[])):
        if isinstance(node, ast.Call):
            tail, root = _tail(node.func), _root(node.func)
            if tail in _IO_TAILS or root in _NETWORK_ROOTS:
                return ast.unparse(node.func)
    return None


def _tail(func: ast.expr) -> str | None:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return None


def _root(func: ast.expr) -> str | None:
    while isinstance(func, ast.Attribute):
        func = func.value
    return func.id if isinstance(func, ast.Name) else None

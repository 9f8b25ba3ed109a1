"""A repair never widens what a script may do: a candidate that adds a forbidden module, call or
attribute (processes, the environment, sockets, the network without allow_net, eval) or reads a
secret the step does not have is rejected before it runs anywhere."""

from __future__ import annotations

import ast
from collections.abc import Iterable

from mwo.validation.findings import Finding

PERMISSION_CODES = frozenset(
    {"script.forbidden_module", "script.forbidden_call", "script.forbidden_attribute"}
)


def widening(
    before: Iterable[Finding],
    after: Iterable[Finding],
    candidate: str,
    original: str,
    secrets: tuple[str, ...],
) -> list[str]:
    """What the candidate asks for beyond the original (empty: nothing), in words."""
    had = {_permission(f) for f in before if f.code in PERMISSION_CODES}
    added = [f.message for f in after if f.code in PERMISSION_CODES and _permission(f) not in had]
    allowed = set(secrets) | secret_names(original)
    added += [f"the secret {name!r}" for name in sorted(secret_names(candidate) - allowed)]
    return list(dict.fromkeys(added))


def secret_names(code: str) -> set[str]:
    """Names main reads from its second parameter (`secrets["KEY"]`, `secrets.get("KEY")`)."""
    try:
        tree = ast.parse(code)
    except (SyntaxError, ValueError):
        return set()
    param = _secrets_param(tree)
    if param is None:
        return set()
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Subscript) and _is_name(node.value, param):
            names.add(_text(node.slice))
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and _is_name(node.func.value, param)
            and node.args
        ):
            names.add(_text(node.args[0]))
    return names


def _secrets_param(tree: ast.Module) -> str | None:
    mains = [n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == "main"]
    if not mains:
        return None
    positional = [*mains[-1].args.posonlyargs, *mains[-1].args.args]
    return positional[1].arg if len(positional) >= 2 else None


def _is_name(node: ast.AST, name: str) -> bool:
    return isinstance(node, ast.Name) and node.id == name


def _text(node: ast.AST) -> str:
    """A secret's name; a computed one counts as a secret of its own (`<computed>`)."""
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else "<computed>"


def _permission(finding: Finding) -> str:
    """A permission finding without its place (the same import on another line is not new)."""
    return f"{finding.code}|{finding.message}"

"""Forbidden modules, calls and attributes in a script, found on its syntax tree by the policy table.

Names are resolved through the script's own imports (`import os as o; o.system(...)` is `os.system`,
`from subprocess import run` makes `run` a subprocess call), so a renamed import does not slip by.
"""

from __future__ import annotations

import ast
import posixpath
from collections.abc import Iterator

from mwo.validation import policy
from mwo.validation.catalogue import Language, Where, finding
from mwo.validation.findings import Finding, Severity


def safety_findings(
    tree: ast.Module, language: Language, *, step: str | None, field: str, allow_net: bool
) -> Iterator[Finding]:
    """Every forbidden import, call, environment read and escape attribute, each with its line."""
    aliases = _aliases(tree)
    where = Where(step=step, field=field)
    for node in ast.walk(tree):
        yield from _check_node(node, aliases, language, allow_net, where)


def _check_node(
    node: ast.AST, aliases: dict[str, str], language: Language, allow_net: bool, where: Where
) -> Iterator[Finding]:
    line = getattr(node, "lineno", None)
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        refused: dict[str, policy.Rule] = {}
        for module in _imported_modules(node):
            found = policy.module_rule(module)
            if found and not (found[1].net and allow_net):
                refused.setdefault(found[0], found[1])
        for module, rule in refused.items():
            yield _rule_finding("script.forbidden_module", rule, language, line, where, module=module)
    elif isinstance(node, ast.Call):
        yield from _check_call(node, aliases, language, allow_net, where)
    elif isinstance(node, ast.Attribute):
        if node.attr in policy.ESCAPE_ATTRIBUTES:
            yield finding(
                "script.forbidden_attribute",
                Severity.ERROR,
                language,
                line=line,
                attribute=node.attr,
                **where,
            )
        dotted = _dotted(node, aliases)
        if dotted is not None and dotted in policy.FORBIDDEN_NAMES:
            rule = policy.FORBIDDEN_NAMES[dotted]
            yield _rule_finding("script.forbidden_call", rule, language, line, where, call=dotted)


def _check_call(
    node: ast.Call, aliases: dict[str, str], language: Language, allow_net: bool, where: Where
) -> Iterator[Finding]:
    dotted = _dotted(node.func, aliases)
    if dotted is None:
        return
    line = node.lineno
    rule = policy.call_rule(dotted)
    if rule and not (rule.net and allow_net):
        yield _rule_finding("script.forbidden_call", rule, language, line, where, call=dotted)
    elif dotted in policy.PATH_CALLS and _outside_work_dir(_first_arg(node)):
        yield _rule_finding(
            "script.forbidden_call", policy.PATH_CALLS[dotted], language, line, where, call=dotted
        )
    elif dotted == "open" and _writes(node) and _outside_work_dir(_first_arg(node)):
        yield _rule_finding("script.forbidden_call", policy.WRITE_RULE, language, line, where, call="open")
    elif dotted == "getattr" and len(node.args) >= 2:
        name = node.args[1]
        if isinstance(name, ast.Constant) and name.value in policy.ESCAPE_ATTRIBUTES:
            yield finding(
                "script.forbidden_attribute",
                Severity.ERROR,
                language,
                line=line,
                attribute=name.value,
                **where,
            )


def _rule_finding(
    code: str,
    rule: policy.Rule,
    language: Language,
    line: int | None,
    where: Where,
    **names: str,
) -> Finding:
    return finding(
        code,
        Severity.ERROR,
        language,
        line=line,
        why=rule.why,
        fix=rule.fix,
        why_ko=rule.why_ko,
        fix_ko=rule.fix_ko,
        **names,
        **where,
    )


def _aliases(tree: ast.Module) -> dict[str, str]:
    """Local name -> the dotted name it stands for, from every import in the script."""
    aliases: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    aliases[alias.asname] = alias.name
                else:
                    root = alias.name.split(".")[0]
                    aliases[root] = root
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            for alias in node.names:
                aliases[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    return aliases


def _imported_modules(node: ast.Import | ast.ImportFrom) -> Iterator[str]:
    if isinstance(node, ast.Import):
        for alias in node.names:
            yield alias.name
    elif node.module and not node.level:
        yield node.module
        for alias in node.names:  # `from urllib import request` imports urllib.request
            yield f"{node.module}.{alias.name}"


def _dotted(node: ast.expr, aliases: dict[str, str]) -> str | None:
    """`a.b.c` with `a` resolved through the imports, or None for anything that is not a name chain."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    parts.append(aliases.get(node.id, node.id))
    return ".".join(reversed(parts))


def _first_arg(node: ast.Call) -> ast.expr | None:
    return node.args[0] if node.args else None


def _writes(node: ast.Call) -> bool:
    mode: ast.expr | None = node.args[1] if len(node.args) > 1 else None
    for keyword in node.keywords:
        if keyword.arg == "mode":
            mode = keyword.value
    return (
        isinstance(mode, ast.Constant)
        and isinstance(mode.value, str)
        and bool(policy.WRITE_MODES & set(mode.value))
    )


def _outside_work_dir(path: ast.expr | None) -> bool:
    """A literal path that is absolute or climbs out with `..` (others are left to the sandbox)."""
    if not (isinstance(path, ast.Constant) and isinstance(path.value, str)):
        return False
    text = path.value
    return text.startswith(("/", "~")) or posixpath.normpath(text).startswith("..")

"""Templates that reach for the interpreter's internals (`__class__`, `mro`, `__globals__` ...), found on
their syntax trees before anything renders them.

The sandboxed Jinja environment refuses these at render time, so such a workflow would fail only when
it runs; the validator names the step, the field and the attribute instead.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from jinja2 import TemplateSyntaxError, nodes
from jinja2.sandbox import ImmutableSandboxedEnvironment

from mwo.validation.policy import ESCAPE_ATTRIBUTES

_EXPRESSION_KEYS = frozenset({"when", "source", "where", "with", "filter"})
_CODE_KEYS = frozenset({"code", "id", "type"})


def unsafe_attributes(text: str, *, expression: bool, env: ImmutableSandboxedEnvironment) -> list[str]:
    """The escape attributes `text` names (`x.__class__`, `x['mro']`, `x|attr('__globals__')`)."""
    try:
        tree = env.parse("{{ " + text + " }}" if expression else text)
    except TemplateSyntaxError:
        return []  # the spec checks report the syntax error
    found = []
    for node in tree.find_all((nodes.Getattr, nodes.Getitem, nodes.Name, nodes.Filter)):
        name = _accessed(node)
        if name in ESCAPE_ATTRIBUTES:
            found.append(name)
    return found


def _accessed(node: nodes.Node) -> str | None:
    if isinstance(node, nodes.Getattr):
        return str(node.attr)
    if isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Const):
        return str(node.arg.value)
    if isinstance(node, nodes.Name):
        return str(node.name)
    if isinstance(node, nodes.Filter) and node.name == "attr" and node.args:
        arg = node.args[0]
        return str(arg.value) if isinstance(arg, nodes.Const) else None
    return None


def template_strings(data: Any, path: str = "", key: str = "") -> Iterator[tuple[str, str, bool]]:
    """(field path, text, is an expression) for every string of a dumped config but code and ids."""
    if isinstance(data, str):
        yield path, data, key in _EXPRESSION_KEYS or path.split(".")[-2:-1] == ["fields"]
    elif isinstance(data, list):
        for i, value in enumerate(data):
            yield from template_strings(value, f"{path}[{i}]", key)
    elif isinstance(data, dict):
        for k, value in data.items():
            if k not in _CODE_KEYS:
                yield from template_strings(value, f"{path}.{k}" if path else k, k)

"""Templates that reach for the interpreter's internals (`__class__`, `mro`, `__globals__` ...), found on
their syntax trees before anything renders them.

The sandboxed Jinja environment refuses these at render time, so such a workflow would fail only when
it runs; the validator names the step, the field and the attribute instead.
"""

from __future__ import annotations

from jinja2 import TemplateSyntaxError, nodes
from jinja2.sandbox import ImmutableSandboxedEnvironment

from mwo.validation.policy import ESCAPE_ATTRIBUTES


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

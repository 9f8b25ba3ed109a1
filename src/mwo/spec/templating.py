"""References between steps: sandboxed Jinja2 templates and expressions, rendered and checked.

One language for both uses: `"Hello {{ inputs.name }}"` (a template, renders to text) and
`steps.fetch.output.status == 200` (an expression, evaluates to a value). A string that is exactly one
`{{ expr }}` renders to the expression's native value, so lists and dicts pass between steps intact.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from jinja2 import StrictUndefined, TemplateSyntaxError, UndefinedError, nodes
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError

ROOTS = ("steps", "inputs", "secrets", "item", "event", "run")


class TemplateError(ValueError):
    """A template that cannot be parsed or rendered; `fix` says what to change."""

    def __init__(self, message: str, fix: str) -> None:
        super().__init__(message)
        self.fix = fix


@dataclass(frozen=True)
class Reference:
    """A use of `steps.<id>`, `inputs.<name>` or `secrets.<NAME>` found in a template."""

    root: str
    name: str | None


class _Sandbox(ImmutableSandboxedEnvironment):
    """Sandbox in which `a.items` means the key `items` of a mapping, not the `dict.items` method."""

    def getattr(self, obj: Any, attribute: str) -> Any:
        if isinstance(obj, Mapping) and attribute in obj:
            return obj[attribute]
        return super().getattr(obj, attribute)


def _environment() -> ImmutableSandboxedEnvironment:
    env = _Sandbox(undefined=StrictUndefined, autoescape=False)
    env.filters["tojson_ko"] = _tojson_unicode
    return env


def _tojson_unicode(value: Any) -> str:
    import json

    return json.dumps(value, ensure_ascii=False)


class Templates:
    """Parses, checks and renders templates; one sandboxed environment per instance."""

    def __init__(self) -> None:
        self._env = _environment()

    def references(self, source: str, *, expression: bool = False) -> list[Reference]:
        """Every root reference in `source` (a template, or an expression when `expression`)."""
        tree = self._parse(source, expression)
        return list(_walk_references(tree))

    def render(self, source: str, context: Mapping[str, Any]) -> Any:
        """Render a template; a lone `{{ expr }}` gives the expression's value, not its text."""
        if "{{" not in source and "{%" not in source:
            return source
        lone = _lone_expression(source)
        if lone is not None:
            return self.evaluate(lone, context)
        try:
            return self._env.from_string(source).render(**context)
        except (UndefinedError, SecurityError, TypeError, TemplateSyntaxError) as exc:
            raise TemplateError(f"cannot render {source!r}: {exc}", _fix_for(exc)) from exc

    def evaluate(self, expression: str, context: Mapping[str, Any]) -> Any:
        """Evaluate one expression in the sandbox (no Python eval anywhere)."""
        try:
            compiled = self._env.compile_expression(expression, undefined_to_none=False)
            value = compiled(**context)
        except (UndefinedError, SecurityError, TypeError, TemplateSyntaxError, ZeroDivisionError) as exc:
            raise TemplateError(f"cannot evaluate {expression!r}: {exc}", _fix_for(exc)) from exc
        if isinstance(value, StrictUndefined):
            raise TemplateError(f"{expression!r} is undefined", "check the step id and field names")
        return value

    def render_tree(self, value: Any, context: Mapping[str, Any]) -> Any:
        """Render every string inside nested dicts and lists."""
        if isinstance(value, str):
            return self.render(value, context)
        if isinstance(value, dict):
            return {k: self.render_tree(v, context) for k, v in value.items()}
        if isinstance(value, list):
            return [self.render_tree(v, context) for v in value]
        return value

    def _parse(self, source: str, expression: bool) -> nodes.Template:
        text = "{{ " + source + " }}" if expression else source
        try:
            return self._env.parse(text)
        except TemplateSyntaxError as exc:
            raise TemplateError(
                f"template syntax error in {source!r}: {exc.message}",
                "check the braces and the expression; e.g. {{ steps.fetch.output.json }}",
            ) from exc


def _lone_expression(source: str) -> str | None:
    stripped = source.strip()
    if not (stripped.startswith("{{") and stripped.endswith("}}")):
        return None
    inner = stripped[2:-2]
    if "{{" in inner or "}}" in inner or "{%" in inner:
        return None
    return inner.strip()


def _walk_references(tree: nodes.Node) -> Iterator[Reference]:
    for name_node in tree.find_all(nodes.Name):
        if name_node.name in ROOTS and name_node.ctx == "load":
            yield Reference(name_node.name, None)
    for node in tree.find_all((nodes.Getattr, nodes.Getitem)):
        target = node.node
        if isinstance(target, nodes.Name) and target.name in ROOTS:
            key = _static_key(node)
            if key is not None:
                yield Reference(target.name, key)


def _static_key(node: nodes.Node) -> str | None:
    if isinstance(node, nodes.Getattr):
        return str(node.attr)
    if isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Const):
        return str(node.arg.value)
    return None


def _fix_for(exc: Exception) -> str:
    if isinstance(exc, UndefinedError):
        return "the referenced step, input or field does not exist in this run; check names and the step order"
    if isinstance(exc, SecurityError):
        return "templates may only read values; calling methods or private attributes is not allowed"
    return "check the expression's types and syntax"

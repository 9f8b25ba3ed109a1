"""Reading and writing `*.mwo.yaml` files: the one place a spec's text becomes data.

Writing is canonical (defaults left out, keys in model order, block style, Unicode kept), so
`dump(load(dump(w))) == dump(w)` and `load(dump(w)) == w`: files round-trip exactly.

Reading is bounded, because specs come from API clients and files: at most `MAX_ALIASES` aliases
(`*name`), a document that expands through them to at most `MAX_EXPANSION` times its own text (a
"billion laughs" of nested anchors is refused before any Python value is built), and at most
`MAX_DEPTH` levels of nesting (deeper would exhaust the recursion of the YAML composer and of the
validators). The same bounds hold for a spec sent as JSON (`workflow_from_data`). They are fixed,
not settings: a spec accepted once must load the same way everywhere it is read again.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from mwo.nesting import deeper_than
from mwo.spec.checks import check_workflow
from mwo.spec.errors import SpecError, SpecErrorCode, SpecFinding
from mwo.spec.steps import StepType
from mwo.spec.workflow import Workflow


class _Dumper(yaml.SafeDumper):
    """Block style, multi-line strings as literal blocks."""


def _str_representer(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str_representer)

MAX_ALIASES = 100
"""Aliases (`*name`) a spec may use; real specs use a handful, if any."""
MAX_EXPANSION = 10
"""How many times its own text a spec may grow through aliases (counted in characters of scalars
plus one per node); plain YAML without aliases stays under 2."""
MIN_EXPANSION_BUDGET = 10_000
"""The expansion allowed to any spec however short, so small specs may share an anchor or two."""
MAX_DEPTH = 64
"""Levels of nested mappings and lists a spec may have; real specs need fewer than 15."""


class YamlTooLarge(yaml.YAMLError):
    """A document past a bound (aliases, expansion, depth); `parse_workflow` makes it a SpecError,
    other readers catch it as the `yaml.YAMLError` it is."""


class _BoundedLoader(yaml.SafeLoader):
    """PyYAML's safe loader that counts aliases and nesting while it composes the node tree."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._aliases = 0
        self._depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            self._aliases += 1
            if self._aliases > MAX_ALIASES:
                raise YamlTooLarge(f"the spec uses more than {MAX_ALIASES} aliases (*name)")
            return super().compose_node(parent, index)
        self._depth += 1
        if self._depth > MAX_DEPTH:
            raise YamlTooLarge(f"the spec nests more than {MAX_DEPTH} levels deep")
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def _expanded_size(root: yaml.Node, budget: int) -> None:
    """Raise YamlTooLarge when the node tree, with every alias written out, is larger than `budget`.
    Sizes are computed once per node (aliases share nodes), without recursion; a node that
    contains itself (a recursive anchor) expands forever and is refused too."""
    sizes: dict[int, int] = {}
    on_path: set[int] = set()
    todo: list[tuple[yaml.Node, bool]] = [(root, False)]
    while todo:
        node, children_done = todo.pop()
        key = id(node)
        if key in sizes:
            continue
        children = _children(node)
        if not children_done:
            if key in on_path:
                raise YamlTooLarge("the spec has an anchor that contains itself")
            on_path.add(key)
            todo.append((node, True))
            todo.extend((child, False) for child in children if id(child) not in sizes)
            continue
        on_path.discard(key)
        if isinstance(node, yaml.ScalarNode):
            size = 1 + len(str(node.value))
        else:
            size = 1 + sum(sizes[id(child)] for child in children)
        if size > budget:
            raise YamlTooLarge("the spec expands through its aliases to far more than its own text")
        sizes[key] = size


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    return []


def load_yaml_data(text: str) -> Any:
    """The data of one YAML document, within the bounds above: `YamlTooLarge` past them, another
    `yaml.YAMLError` for bad syntax. Used for specs and for any other YAML MWO reads from outside."""
    loader = _BoundedLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        _expanded_size(node, max(MIN_EXPANSION_BUDGET, MAX_EXPANSION * len(text)))
        return loader.construct_document(node)
    finally:
        loader.dispose()


def _limit_error(problem: str, file: str | None) -> SpecError:
    return SpecError(
        [
            SpecFinding(
                SpecErrorCode.TOO_LARGE,
                problem,
                "write the spec out plainly: fewer anchors and aliases, less nesting",
            )
        ],
        file=file,
    )


def dump_workflow(workflow: Workflow) -> str:
    """The canonical YAML text of a workflow."""
    return yaml.dump(
        workflow.canonical_dict(), Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100
    )


def parse_workflow(text: str, *, file: str | None = None) -> Workflow:
    """Parse YAML text into a Workflow; SpecError names every schema problem with its location."""
    try:
        data = load_yaml_data(text)
    except YamlTooLarge as exc:
        raise _limit_error(str(exc), file) from None
    except RecursionError:
        raise _limit_error("the spec nests too deeply to be read", file) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise SpecError(
            [
                SpecFinding(
                    SpecErrorCode.YAML_SYNTAX,
                    f"{where}{problem}",
                    "fix the YAML syntax (indentation, a missing colon or quote)",
                )
            ],
            file=file,
        ) from exc
    if not isinstance(data, dict):
        raise SpecError(
            [
                SpecFinding(
                    SpecErrorCode.SCHEMA,
                    "the file is not a mapping of workflow fields",
                    "start the file with `name:`, `steps:` ... (see `mwo schema`)",
                )
            ],
            file=file,
        )
    return workflow_from_data(data, file=file)


def workflow_from_data(data: dict[str, Any], *, file: str | None = None) -> Workflow:
    """A Workflow from parsed YAML or JSON; SpecError names every problem (nesting past `MAX_DEPTH`
    is refused before the schema sees it)."""
    if deeper_than(data, MAX_DEPTH):
        raise _limit_error(f"the spec nests more than {MAX_DEPTH} levels deep", file)
    try:
        return Workflow.model_validate(data)
    except ValidationError as exc:
        raise SpecError([_finding_from_pydantic(err, data) for err in exc.errors()], file=file) from exc


def load_workflow(path: str | Path, known_secrets: set[str] | None = None, *, check: bool = True) -> Workflow:
    """Read, parse and (by default) statically check a spec file."""
    file = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise SpecError(
            [SpecFinding(SpecErrorCode.SCHEMA, f"cannot read the file: {exc.strerror}", "check the path")],
            file=file,
        ) from exc
    workflow = parse_workflow(text, file=file)
    if check:
        findings = check_workflow(workflow, known_secrets)
        if findings:
            raise SpecError(findings, file=file)
    return workflow


def _finding_from_pydantic(err: Any, data: dict[str, Any]) -> SpecFinding:
    """A schema error in MWO's words: the field as written in the spec (no union tags such as
    `cron.cron`), the message without pydantic's phrasing ("Value error, ...", "Input should be")."""
    loc = [str(p) for p in err["loc"]]
    step_id = None
    if len(loc) >= 2 and loc[0] == "steps" and loc[1].isdigit():
        steps = data.get("steps") or []
        index = int(loc[1])
        if index < len(steps) and isinstance(steps[index], dict):
            step_id = str(steps[index].get("id", f"#{index + 1}"))
        loc = [p for p in loc[2:] if not p.isupper() and not p.startswith("function-")]
    elif len(loc) >= 2 and loc[0] == "trigger":
        trigger = data.get("trigger")
        if isinstance(trigger, dict) and trigger.get("type") == loc[1]:
            loc = [loc[0], *loc[2:]]  # the tagged union's tag, not a field of the spec
    field = ".".join(p for p in loc if not p.startswith("function-")) or None
    message, fix = _our_words(err)
    if err["type"] == "union_tag_invalid":
        if isinstance(err["input"], dict):
            message = f"unknown step type {err['input'].get('type')!r}"
        fix = "use one of: " + ", ".join(t.value for t in StepType)
    elif err["type"] == "union_tag_not_found":
        fix = "add a `type:` field"
    elif err["type"] == "extra_forbidden":
        message = f"unknown field '{loc[-1] if loc else ''}'"
        fix = "remove it or check its spelling (see `mwo schema`)"
    elif err["type"] == "missing":
        message = "this field is required"
        fix = "add this field"
    return SpecFinding(SpecErrorCode.SCHEMA, message, fix, step=step_id, field=field)


_SCHEMA_FIX = "see `mwo schema` for the allowed values"
_KIND_OF_VALUE = {
    "string_type": "text",
    "int_type": "a whole number",
    "int_parsing": "a whole number",
    "int_from_float": "a whole number",
    "float_type": "a number",
    "float_parsing": "a number",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
    "dict_type": "a mapping (key: value lines)",
    "list_type": "a list",
    "model_type": "a mapping (key: value lines)",
    "model_attributes_type": "a mapping (key: value lines)",
}


def _our_words(err: Any) -> tuple[str, str]:
    """(message, fix) for one pydantic error, phrased as MWO speaks."""
    kind, ctx = err["type"], err.get("ctx") or {}
    if kind == "value_error" and "error" in ctx:  # our own validators' words, after "Value error, "
        text = str(ctx["error"])
        message, _, hint = text.partition("; ")
        return message, hint or _SCHEMA_FIX
    if kind in _KIND_OF_VALUE:
        return f"must be {_KIND_OF_VALUE[kind]}, not {_shown(err.get('input'))}", _SCHEMA_FIX
    bounds = {
        "greater_than": "must be greater than {gt}",
        "greater_than_equal": "must be at least {ge}",
        "less_than": "must be less than {lt}",
        "less_than_equal": "must be at most {le}",
        "string_too_short": "must have at least {min_length} character(s)",
        "string_too_long": "must have at most {max_length} characters",
        "too_short": "must have at least {min_length} item(s)",
        "too_long": "must have at most {max_length} items",
        "literal_error": "must be one of {expected}",
        "enum": "must be one of {expected}",
    }
    if kind in bounds:
        return bounds[kind].format(**ctx) + f", not {_shown(err.get('input'))}", _SCHEMA_FIX
    if kind == "string_pattern_mismatch":
        names = str(err["loc"][-1]) in ("name", "id", "next", "default", "goto")
        return (
            f"{_shown(err.get('input'))} is not allowed here",
            "use lowercase letters, digits and '-', starting with a letter or digit"
            if names
            else f"write a value matching {ctx.get('pattern', '')}",
        )
    message = str(err["msg"])
    for theirs, ours in (("Value error, ", ""), ("Input should be", "must be")):
        message = message.replace(theirs, ours)
    return message, _SCHEMA_FIX


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."

"""DATA_TRANSFORM: reshapes earlier outputs with declarative ops, no code and no Python eval.

The step's `source` expression gives a value; each op turns the value into the next one. One small
function per op, found by the op's class, so an op is read, tested and extended alone.

Expressions (`where`, map fields, `with`) and format templates go through the sandboxed Templates,
compiled once and cached there: a filter evaluates the same expression for every record, and a
workflow may chain dozens of transforms per run.

Conventions every op shares:
- a record is a JSON object (a dict); a field is a key or a dotted path (`meta.date`), an exact key winning;
- a missing field reads as None, it is not an error;
- records are never changed in place: they belong to the earlier step's recorded output;
- an op given a value of the wrong type fails with CONFIG, naming the op and the type found.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Final

import jmespath
from jmespath.exceptions import JMESPathError
from pydantic import BaseModel

from mwo.engine.executor import StepContext
from mwo.engine.failures import StepFailed
from mwo.errors import FailureKind
from mwo.spec import DataTransformStep, StepType, TemplateError
from mwo.spec.steps import (
    FilterOp,
    FormatOp,
    GroupOp,
    JmespathOp,
    JoinOp,
    LimitOp,
    MapOp,
    SelectOp,
    SortOp,
)
from mwo.store.records import LogLevel

__all__ = ["DataTransformExecutor"]

_MISSING: Final = object()
_SMALL_NODES: Final = 30
_SMALL_TEXT: Final = 300
JOIN_CLASH_PREFIX: Final = "right_"
"""Prefix of a joined record's field whose name the left record already uses."""

_Record = dict[str, Any]
_OpFunction = Callable[[Any, Any, "_Tools"], Any]


class DataTransformExecutor:
    """Evaluates `source`, applies the ops in order; output `{"result": value, "count": len or None}`."""

    step_type = StepType.DATA_TRANSFORM
    step_class = DataTransformStep
    side_effects = False

    def __init__(self) -> None:
        self._ops: Mapping[type[BaseModel], _OpFunction] = {
            SelectOp: _select,
            FilterOp: _filter,
            MapOp: _map,
            SortOp: _sort,
            LimitOp: _limit,
            GroupOp: _group,
            JoinOp: _join,
            FormatOp: _format,
            JmespathOp: _jmespath,
        }

    def execute(self, step: DataTransformStep, ctx: StepContext) -> dict[str, Any]:
        """Run the pipeline; expression failures are TEMPLATE, wrong shapes and bad ops are CONFIG."""
        tools = _Tools(ctx)
        value = tools.evaluate(step.source, "source")
        ops = [op.model_dump(by_alias=True) for op in step.ops]
        ctx.rendered_input = {"source": _summary(value), "ops": ops}
        for op in step.ops:
            value = self._ops[type(op)](op, value, tools)
        return {"result": value, "count": len(value) if isinstance(value, list) else None}


@dataclass(frozen=True)
class _Tools:
    """What the op functions may use during one execute: expressions bound to the step's scope, the log."""

    ctx: StepContext

    def evaluate(self, expression: str, where: str) -> Any:
        """Evaluate once against the step's scope (the source, join's `with`)."""
        compiled = self._compile(self.ctx.templates.compile_expression, expression, where)
        try:
            return _plain(compiled(self.ctx.scope))
        except TemplateError as exc:
            raise _template_failure(where, exc) from exc

    def per_item(self, expression: str, op: str) -> Callable[[Any, int], Any]:
        """`expression` compiled once, as a function of (record bound to `item`, its index)."""
        return self._bind(self._compile(self.ctx.templates.compile_expression, expression, op), op)

    def template(self, source: str, op: str) -> Callable[[Any, int], Any]:
        """`source` compiled once, rendering one string per (record bound to `item`, its index)."""
        return self._bind(self._compile(self.ctx.templates.compile_template, source, op), op)

    def warn(self, message: str) -> None:
        self.ctx.log(LogLevel.WARNING, message)

    def _bind(self, compiled: Callable[[Mapping[str, Any]], Any], op: str) -> Callable[[Any, int], Any]:
        scope = self.ctx.scope

        def apply(item: Any, index: int) -> Any:
            try:
                return _plain(compiled({**scope, "item": item}))
            except TemplateError as exc:
                raise _template_failure(f"{op}, record {index}", exc) from exc

        return apply

    @staticmethod
    def _compile(compile_: Callable[[str], Any], source: str, where: str) -> Any:
        try:
            return compile_(source)
        except TemplateError as exc:
            raise _template_failure(where, exc) from exc


def _template_failure(where: str, exc: TemplateError) -> StepFailed:
    return StepFailed(FailureKind.TEMPLATE, f"{where}: {exc}", exc.fix)


# --- the ops ---------------------------------------------------------------------------------------


def _select(op: SelectOp, value: Any, tools: _Tools) -> Any:
    """Keep the named fields ({new: old} renames); missing ones become None, reported once per op."""
    pairs = list(op.fields.items()) if isinstance(op.fields, dict) else [(name, name) for name in op.fields]
    missing: dict[str, None] = {}

    def pick(record: _Record, _index: int) -> dict[str, Any]:
        picked: dict[str, Any] = {}
        for new, path in pairs:
            found = _lookup(record, path)
            if found is _MISSING:
                missing[path] = None
                found = None
            picked[new] = found
        return picked

    result = _each(value, "select", pick)
    if missing:
        tools.warn(f"select: missing fields were set to null: {', '.join(missing)}")
    return result


def _filter(op: FilterOp, value: Any, tools: _Tools) -> list[Any]:
    """Keep the items (any type) for which `where`, with the item as `item`, is truthy."""
    test = tools.per_item(op.where, "filter")
    return [item for index, item in enumerate(_list(value, "filter")) if test(item, index)]


def _map(op: MapOp, value: Any, tools: _Tools) -> Any:
    """Add or replace fields; every expression sees the record as it was before this op."""
    fields = [(name, tools.per_item(expression, "map")) for name, expression in op.fields.items()]

    def apply(record: _Record, index: int) -> dict[str, Any]:
        mapped = dict(record)
        for name, evaluate in fields:
            mapped[name] = evaluate(record, index)
        return mapped

    return _each(value, "map", apply)


def _sort(op: SortOp, value: Any, tools: _Tools) -> list[Any]:
    """Stable sort by a field; records whose field is None or missing go last in either direction."""
    keyed = [(_field(record, op.by), record) for record in _records(value, "sort")]
    present = [pair for pair in keyed if pair[0] is not None]
    absent = [record for key, record in keyed if key is None]
    try:
        present.sort(key=lambda pair: pair[0], reverse=op.descending)
    except TypeError:
        raise _unorderable(op.by, sorted({_kind(key) for key, _ in present})) from None
    return [record for _, record in present] + absent


def _unorderable(field: str, kinds: list[str]) -> StepFailed:
    if len(kinds) == 1:
        problem = f"{kinds[0].removeprefix('a ').removeprefix('an ')} values cannot be ordered"
    else:
        problem = f"values of different types cannot be ordered (found {', '.join(kinds)})"
    return StepFailed(
        FailureKind.CONFIG,
        f"sort by '{field}': {problem}",
        "sort by a field holding text, numbers or dates, made one type first if needed "
        "(a map op with `item.price | float`)",
    )


def _limit(op: LimitOp, value: Any, tools: _Tools) -> list[Any]:
    """At most `count` items, after skipping `offset`."""
    return _list(value, "limit")[op.offset : op.offset + op.count]


def _group(op: GroupOp, value: Any, tools: _Tools) -> list[dict[str, Any]]:
    """Groups in first-seen order: [{key, items, count}]; a missing field groups under None."""
    groups: dict[Any, list[Any]] = {}
    for record in _records(value, "group"):
        key = _hashable(_field(record, op.by), "group", op.by)
        groups.setdefault(key, []).append(record)
    return [{"key": key, "items": items, "count": len(items)} for key, items in groups.items()]


def _join(op: JoinOp, value: Any, tools: _Tools) -> list[dict[str, Any]]:
    """Join with the list `with`, SQL-like: one merged row per match, unmatched left rows kept only by `left`.

    A field of the right record goes into the merged row under its own name, or as `right_<name>`
    when the left record has that name already (the left never loses a field). When both sides match
    on the same name, the right's copy of the key is left out. None (or a missing key) matches nothing.
    """
    left = _records(value, "join")
    right_on = op.other_on or op.on
    index = _index(_records(tools.evaluate(op.with_, "join `with`"), "join `with`"), right_on)
    skip = right_on if right_on == op.on else None
    rows: list[dict[str, Any]] = []
    for record in left:
        key = _hashable(_field(record, op.on), "join", op.on)
        matches = index.get(key, []) if key is not None else []
        rows.extend(_merge(record, match, skip) for match in matches)
        if not matches and op.how == "left":
            rows.append(dict(record))
    return rows


def _format(op: FormatOp, value: Any, tools: _Tools) -> str | list[str]:
    """One string per item (a single record gives one string); with `join`, the strings joined."""
    render = tools.template(op.template, "format")
    if isinstance(value, dict):
        return str(render(value, 0))
    lines = [str(render(item, index)) for index, item in enumerate(_list(value, "format"))]
    return op.join.join(lines) if op.join is not None else lines


def _jmespath(op: JmespathOp, value: Any, tools: _Tools) -> Any:
    """Any value in, the JMESPath result out (None when nothing matches)."""
    try:
        return jmespath.search(op.expression, value)
    except JMESPathError as exc:
        raise StepFailed(
            FailureKind.CONFIG,
            f"jmespath {op.expression!r}: {exc}",
            "check the expression against https://jmespath.org/specification.html",
        ) from exc


# --- shapes and fields -----------------------------------------------------------------------------


def _each(value: Any, op: str, apply: Callable[[_Record, int], Any]) -> Any:
    """Apply a record function to one record, or to every record of a list."""
    if isinstance(value, dict):
        return apply(value, 0)
    return [apply(record, index) for index, record in enumerate(_records(value, op))]


def _list(value: Any, op: str) -> list[Any]:
    if not isinstance(value, list):
        raise StepFailed(
            FailureKind.CONFIG,
            f"{op} needs a list but got {_kind(value)}",
            "point `source` (or an earlier jmespath op) at the list, e.g. steps.fetch.output.json.items",
        )
    return value


def _records(value: Any, op: str) -> list[_Record]:
    """The value as a list of records; anything else fails naming the op and what was found."""
    items = _list(value, op)
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            raise StepFailed(
                FailureKind.CONFIG,
                f"{op} needs a list of records (objects) but item {index} is {_kind(item)}",
                "records are objects with fields; for a list of plain values use filter, limit or format",
            )
    return items


def _lookup(record: _Record, path: str) -> Any:
    """The value at `path`, or _MISSING; an exact key (even one with dots) wins over a dotted path."""
    if path in record:
        return record[path]
    current: Any = record
    for part in path.split("."):
        if not isinstance(current, dict) or part not in current:
            return _MISSING
        current = current[part]
    return current


def _field(record: _Record, path: str) -> Any:
    found = _lookup(record, path)
    return None if found is _MISSING else found


def _hashable(key: Any, op: str, field: str) -> Any:
    """Group and join keys index a dict, so lists and objects cannot be keys."""
    try:
        hash(key)
    except TypeError:
        raise StepFailed(
            FailureKind.CONFIG,
            f"{op} by '{field}': a {_kind(key)} cannot be a key",
            "use a field holding text, a number or a boolean",
        ) from None
    return key


def _index(records: list[_Record], field: str) -> dict[Any, list[_Record]]:
    index: dict[Any, list[_Record]] = {}
    for record in records:
        key = _hashable(_field(record, field), "join", field)
        if key is not None:
            index.setdefault(key, []).append(record)
    return index


def _merge(left: _Record, right: _Record, skip: str | None) -> dict[str, Any]:
    merged = dict(left)
    for name, field_value in right.items():
        if name != skip:
            merged[JOIN_CLASH_PREFIX + name if name in left else name] = field_value
    return merged


def _plain(value: Any) -> Any:
    """Jinja filters such as `map` and `select` return generators; outputs must be JSON-able lists."""
    return list(value) if isinstance(value, Iterator) else value


def _kind(value: Any) -> str:
    """The JSON name of a value's type, as a spec author thinks of it."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list | tuple):
        return "a list"
    return type(value).__name__


def _summary(value: Any) -> Any:
    """The source as recorded on the step run: itself when small, else its shape (type, size, fields).

    The source is an earlier step's output, recorded in full on that step's run already; the shape is
    enough to read this run by, and the bounded check keeps the cost flat when dozens of transforms
    run per run.
    """
    if _fits(value, _SMALL_NODES) >= 0:
        return value
    if isinstance(value, str):
        return value[:_SMALL_TEXT] + f"… ({len(value)} characters)"
    if isinstance(value, dict):
        return {"type": "object", "count": len(value), "fields": _names(value)}
    first = value[0] if value else None  # only lists are left: everything else fits
    fields = _names(first) if isinstance(first, dict) else None
    return {"type": "list", "count": len(value), "fields": fields}


def _fits(value: Any, budget: int) -> int:
    """What is left of `budget` (values visited) after `value`; negative when it does not fit. Stops
    early. Scalars are counted in their container's loop rather than by a call each: this runs for
    every transform, and a call per field was most of its cost."""
    budget -= 1
    if isinstance(value, str):
        return budget if len(value) <= _SMALL_TEXT else -1
    if isinstance(value, dict):
        children: Iterable[Any] = value.values()
    elif isinstance(value, list):
        children = value
    else:
        return budget
    for child in children:
        if budget < 0:
            break
        if isinstance(child, dict | list):
            budget = _fits(child, budget)
        elif isinstance(child, str) and len(child) > _SMALL_TEXT:
            return -1
        else:
            budget -= 1
    return budget


def _names(record: dict[Any, Any]) -> list[str]:
    return [str(key) for key in list(record)[:_SMALL_NODES]]

"""Deterministic fixers of a DATA_TRANSFORM step: cheap and certain, each a small exact change that
the failing input itself justifies (a name that is there, spelt a little differently; a list one
level down). The loop keeps a fix only when the re-check improves, so a fixer may guess narrowly;
each says what it assumed, in words for the person who approves the fix.
"""

from __future__ import annotations

import difflib
import re
from abc import ABC, abstractmethod
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, ClassVar

from mwo.healing.transform.evaluation import TransformEvaluation, TransformEvaluator, part_name
from mwo.healing.transform.request import TransformRepairRequest
from mwo.spec import DataTransformStep
from mwo.spec.steps import FilterOp, FormatOp, GroupOp, JmespathOp, JoinOp, LimitOp, MapOp, SelectOp, SortOp

_PATH = re.compile(r"^[^\W\d]\w*(?:\.\w+)+$")
_CUTOFF = 0.75
_MAX_RECORDS = 50
_LIST_OPS = (FilterOp, SortOp, LimitOp, GroupOp, JoinOp)
"""Ops that fail on anything but a list (select, map and format also take one record)."""


@dataclass(frozen=True)
class TransformFix:
    """A changed step and the assumption behind the change."""

    step: DataTransformStep
    assumption: str


class TransformFixer(ABC):
    """Recognises one breakage of a tried step and proposes its fix (or None)."""

    name: ClassVar[str]

    @abstractmethod
    def propose(
        self, current: TransformEvaluation, request: TransformRepairRequest, evaluator: TransformEvaluator
    ) -> TransformFix | None:
        """A fix of `current.step`, or None when this fixer does not apply."""


def near(name: str, names: Iterable[str]) -> str | None:
    """The one name in `names` that `name` most likely meant (same letters in another case, or a
    close spelling); None when `name` is there already or nothing is close."""
    pool = [n for n in dict.fromkeys(names) if isinstance(n, str)]
    if name in pool:
        return None
    folded = [n for n in pool if n.casefold() == name.casefold()]
    if len(folded) == 1:
        return folded[0]
    close = difflib.get_close_matches(name, pool, n=2, cutoff=_CUTOFF)
    if len(close) == 1 or (len(close) == 2 and _ratio(name, close[0]) > _ratio(name, close[1])):
        return close[0]
    return None


def record_fields(value: Any) -> list[str]:
    """The field names of a record, or of the first records of a list (in first-seen order)."""
    records = [value] if isinstance(value, dict) else value[:_MAX_RECORDS] if isinstance(value, list) else []
    names: dict[str, None] = {}
    for record in records:
        if isinstance(record, dict):
            names.update((str(k), None) for k in record)
    return list(names)


class SourcePathFixer(TransformFixer):
    """`source` names a field (or step) that is not there: the near name at that level, or the same
    name one level down (`steps.fetch.output.items` when the response put them under `json`)."""

    name = "source_path"

    def propose(
        self, current: TransformEvaluation, request: TransformRepairRequest, evaluator: TransformEvaluator
    ) -> TransformFix | None:
        step = current.step
        source = step.source.strip()
        if current.part != 0 or not _PATH.match(source):
            return None
        parts = source.split(".")
        for length in range(2, len(parts) + 1):
            if evaluator.source_value(step, ".".join(parts[:length]), request).ok:
                continue
            parent_path = ".".join(parts[: length - 1])
            parent = evaluator.source_value(step, parent_path, request)
            value = parent.output.get("result") if parent.ok and isinstance(parent.output, dict) else None
            if not isinstance(value, dict):
                return None
            return self._fix(step, parts, length - 1, value, parent_path)
        return None

    def _fix(
        self, step: DataTransformStep, parts: list[str], index: int, parent: dict[str, Any], where: str
    ) -> TransformFix | None:
        missing = parts[index]
        keys = [str(k) for k in parent]
        match = near(missing, keys)
        if match is not None and match.isidentifier():
            fixed = [*parts[:index], match, *parts[index + 1 :]]
            return TransformFix(
                step.model_copy(update={"source": ".".join(fixed)}),
                f"source: {where} has no {missing!r}; assumed {match!r}, the nearest name there",
            )
        below = [
            (key, near(missing, [str(k) for k in child]) or missing)
            for key, child in parent.items()
            if isinstance(child, dict)
            and str(key).isidentifier()
            and (missing in child or near(missing, [str(k) for k in child]) is not None)
        ]
        if len(below) != 1:
            return self._only_list(step, parts, index, parent, where)
        key, name = below[0]
        fixed = [*parts[:index], str(key), name, *parts[index + 1 :]]
        return TransformFix(
            step.model_copy(update={"source": ".".join(fixed)}),
            f"source: {where} has no {missing!r}; it is one level down, under {key!r}",
        )

    def _only_list(
        self, step: DataTransformStep, parts: list[str], index: int, parent: dict[str, Any], where: str
    ) -> TransformFix | None:
        """No near name: when the ops need a list and the parent holds exactly one, that list."""
        if not step.ops or not isinstance(step.ops[0], _LIST_OPS) or index != len(parts) - 1:
            return None
        lists = [str(k) for k, v in parent.items() if isinstance(v, list)]
        if len(lists) != 1 or not lists[0].isidentifier():
            return None
        fixed = [*parts[:index], lists[0]]
        return TransformFix(
            step.model_copy(update={"source": ".".join(fixed)}),
            f"source: {where} has no {parts[index]!r}; assumed its only list, {lists[0]!r}",
        )


class ListOneLevelDownFixer(TransformFixer):
    """An op needs a list and got an object holding exactly one list: that list is what was meant."""

    name = "list_one_level_down"

    def propose(
        self, current: TransformEvaluation, request: TransformRepairRequest, evaluator: TransformEvaluator
    ) -> TransformFix | None:
        part = current.part
        message = str((current.failure or {}).get("message", ""))
        if not part or "needs a list" not in message:
            return None
        step = current.step
        value = evaluator.value_into(step, part, request)
        if not isinstance(value, dict):
            return None
        lists = [str(k) for k, v in value.items() if isinstance(v, list)]
        of_records = [k for k in lists if any(isinstance(i, dict) for i in value[k])]
        chosen = of_records if len(of_records) == 1 else lists
        if len(chosen) != 1 or not chosen[0].isidentifier():
            return None
        key = chosen[0]
        assumption = (
            f"{part_name(step, part)} needs a list and got an object whose only list is {key!r}; "
            "assumed that list is meant"
        )
        if part == 1 and _PATH.match(step.source.strip()):
            return TransformFix(
                step.model_copy(update={"source": f"{step.source.strip()}.{key}"}), assumption
            )
        ops = list(step.ops)
        ops.insert(part - 1, JmespathOp(op="jmespath", expression=key))
        return TransformFix(step.model_copy(update={"ops": ops}), assumption)


class FieldNameFixer(TransformFixer):
    """An op names a field its records do not have, and they have one spelt nearly so (select's
    fields, sort/group `by`, join `on`, `item.x` in filter, map and format)."""

    name = "field_name"

    def propose(
        self, current: TransformEvaluation, request: TransformRepairRequest, evaluator: TransformEvaluator
    ) -> TransformFix | None:
        step = current.step
        last = min(current.failing_part, len(step.ops))
        for index in range(last):
            fields = record_fields(evaluator.value_into(step, index + 1, request))
            if not fields:
                continue
            renamed = _renamed(step.ops[index], fields)
            if renamed is not None:
                op, old, new = renamed
                ops = [*step.ops[:index], op, *step.ops[index + 1 :]]
                return TransformFix(
                    step.model_copy(update={"ops": ops}),
                    f"{part_name(step, index + 1)}: the records have no field {old!r}; assumed {new!r}",
                )
        return None


class JoinKeyFixer(TransformFixer):
    """A join matches on a field the other list does not have, and it has one spelt nearly so: that
    one becomes `other_on` (the operation's argument, not the data, was wrong)."""

    name = "join_key"

    def propose(
        self, current: TransformEvaluation, request: TransformRepairRequest, evaluator: TransformEvaluator
    ) -> TransformFix | None:
        step = current.step
        last = min(current.failing_part, len(step.ops))
        for index, op in enumerate(step.ops[:last]):
            if not isinstance(op, JoinOp):
                continue
            other = evaluator.source_value(step, op.with_, request)
            value = other.output.get("result") if other.ok and isinstance(other.output, dict) else None
            fields = record_fields(value)
            wanted = op.other_on or op.on
            match = near(wanted, fields) if fields else None
            if match is None:
                continue
            ops = [*step.ops[:index], op.model_copy(update={"other_on": match}), *step.ops[index + 1 :]]
            return TransformFix(
                step.model_copy(update={"ops": ops}),
                f"{part_name(step, index + 1)}: the list joined with has no {wanted!r}; "
                f"assumed it matches on {match!r}",
            )
        return None


def default_transform_fixers() -> tuple[TransformFixer, ...]:
    """Every fixer, in the order the loop tries them: where the data is, then what the ops name."""
    return (SourcePathFixer(), ListOneLevelDownFixer(), FieldNameFixer(), JoinKeyFixer())


def _renamed(op: Any, fields: list[str]) -> tuple[Any, str, str] | None:
    """(the op with one field renamed, old, new), or None when every field it names is there."""
    if isinstance(op, SelectOp):
        if isinstance(op.fields, dict):
            for new_name, path in op.fields.items():
                match = _near_path(path, fields)
                if match is not None:
                    return op.model_copy(update={"fields": {**op.fields, new_name: match}}), path, match
            return None
        for path in op.fields:
            match = _near_path(path, fields)
            if match is not None:
                renamed = [match if name == path else name for name in op.fields]
                return op.model_copy(update={"fields": renamed}), path, match
        return None
    if isinstance(op, (SortOp, GroupOp)):
        match = _near_path(op.by, fields)
        return (op.model_copy(update={"by": match}), op.by, match) if match is not None else None
    if isinstance(op, JoinOp):
        match = _near_path(op.on, fields)
        if match is None:
            return None
        update: dict[str, Any] = {"on": match}
        if op.other_on is None:
            update["other_on"] = op.on  # the other list keeps the name it was matched on
        return op.model_copy(update=update), op.on, match
    if isinstance(op, FilterOp):
        return _in_expression(op, "where", op.where, fields)
    if isinstance(op, FormatOp):
        return _in_expression(op, "template", op.template, fields)
    if isinstance(op, MapOp):
        for name, expression in op.fields.items():
            found = _item_fields(expression, fields)
            if found is not None:
                old, new = found
                changed = {**op.fields, name: _rename_item_field(expression, old, new)}
                return op.model_copy(update={"fields": changed}), old, new
    return None


def _near_path(path: str, fields: list[str]) -> str | None:
    """A near field for `path`'s first part (`meta.date` -> `Meta.date`), or None."""
    head, dot, rest = path.partition(".")
    if path in fields or head in fields:
        return None
    match = near(head, fields)
    return f"{match}{dot}{rest}" if match is not None else None


_ITEM_FIELD = re.compile(r"""\bitem(?:\.(\w+)|\[\s*['"]([^'"]+)['"]\s*\])""")


def _in_expression(
    op: Any, attribute: str, expression: str, fields: list[str]
) -> tuple[Any, str, str] | None:
    found = _item_fields(expression, fields)
    if found is None:
        return None
    old, new = found
    return op.model_copy(update={attribute: _rename_item_field(expression, old, new)}), old, new


def _item_fields(expression: str, fields: list[str]) -> tuple[str, str] | None:
    """The first `item.x` of `expression` whose `x` is not a field but nearly one: (x, field)."""
    for match in _ITEM_FIELD.finditer(expression):
        name = match.group(1) or match.group(2)
        if name in fields:
            continue
        near_name = near(name, fields)
        if near_name is not None:
            return name, near_name
    return None


def _rename_item_field(expression: str, old: str, new: str) -> str:
    def swap(match: re.Match[str]) -> str:
        name = match.group(1) or match.group(2)
        if name != old:
            return match.group(0)
        return f"item.{new}" if new.isidentifier() else f"item[{new!r}]"

    return _ITEM_FIELD.sub(swap, expression)


def _ratio(a: str, b: str) -> float:
    return difflib.SequenceMatcher(None, a, b).ratio()

"""Run inputs: defaults applied, required ones present, values of the declared type."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from mwo.engine.errors import InputError
from mwo.nesting import MAX_INPUT_DEPTH, deeper_than
from mwo.spec import InputField, InputType, Workflow

_PYTHON_TYPES: dict[InputType, tuple[type, ...]] = {
    InputType.STRING: (str,),
    InputType.INTEGER: (int,),
    InputType.NUMBER: (int, float),
    InputType.BOOLEAN: (bool,),
    InputType.OBJECT: (dict,),
    InputType.ARRAY: (list,),
}


def resolve_inputs(workflow: Workflow, given: Mapping[str, Any]) -> dict[str, Any]:
    """The inputs a run starts with; InputError names the input and what to pass instead."""
    if deeper_than(dict(given), MAX_INPUT_DEPTH):  # stored and echoed by every later read of the run
        raise InputError(
            f"the inputs nest more than {MAX_INPUT_DEPTH} levels of objects or arrays",
            "pass flatter data (an object of a few levels)",
        )
    unknown = sorted(set(given) - set(workflow.inputs))
    if unknown:
        raise InputError(
            f"unknown input(s): {', '.join(unknown)}",
            f"declared inputs of {workflow.name}: {', '.join(workflow.inputs) or 'none'}",
        )
    resolved: dict[str, Any] = {}
    for name, field in workflow.inputs.items():
        if name in given:
            resolved[name] = _check_value(name, field, given[name])
        elif field.default is not None:
            resolved[name] = field.default
        elif field.required:
            raise InputError(f"input '{name}' is required", f"pass it, e.g. --input {name}=...")
    return resolved


def coerce_cli_value(workflow: Workflow, name: str, raw: str) -> Any:
    """Turn a `--input name=raw` string into the declared type (JSON for non-strings)."""
    field = workflow.inputs.get(name)
    if field is None or field.type is InputType.STRING:
        return raw
    try:
        return json.loads(raw)
    except json.JSONDecodeError:
        raise InputError(
            f"input '{name}' must be {field.type.value}, got {raw!r}",
            f"pass a JSON {field.type.value}, e.g. --input {name}={_example(field.type)}",
        ) from None


def _check_value(name: str, field: InputField, value: Any) -> Any:
    expected = _PYTHON_TYPES[field.type]
    is_bool_for_number = isinstance(value, bool) and field.type is not InputType.BOOLEAN
    if not isinstance(value, expected) or is_bool_for_number:
        raise InputError(
            f"input '{name}' must be {field.type.value}, got {type(value).__name__}",
            f"pass a {field.type.value}, e.g. {_example(field.type)}",
        )
    if field.enum is not None and value not in field.enum:
        raise InputError(
            f"input '{name}' must be one of {field.enum}, got {value!r}", "pick an allowed value"
        )
    return value


def _example(kind: InputType) -> str:
    return {"integer": "3", "number": "1.5", "boolean": "true", "object": '{"a":1}', "array": "[1,2]"}.get(
        kind.value, "text"
    )

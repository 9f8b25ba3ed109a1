"""Sample data for a dry run: the smallest plausible value of a JSON Schema, and a whole template scope.

A dry run never calls the outside world: every upstream step is stood in for by an instance of its
declared `output` schema, or by the shape its executor returns (an API_CALL's `{status, headers, json,
text}`, an LLM_CALL's `{text}` ...). Inputs take their declared default, else a sample of their type.
"""

from __future__ import annotations

from typing import Any

from mwo.spec import (
    ApiCallStep,
    ApprovalStep,
    ConditionStep,
    DataTransformStep,
    InputField,
    InputType,
    LlmCallStep,
    NotificationStep,
    StepBase,
    Workflow,
    secret_uses,
)

SAMPLE_TEXT = "sample text"
SAMPLE_NOW = "2026-01-05T09:00:00+09:00"
_MAX_DEPTH = 8
_FORMATS = {
    "date": "2026-01-05",
    "date-time": SAMPLE_NOW,
    "time": "09:00:00",
    "email": "user@example.com",
    "uri": "https://example.com/",
    "url": "https://example.com/",
    "uuid": "00000000-0000-4000-8000-000000000000",
}
_INPUT_SAMPLES: dict[InputType, Any] = {
    InputType.STRING: "sample",
    InputType.INTEGER: 1,
    InputType.NUMBER: 1.5,
    InputType.BOOLEAN: True,
    InputType.OBJECT: {},
    InputType.ARRAY: [],
}


def instance_of(schema: Any, depth: int = 0) -> Any:
    """A small value that `schema` accepts (for the common keywords): examples and defaults first,
    then one of each property and one array item, so a script sees the declared shape filled in."""
    if not isinstance(schema, dict) or depth > _MAX_DEPTH:
        return None
    for key in ("const", "default"):
        if key in schema:
            return schema[key]
    for key in ("examples", "enum"):
        if isinstance(schema.get(key), list) and schema[key]:
            return schema[key][0]
    for key in ("anyOf", "oneOf"):
        if isinstance(schema.get(key), list) and schema[key]:
            return instance_of(schema[key][0], depth + 1)
    if isinstance(schema.get("allOf"), list):
        merged: dict[str, Any] = {}
        for part in schema["allOf"]:
            value = instance_of(part, depth + 1)
            if isinstance(value, dict):
                merged.update(value)
        return merged
    return _of_type(schema, _type_of(schema), depth)


def _type_of(schema: dict[str, Any]) -> str | None:
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "null")
    if kind is None and "properties" in schema:
        return "object"
    if kind is None and "items" in schema:
        return "array"
    return kind if isinstance(kind, str) else None


def _of_type(schema: dict[str, Any], kind: str | None, depth: int) -> Any:
    if kind == "object":
        properties = schema.get("properties") or {}
        return {name: instance_of(sub, depth + 1) for name, sub in properties.items()}
    if kind == "array":
        items = schema.get("items")
        count = max(int(schema.get("minItems", 1)), 1) if isinstance(items, dict) else 0
        return [instance_of(items, depth + 1) for _ in range(count)]
    if kind == "string":
        return _string(schema)
    if kind in ("integer", "number"):
        return _number(schema, kind)
    if kind == "boolean":
        return True
    return None


def _string(schema: dict[str, Any]) -> str:
    text = _FORMATS.get(str(schema.get("format")), "sample")
    min_length = int(schema.get("minLength", 0))
    if len(text) < min_length:
        text = text + "x" * (min_length - len(text))
    if "maxLength" in schema:
        text = text[: int(schema["maxLength"])]
    return text


def _number(schema: dict[str, Any], kind: str) -> int | float:
    value: float = 1
    if "minimum" in schema:
        value = max(value, schema["minimum"])
    if "exclusiveMinimum" in schema and isinstance(schema["exclusiveMinimum"], (int, float)):
        value = max(value, schema["exclusiveMinimum"] + 1)
    if "maximum" in schema:
        value = min(value, schema["maximum"])
    return int(value) if kind == "integer" else float(value)


def sample_input(field: InputField) -> Any:
    """The declared default, else the first allowed value, else a sample of the declared type."""
    if field.default is not None:
        return field.default
    if field.enum:
        return field.enum[0]
    return _INPUT_SAMPLES[field.type]


def stand_in_output(step: StepBase) -> Any:
    """What `step` would return, without running it: its declared `output`, else its executor's shape."""
    shaped = _executor_shape(step)
    if step.output is None:
        return shaped
    declared = instance_of(step.output)
    if isinstance(shaped, dict) and isinstance(declared, dict):
        return {**shaped, **declared}
    return declared


def _executor_shape(step: StepBase) -> Any:
    if isinstance(step, ApiCallStep):
        return {"status": 200, "headers": {}, "json": {}, "text": ""}
    if isinstance(step, LlmCallStep):
        if step.output_schema is not None:
            return {"data": instance_of(step.output_schema), "text": SAMPLE_TEXT}
        return {"text": SAMPLE_TEXT}
    if isinstance(step, DataTransformStep):
        return {"result": []}
    if isinstance(step, ConditionStep):
        return {"goto": step.default, "branch": None, "evaluated": []}
    if isinstance(step, ApprovalStep):
        return {"approved": True, "by": "approver", "at": SAMPLE_NOW, "comment": None}
    if isinstance(step, NotificationStep):
        return {"channel": step.channel.value, "delivered": True, "detail": {}}
    return {}


def sample_scope(workflow: Workflow, outputs: dict[str, Any] | None = None) -> dict[str, Any]:
    """The template scope of a dry run: sample inputs, a stand-in output for every step (or the real
    one in `outputs`, e.g. an upstream script's dry-run result), placeholder secrets, run facts."""
    known = outputs or {}
    steps = {s.id: {"output": known[s.id] if s.id in known else stand_in_output(s)} for s in workflow.steps}
    return {
        "inputs": {name: sample_input(field) for name, field in workflow.inputs.items()},
        "steps": steps,
        "secrets": {name: f"sample-{name.lower()}" for name in _secret_names(workflow)},
        "run": {"id": "dry-run", "workflow": workflow.name, "version": 0, "now": SAMPLE_NOW},
    }


def _secret_names(workflow: Workflow) -> list[str]:
    return sorted({use.name for use in secret_uses(workflow)})

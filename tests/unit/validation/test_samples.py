"""Sample data for dry runs: schema instances the schema accepts, and a scope shaped like a real run's."""

from __future__ import annotations

from typing import Any

import jsonschema
import pytest

from mwo.spec import workflow_from_data
from mwo.validation import instance_of, sample_scope

SCHEMAS: list[dict[str, Any]] = [
    {"type": "object", "properties": {"title": {"type": "string"}, "n": {"type": "integer", "minimum": 5}}},
    {"type": "array", "items": {"type": "number", "maximum": 0}, "minItems": 2},
    {"type": "string", "format": "date"},
    {"type": "string", "minLength": 12, "maxLength": 20},
    {"type": ["null", "boolean"]},
    {"enum": ["KRW", "USD"]},
    {"anyOf": [{"type": "integer"}, {"type": "string"}]},
    {"allOf": [{"properties": {"a": {"type": "string"}}}, {"properties": {"b": {"const": 2}}}]},
    {
        "type": "object",
        "properties": {
            "items": {
                "type": "array",
                "items": {"type": "object", "required": ["x"], "properties": {"x": {"type": "string"}}},
            }
        },
    },
]


@pytest.mark.parametrize("schema", SCHEMAS)
def test_an_instance_is_accepted_by_its_schema(schema: dict[str, Any]) -> None:
    jsonschema.validate(instance_of(schema), schema)


def test_instances_prefer_examples_and_defaults() -> None:
    assert instance_of({"type": "string", "examples": ["서울"]}) == "서울"
    assert instance_of({"type": "integer", "default": 7}) == 7


def _workflow() -> Any:
    return workflow_from_data(
        {
            "name": "shapes",
            "inputs": {
                "city": {"default": "Seoul"},
                "days": {"type": "integer"},
                "unit": {"enum": ["c", "f"]},
            },
            "steps": [
                {"id": "fetch", "type": "API_CALL", "request": {"url": "https://example.com/a"}},
                {
                    "id": "typed",
                    "type": "API_CALL",
                    "request": {"url": "https://example.com/b"},
                    "output": {
                        "properties": {"json": {"properties": {"items": {"items": {"type": "string"}}}}}
                    },
                },
                {"id": "ask", "type": "LLM_CALL", "prompt": "hi"},
                {
                    "id": "pick",
                    "type": "LLM_CALL",
                    "prompt": "hi",
                    "output_schema": {"properties": {"k": {"type": "string"}}},
                },
                {"id": "shape", "type": "DATA_TRANSFORM", "source": "steps.fetch.output.json"},
                {"id": "gate", "type": "CONDITION", "branches": [{"when": "true", "goto": "ok"}]},
                {"id": "ok", "type": "APPROVAL"},
                {"id": "tell", "type": "NOTIFICATION", "channel": "inbox", "body": "{{ secrets.HOOK }}"},
            ],
        }
    )


def test_the_scope_stands_in_for_every_step_without_calling_anything() -> None:
    scope = sample_scope(_workflow())
    steps = {sid: value["output"] for sid, value in scope["steps"].items()}
    assert steps["fetch"] == {"status": 200, "headers": {}, "json": {}, "text": ""}
    assert steps["typed"]["status"] == 200 and steps["typed"]["json"] == {"items": ["sample"]}
    assert steps["ask"] == {"text": "sample text"}
    assert steps["pick"] == {"data": {"k": "sample"}, "text": "sample text"}
    assert steps["shape"] == {"result": []}
    assert set(steps["gate"]) == {"goto", "branch", "evaluated"}
    assert steps["ok"]["approved"] is True
    assert steps["tell"]["delivered"] is True
    assert scope["inputs"] == {"city": "Seoul", "days": 1, "unit": "c"}
    assert set(scope["secrets"]) == {"HOOK"} and scope["run"]["id"] == "dry-run"


def test_real_outputs_replace_the_stand_ins() -> None:
    scope = sample_scope(_workflow(), {"fetch": {"status": 201, "json": {"n": 1}}})
    assert scope["steps"]["fetch"]["output"] == {"status": 201, "json": {"n": 1}}

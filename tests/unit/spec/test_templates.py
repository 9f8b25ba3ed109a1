"""The one map of rendered fields: per step type, which strings are templates, which expressions, and
that nothing else (code, names, schemas, JMESPath) is taken for one."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import BaseModel

from mwo.spec import (
    ApiCallStep,
    ApprovalStep,
    ConditionStep,
    DataTransformStep,
    LlmCallStep,
    NotificationStep,
    PythonScriptStep,
    StepBase,
    TemplateKind,
    declared_secrets,
    secret_uses,
    step_templates,
    trigger_templates,
    workflow_from_data,
)
from mwo.spec.steps import (
    ApiAuth,
    Branch,
    FilterOp,
    FormatOp,
    GroupOp,
    HttpRequest,
    JmespathOp,
    JoinOp,
    LimitOp,
    MapOp,
    SelectOp,
    SortOp,
)

T = TemplateKind.TEMPLATE
E = TemplateKind.EXPRESSION
ESCAPE = "{{ run.__class__ }}"
"""Put in every string field: only the rendered ones may come back from the walker."""
ESCAPE_EXPRESSION = "run.__class__"
COMMON = {"name": ESCAPE, "description": ESCAPE, "output": {"type": "object", "description": ESCAPE}}

CASES: list[tuple[dict[str, Any], set[tuple[str, TemplateKind]]]] = [
    (
        {
            "type": "LLM_CALL",
            "prompt": ESCAPE,
            "system": ESCAPE,
            "output_schema": {"type": "object", "title": ESCAPE},
            "model": ESCAPE,
        },
        {("prompt", T), ("system", T)},
    ),
    (
        {
            "type": "API_CALL",
            "request": {
                "url": ESCAPE,
                "headers": {"X-A": ESCAPE},
                "params": {"q": ESCAPE, "many": [ESCAPE]},
                "json": {"deep": [{"er": ESCAPE}]},
            },
            "auth": {"kind": "basic", "secret": "TOKEN", "username": ESCAPE},
        },
        {
            ("request.url", T),
            ("request.headers.X-A", T),
            ("request.params.q", T),
            ("request.params.many[0]", T),
            ("request.json.deep[0].er", T),
            ("auth.username", T),
        },
    ),
    (
        {"type": "API_CALL", "request": {"url": ESCAPE, "body": ESCAPE}},
        {("request.url", T), ("request.body", T)},
    ),
    (
        {
            "type": "PYTHON_SCRIPT",
            "code": "def main(inputs):\n    return {'t': '" + ESCAPE + "'}\n",
            "inputs": {"a": ESCAPE, "b": [1, ESCAPE]},
            "secrets": ["KEY"],
        },
        {("inputs.a", T), ("inputs.b[1]", T)},
    ),
    (
        {
            "type": "CONDITION",
            "branches": [{"when": ESCAPE_EXPRESSION, "goto": "end"}, {"when": "true", "goto": "end"}],
        },
        {("branches[0].when", E), ("branches[1].when", E)},
    ),
    ({"type": "APPROVAL", "message": ESCAPE, "approvers": [ESCAPE]}, {("message", T)}),
    (
        {
            "type": "NOTIFICATION",
            "channel": "kakao",
            "to": [ESCAPE],
            "subject": ESCAPE,
            "body": ESCAPE,
            "webhook_url": ESCAPE,
            "access_token": ESCAPE,
            "link_url": ESCAPE,
        },
        {("to[0]", T), ("subject", T), ("body", T), ("webhook_url", T), ("access_token", T), ("link_url", T)},
    ),
    (
        {
            "type": "DATA_TRANSFORM",
            "source": ESCAPE_EXPRESSION,
            "ops": [
                {"op": "select", "fields": {"new": ESCAPE}},
                {"op": "filter", "where": ESCAPE_EXPRESSION},
                {"op": "map", "fields": {"x": ESCAPE_EXPRESSION}},
                {"op": "sort", "by": ESCAPE},
                {"op": "group", "by": ESCAPE},
                {"op": "join", "with": ESCAPE_EXPRESSION, "on": ESCAPE, "other_on": ESCAPE},
                {"op": "format", "template": ESCAPE, "join": ESCAPE},
                {"op": "jmespath", "expression": ESCAPE},
                {"op": "select", "fields": [ESCAPE]},
            ],
        },
        {
            ("source", E),
            ("ops[1].where", E),
            ("ops[2].fields.x", E),
            ("ops[5].with", E),
            ("ops[6].template", T),
        },
    ),
]


def _step(data: dict[str, Any]) -> StepBase:
    workflow = workflow_from_data({"name": "w", "steps": [{"id": "s", **COMMON, **data}]})
    return workflow.steps[0]


@pytest.mark.parametrize(
    ("data", "expected"), CASES, ids=[f"{d['type']}-{i}" for i, (d, _) in enumerate(CASES)]
)
def test_each_rendered_field_and_only_those_are_walked(
    data: dict[str, Any], expected: set[tuple[str, TemplateKind]]
) -> None:
    found = list(step_templates(_step(data)))
    assert {(t.path, t.kind) for t in found} == expected
    assert len(found) == len(expected)
    escape = {T: ESCAPE, E: ESCAPE_EXPRESSION}
    assert all(t.text == escape[t.kind] or t.text == "true" for t in found)


def test_a_scripts_code_is_never_read_as_a_template() -> None:
    step = _step(
        {
            "type": "PYTHON_SCRIPT",
            "code": "def main(inputs):\n    return {'k': '{{ secrets.HIDDEN }}', 'b': '{{ broken'}\n",
            "secrets": ["DECLARED"],
        }
    )
    assert list(step_templates(step)) == []
    assert list(declared_secrets(step)) == [("secrets", "DECLARED")]


def test_secret_uses_come_from_rendered_fields_expressions_and_declarations() -> None:
    workflow = workflow_from_data(
        {
            "name": "w",
            "description": "{{ secrets.NOT_USED }}",
            "steps": [
                {
                    "id": "call",
                    "type": "API_CALL",
                    "description": "{{ secrets.IN_A_DESCRIPTION }}",
                    "request": {"url": "https://x.example", "headers": {"K": "{{ secrets.HEADER }}"}},
                    "auth": {"kind": "bearer", "secret": "TOKEN"},
                },
                {
                    "id": "gate",
                    "type": "CONDITION",
                    "branches": [{"when": "secrets.FLAG == 'on'", "goto": "end"}],
                },
            ],
        }
    )
    assert [(u.step, u.field, u.name) for u in secret_uses(workflow)] == [
        ("call", "auth.secret", "TOKEN"),
        ("call", "request.headers.K", "HEADER"),
        ("gate", "branches[0].when", "FLAG"),
    ]


def test_an_event_triggers_filter_is_an_expression_and_other_triggers_have_none() -> None:
    event = workflow_from_data(
        {"name": "w", "trigger": {"type": "event", "event": "e", "filter": "event.n > 1"}, "steps": [_note()]}
    )
    assert [(t.path, t.text, t.kind) for t in trigger_templates(event.trigger)] == [
        ("trigger.filter", "event.n > 1", E)
    ]
    cron = workflow_from_data(
        {"name": "w", "trigger": {"type": "cron", "cron": "@daily"}, "steps": [_note()]}
    )
    assert list(trigger_templates(cron.trigger)) == []


def _note() -> dict[str, Any]:
    return {"id": "n", "type": "NOTIFICATION", "channel": "inbox", "body": "b"}


RENDERED_OR_NOT: dict[type[BaseModel], tuple[set[str], set[str]]] = {
    StepBase: (
        set(),
        {"id", "type", "name", "description", "next", "retry", "on_failure", "timeout_s", "output"},
    ),
    LlmCallStep: ({"prompt", "system"}, {"output_schema", "temperature", "max_tokens", "model"}),
    ApiCallStep: ({"request", "auth"}, {"delivery"}),
    HttpRequest: (
        {"url", "headers", "params", "json_body", "body"},
        {"method", "timeout_s", "response", "fail_on_status"},
    ),
    ApiAuth: ({"username"}, {"kind", "secret", "name"}),
    PythonScriptStep: ({"inputs"}, {"code", "secrets", "allow_net", "memory_mb"}),
    ConditionStep: ({"branches"}, {"default"}),
    Branch: ({"when"}, {"goto"}),
    ApprovalStep: ({"message"}, {"approvers", "expires_after_s", "on_timeout"}),
    NotificationStep: (
        {"to", "subject", "body", "webhook_url", "access_token", "link_url"},
        {"channel", "delivery"},
    ),
    DataTransformStep: ({"source", "ops"}, set()),
    SelectOp: (set(), {"op", "fields"}),
    FilterOp: ({"where"}, {"op"}),
    MapOp: ({"fields"}, {"op"}),
    SortOp: (set(), {"op", "by", "descending"}),
    LimitOp: (set(), {"op", "count", "offset"}),
    GroupOp: (set(), {"op", "by"}),
    JoinOp: ({"with_"}, {"op", "on", "other_on", "how"}),
    FormatOp: ({"template"}, {"op", "join"}),
    JmespathOp: (set(), {"op", "expression"}),
}


@pytest.mark.parametrize("model", list(RENDERED_OR_NOT), ids=lambda m: m.__name__)
def test_every_field_of_every_step_model_is_decided(model: type[BaseModel]) -> None:
    """A field added to a step type fails here until spec/templates.py says whether it is rendered."""
    rendered, plain = RENDERED_OR_NOT[model]
    inherited = set(StepBase.model_fields) if issubclass(model, StepBase) and model is not StepBase else set()
    own = set(model.model_fields) - inherited
    assert own == rendered | plain and not rendered & plain

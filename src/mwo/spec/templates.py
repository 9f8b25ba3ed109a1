"""Which strings of a workflow are rendered at run time, and how: the one map of template fields.

The executors render some fields as templates (`Templates.render`: text, or a lone `{{ expr }}`'s
value), evaluate others as expressions (`Templates.evaluate`: no braces), and never render the rest:
ids and step targets, names and descriptions, enums and numbers, a script's `code`, JSON Schemas
(`output`, `output_schema`), secret names, field names of DATA_TRANSFORM ops (`select`, `sort`, `group`,
`join`'s `on`), format's `join` separator and JMESPath. Everything that checks templates before a run
(the spec's reference checks, the validator's escape check, the secret finder) walks this map, so
what is checked is what runs, and a new field is decided here once.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from enum import Enum
from typing import Any

from mwo.spec.steps import (
    ApiCallStep,
    ApprovalStep,
    ConditionStep,
    DataTransformStep,
    FilterOp,
    FormatOp,
    JoinOp,
    LlmCallStep,
    MapOp,
    NotificationStep,
    PythonScriptStep,
    StepBase,
    TransformOp,
)
from mwo.spec.triggers import EventTrigger, Trigger


class TemplateKind(str, Enum):
    """How the engine reads a string."""

    TEMPLATE = "template"
    """Rendered: `Hello {{ inputs.name }}`; a string without braces is taken as it is."""
    EXPRESSION = "expression"
    """Evaluated: `steps.fetch.output.status == 200`, no braces."""


@dataclass(frozen=True)
class TemplateText:
    """One string the engine renders or evaluates, and where it is in the step (`request.headers.X`)."""

    path: str
    text: str
    kind: TemplateKind

    @property
    def is_expression(self) -> bool:
        return self.kind is TemplateKind.EXPRESSION


_T = TemplateKind.TEMPLATE
_E = TemplateKind.EXPRESSION


def step_templates(step: StepBase) -> Iterator[TemplateText]:
    """Every string of `step` that its executor renders or evaluates, with its path (aliases: `json`,
    `with`) as the spec checks name fields; nested values (headers, params, json, a script's inputs)
    are walked to each string, the path naming dict keys with `.key` and list items with `[i]`."""
    match step:
        case LlmCallStep():
            yield from _strings("prompt", step.prompt, _T)
            yield from _strings("system", step.system, _T)
        case ApiCallStep():
            yield from _api_call(step)
        case PythonScriptStep():
            yield from _strings("inputs", step.inputs, _T)
        case ConditionStep():
            for index, branch in enumerate(step.branches):
                yield from _strings(f"branches[{index}].when", branch.when, _E)
        case ApprovalStep():
            yield from _strings("message", step.message, _T)
        case NotificationStep():
            yield from _notification(step)
        case DataTransformStep():
            yield from _strings("source", step.source, _E)
            for index, op in enumerate(step.ops):
                yield from _op(f"ops[{index}]", op)


def trigger_templates(trigger: Trigger) -> Iterator[TemplateText]:
    """The trigger's rendered strings (an event trigger's `filter`, an expression over `event`)."""
    if isinstance(trigger, EventTrigger):
        yield from _strings("trigger.filter", trigger.filter, _E)


def _api_call(step: ApiCallStep) -> Iterator[TemplateText]:
    request = step.request
    yield from _strings("request.url", request.url, _T)
    yield from _strings("request.headers", request.headers, _T)
    yield from _strings("request.params", request.params, _T)
    yield from _strings("request.json", request.json_body, _T)
    yield from _strings("request.body", request.body, _T)
    if step.auth is not None:
        yield from _strings("auth.username", step.auth.username, _T)


def _notification(step: NotificationStep) -> Iterator[TemplateText]:
    yield from _strings("to", step.to, _T)
    yield from _strings("subject", step.subject, _T)
    yield from _strings("body", step.body, _T)
    yield from _strings("webhook_url", step.webhook_url, _T)
    yield from _strings("access_token", step.access_token, _T)
    yield from _strings("link_url", step.link_url, _T)


def _op(path: str, op: TransformOp) -> Iterator[TemplateText]:
    """Only these four ops take templates or expressions; the others take field names or numbers."""
    if isinstance(op, FilterOp):
        yield from _strings(f"{path}.where", op.where, _E)
    elif isinstance(op, MapOp):
        yield from _strings(f"{path}.fields", op.fields, _E)
    elif isinstance(op, JoinOp):
        yield from _strings(f"{path}.with", op.with_, _E)
    elif isinstance(op, FormatOp):
        yield from _strings(f"{path}.template", op.template, _T)


def _strings(path: str, value: Any, kind: TemplateKind) -> Iterator[TemplateText]:
    """Every string in `value` (a string, or dict values and list items at any depth); None is none."""
    if isinstance(value, str):
        yield TemplateText(path, value, kind)
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(f"{path}.{key}", item, kind)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _strings(f"{path}[{index}]", item, kind)

"""The secrets a workflow needs: named in a field (`auth.secret`, a script's `secrets`) or read by a
template (`{{ secrets.NAME }}`) in a field the engine renders."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from mwo.spec.steps import ApiCallStep, PythonScriptStep, StepBase
from mwo.spec.templates import TemplateText, step_templates
from mwo.spec.templating import TemplateError, Templates
from mwo.spec.workflow import Workflow


@dataclass(frozen=True)
class SecretUse:
    """A secret a step needs: declared (`auth.secret`, a script's `secrets`) or read by a template."""

    step: str
    field: str
    name: str


def declared_secrets(step: StepBase) -> Iterator[tuple[str, str]]:
    """(field, secret name) for each secret `step` names outside templates."""
    if isinstance(step, ApiCallStep) and step.auth is not None:
        yield "auth.secret", step.auth.secret
    if isinstance(step, PythonScriptStep):
        for name in step.secrets:
            yield "secrets", name


def secret_uses(workflow: Workflow) -> list[SecretUse]:
    """Every use of a secret in `workflow`, in step order (a name may appear more than once)."""
    templates = Templates()
    uses: list[SecretUse] = []
    for step in workflow.steps:
        uses.extend(SecretUse(step.id, field, name) for field, name in declared_secrets(step))
        for found in step_templates(step):
            uses.extend(SecretUse(step.id, found.path, name) for name in _secret_refs(templates, found))
    return uses


def _secret_refs(templates: Templates, found: TemplateText) -> Iterator[str]:
    # A template can read a secret only through the name `secrets`, written out in its text; this
    # skips parsing the others (every run checks its secrets first: parsing them all was a fifth of
    # a light run's time).
    if "secrets" not in found.text:
        return
    try:
        refs = templates.references(found.text, expression=found.is_expression)
    except TemplateError:
        return  # a broken template is the spec checks' finding, not a secret
    for ref in refs:
        if ref.root == "secrets" and ref.name is not None:
            yield ref.name

"""The CodeValidator's checks: small classes in one ordered list, cheapest first.

Each check has a `name` and `run(ctx)` yielding findings; one check's findings never stop the next
(every family is reported), but a later check may look at what earlier ones found (the dry run skips
a script that already has errors).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

from mwo.spec import (
    LlmCallStep,
    PythonScriptStep,
    SpecErrorCode,
    SpecFinding,
    TemplateText,
    Workflow,
    check_workflow,
    secret_uses,
    step_templates,
    trigger_templates,
)
from mwo.validation.catalogue import Language, finding
from mwo.validation.findings import Finding, Severity
from mwo.validation.script import check_script
from mwo.validation.template_safety import unsafe_attributes

if TYPE_CHECKING:  # the sandbox is imported where a dry run needs it
    from mwo.sandbox import Sandbox


@dataclass
class Context:
    """What the checks read: the workflow, the language, the known secrets (None: not checked), the
    time (schedules), the dry-run switch and its sandbox, and the findings so far."""

    workflow: Workflow
    language: Language
    now: datetime
    known_secrets: Collection[str] | None = None
    dry_run: bool = False
    dry_run_timeout_s: float = 10.0
    sandbox: Sandbox | None = None
    found: list[Finding] = field(default_factory=list)

    def has_errors(self, step: str) -> bool:
        return any(f.is_error and f.step == step for f in self.found)


class Check(Protocol):
    """One check: a stable name and the findings it yields."""

    name: ClassVar[str]

    def run(self, ctx: Context) -> Iterable[Finding]: ...


def wrap_spec_finding(spec_finding: SpecFinding, language: Language, code: str | None = None) -> Finding:
    """An older check's SpecFinding as a Finding (`spec.<code>`), its words kept as the detail."""
    return finding(
        code or f"spec.{spec_finding.code.value}",
        Severity.ERROR,
        language,
        step=spec_finding.step,
        field=spec_finding.field,
        detail=spec_finding.message,
        fix=spec_finding.fix,
    )


class GraphAndReferences:
    """Step ids, targets, cycles, reachability and every reference (mwo.spec.checks), secrets aside."""

    name: ClassVar[str] = "spec"

    def run(self, ctx: Context) -> Iterator[Finding]:
        for spec_finding in check_workflow(ctx.workflow, known_secrets=None):
            yield wrap_spec_finding(spec_finding, ctx.language)


class TemplateSafety:
    """Templates and expressions that reach for `__class__`, `mro`, `__globals__` and the like."""

    name: ClassVar[str] = "templates"

    def run(self, ctx: Context) -> Iterator[Finding]:
        from jinja2.sandbox import ImmutableSandboxedEnvironment

        env = ImmutableSandboxedEnvironment()
        places: list[tuple[str | None, TemplateText]] = [
            (step.id, found) for step in ctx.workflow.steps for found in step_templates(step)
        ]
        places.extend((None, found) for found in trigger_templates(ctx.workflow.trigger))
        for step_id, found in places:
            for attribute in dict.fromkeys(
                unsafe_attributes(found.text, expression=found.is_expression, env=env)
            ):
                yield finding(
                    "template.unsafe_attribute",
                    Severity.ERROR,
                    ctx.language,
                    step=step_id,
                    field=found.path,
                    attribute=attribute,
                    got=found.text,
                )


class Secrets:
    """A secret that is not set yet: a warning (the workflow can be saved before its keys exist)."""

    name: ClassVar[str] = "secrets"

    def run(self, ctx: Context) -> Iterator[Finding]:
        if ctx.known_secrets is None:
            return
        seen: set[tuple[str, str]] = set()
        for use in secret_uses(ctx.workflow):
            if use.name in ctx.known_secrets or (use.step, use.name) in seen:
                continue
            seen.add((use.step, use.name))
            yield finding(
                "secret.not_set",
                Severity.WARNING,
                ctx.language,
                step=use.step,
                field=use.field,
                name=use.name,
            )


class DeclaredSchemas:
    """LLM_CALL `output_schema` and every step's declared `output` are valid JSON Schemas."""

    name: ClassVar[str] = "schemas"

    def run(self, ctx: Context) -> Iterator[Finding]:
        for step in ctx.workflow.steps:
            if isinstance(step, LlmCallStep) and step.output_schema is not None:
                yield from _schema_problem(
                    step.output_schema, "llm.bad_output_schema", step.id, "output_schema", ctx
                )
            if step.output is not None:
                yield from _schema_problem(step.output, "step.bad_output_schema", step.id, "output", ctx)


def _schema_problem(
    schema: dict[str, Any], code: str, step: str, field: str, ctx: Context
) -> Iterator[Finding]:
    import jsonschema

    try:
        jsonschema.validators.validator_for(schema).check_schema(schema)
    except jsonschema.SchemaError as exc:
        where = field + "".join(f".{p}" for p in exc.absolute_path)
        yield finding(code, Severity.ERROR, ctx.language, step=step, field=where, detail=exc.message)


class EnginePreflight:
    """What only the engine and triggers know: refused literal URLs, a cron that never fires, a
    missing watched folder."""

    name: ClassVar[str] = "preflight"

    def run(self, ctx: Context) -> Iterator[Finding]:
        from mwo.engine.preflight import preflight_findings
        from mwo.triggers.folders import folder_findings
        from mwo.triggers.registration import schedule_findings

        for spec_finding in preflight_findings(ctx.workflow):
            yield wrap_spec_finding(spec_finding, ctx.language)
        for spec_finding in schedule_findings(ctx.workflow, ctx.now):
            code = "trigger.cron" if spec_finding.code is SpecErrorCode.SCHEMA else None
            yield wrap_spec_finding(spec_finding, ctx.language, code)
        for spec_finding in folder_findings(ctx.workflow):
            yield wrap_spec_finding(spec_finding, ctx.language)


class Scripts:
    """Every PYTHON_SCRIPT's code, statically (see check_script)."""

    name: ClassVar[str] = "scripts"

    def run(self, ctx: Context) -> Iterator[Finding]:
        for step in ctx.workflow.steps:
            if isinstance(step, PythonScriptStep):
                yield from check_script(
                    step.code, step=step.id, allow_net=step.allow_net, language=ctx.language
                )


class DryRun:
    """Each script run in the sandbox on sample inputs (only when asked: it costs a process per script)."""

    name: ClassVar[str] = "dry_run"

    def run(self, ctx: Context) -> Iterator[Finding]:
        if not ctx.dry_run or ctx.sandbox is None:
            return
        from mwo.validation.dry_run_steps import dry_run_workflow

        yield from dry_run_workflow(ctx)


DEFAULT_CHECKS: tuple[Check, ...] = (
    GraphAndReferences(),
    TemplateSafety(),
    Secrets(),
    DeclaredSchemas(),
    EnginePreflight(),
    Scripts(),
    DryRun(),
)
"""The checks in the order they run: cheapest first, the dry run last."""

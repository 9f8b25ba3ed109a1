"""Static checks of a parsed workflow: the graph and every reference, before anything runs.

Every problem is reported (not only the first), each naming the step and field and the fix.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator

from mwo.spec.errors import SpecErrorCode, SpecFinding
from mwo.spec.graph import StepGraph
from mwo.spec.secrets import declared_secrets
from mwo.spec.steps import END, StepBase
from mwo.spec.templates import step_templates
from mwo.spec.templating import TemplateError, Templates
from mwo.spec.workflow import Workflow


def check_workflow(workflow: Workflow, known_secrets: Collection[str] | None = None) -> list[SpecFinding]:
    """All findings for `workflow`; `known_secrets=None` skips the secret-existence check."""
    graph = StepGraph(workflow.steps)
    findings = list(_check_ids_and_targets(workflow))
    if findings:
        return findings
    cycle = graph.find_cycle()
    if cycle:
        findings.append(
            SpecFinding(
                SpecErrorCode.CYCLE,
                "steps form a cycle: " + " -> ".join(cycle),
                "workflows are acyclic; use a step's retry policy to repeat work, or route to a new step",
                step=cycle[0],
                field="next",
            )
        )
        return findings
    findings.extend(_check_reachability(workflow, graph))
    templates = Templates()
    for step in workflow.steps:
        findings.extend(_check_step_references(workflow, step, graph, templates, known_secrets))
    return findings


def _check_ids_and_targets(workflow: Workflow) -> Iterator[SpecFinding]:
    ids = [s.id for s in workflow.steps]
    seen: set[str] = set()
    for sid in ids:
        if sid in seen:
            yield SpecFinding(
                SpecErrorCode.DUPLICATE_STEP,
                f"step id '{sid}' is used twice",
                "give each step its own id",
                step=sid,
                field="id",
            )
        seen.add(sid)
    if END in seen:
        yield SpecFinding(
            SpecErrorCode.DUPLICATE_STEP, "'end' is reserved", "rename the step", step=END, field="id"
        )
    graph_edges = StepGraph(workflow.steps).edges
    for edge in graph_edges:
        if edge.target != END and edge.target not in seen:
            field = "next" if edge.when is None else "branches.goto"
            yield SpecFinding(
                SpecErrorCode.UNKNOWN_STEP,
                f"goes to step '{edge.target}', which does not exist",
                f"use one of: {', '.join(ids)} or 'end'",
                step=edge.source,
                field=field,
            )


def _check_reachability(workflow: Workflow, graph: StepGraph) -> Iterator[SpecFinding]:
    entry = graph.entry
    reachable = graph.reachable_from(entry) if entry else set()
    for step in workflow.steps:
        if step.id not in reachable:
            yield SpecFinding(
                SpecErrorCode.UNREACHABLE_STEP,
                "no path from the first step leads here, so it would never run",
                "route to it with `next` or a CONDITION branch, or delete it",
                step=step.id,
            )


def _check_step_references(
    workflow: Workflow,
    step: StepBase,
    graph: StepGraph,
    templates: Templates,
    known_secrets: Collection[str] | None,
) -> Iterator[SpecFinding]:
    ancestors = graph.ancestors(step.id)
    for found in step_templates(step):
        try:
            refs = templates.references(found.text, expression=found.is_expression)
        except TemplateError as exc:
            yield SpecFinding(
                SpecErrorCode.TEMPLATE_SYNTAX, str(exc), exc.fix, step=step.id, field=found.path
            )
            continue
        for ref in refs:
            finding = _check_reference(workflow, step, ancestors, ref.root, ref.name, known_secrets)
            if finding:
                yield SpecFinding(finding[0], finding[1], finding[2], step=step.id, field=found.path)
    for field, name in declared_secrets(step):
        if known_secrets is not None and name not in known_secrets:
            yield SpecFinding(
                SpecErrorCode.UNKNOWN_SECRET,
                f"secret '{name}' is not set",
                f"set it with: mwo secrets set {name}",
                step=step.id,
                field=field,
            )


def _check_reference(
    workflow: Workflow,
    step: StepBase,
    ancestors: set[str],
    root: str,
    name: str | None,
    known_secrets: Collection[str] | None,
) -> tuple[SpecErrorCode, str, str] | None:
    if name is None:
        return None
    if root == "steps":
        if name == step.id:
            return (
                SpecErrorCode.BAD_REFERENCE,
                f"refers to its own output (steps.{name})",
                "a step can only read the outputs of steps that run before it",
            )
        if name not in {s.id for s in workflow.steps}:
            return (
                SpecErrorCode.BAD_REFERENCE,
                f"refers to unknown step '{name}'",
                f"use one of the earlier steps: {', '.join(sorted(ancestors)) or '(none)'}",
            )
        if name not in ancestors:
            return (
                SpecErrorCode.BAD_REFERENCE,
                f"refers to step '{name}', which does not run before it",
                "move the step after the one it reads from, or read from an earlier step",
            )
    elif root == "inputs" and name not in workflow.inputs:
        return (
            SpecErrorCode.UNKNOWN_INPUT,
            f"refers to input '{name}', which is not declared",
            f"declare it under `inputs:` (declared: {', '.join(workflow.inputs) or 'none'})",
        )
    elif root == "secrets" and known_secrets is not None and name not in known_secrets:
        return (
            SpecErrorCode.UNKNOWN_SECRET,
            f"secret '{name}' is not set",
            f"set it with: mwo secrets set {name}",
        )
    return None

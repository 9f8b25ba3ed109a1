"""Reading and writing `*.mwo.yaml` files.

Writing is canonical (defaults left out, keys in model order, block style, Unicode kept), so
`dump(load(dump(w))) == dump(w)` and `load(dump(w)) == w`: files round-trip exactly.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from mwo.spec.checks import check_workflow
from mwo.spec.errors import SpecError, SpecErrorCode, SpecFinding
from mwo.spec.steps import StepType
from mwo.spec.workflow import Workflow


class _Dumper(yaml.SafeDumper):
    """Block style, multi-line strings as literal blocks."""


def _str_representer(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str_representer)


def dump_workflow(workflow: Workflow) -> str:
    """The canonical YAML text of a workflow."""
    return yaml.dump(
        workflow.canonical_dict(), Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100
    )


def parse_workflow(text: str, *, file: str | None = None) -> Workflow:
    """Parse YAML text into a Workflow; SpecError names every schema problem with its location."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise SpecError(
            [
                SpecFinding(
                    SpecErrorCode.YAML_SYNTAX,
                    f"{where}{problem}",
                    "fix the YAML syntax (indentation, a missing colon or quote)",
                )
            ],
            file=file,
        ) from exc
    if not isinstance(data, dict):
        raise SpecError(
            [
                SpecFinding(
                    SpecErrorCode.SCHEMA,
                    "the file is not a mapping of workflow fields",
                    "start the file with `name:`, `steps:` ... (see `mwo schema`)",
                )
            ],
            file=file,
        )
    return workflow_from_data(data, file=file)


def workflow_from_data(data: dict[str, Any], *, file: str | None = None) -> Workflow:
    try:
        return Workflow.model_validate(data)
    except ValidationError as exc:
        raise SpecError([_finding_from_pydantic(err, data) for err in exc.errors()], file=file) from exc


def load_workflow(path: str | Path, known_secrets: set[str] | None = None, *, check: bool = True) -> Workflow:
    """Read, parse and (by default) statically check a spec file."""
    file = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise SpecError(
            [SpecFinding(SpecErrorCode.SCHEMA, f"cannot read the file: {exc.strerror}", "check the path")],
            file=file,
        ) from exc
    workflow = parse_workflow(text, file=file)
    if check:
        findings = check_workflow(workflow, known_secrets)
        if findings:
            raise SpecError(findings, file=file)
    return workflow


def _finding_from_pydantic(err: Any, data: dict[str, Any]) -> SpecFinding:
    loc = [str(p) for p in err["loc"]]
    step_id = None
    if len(loc) >= 2 and loc[0] == "steps" and loc[1].isdigit():
        steps = data.get("steps") or []
        index = int(loc[1])
        if index < len(steps) and isinstance(steps[index], dict):
            step_id = str(steps[index].get("id", f"#{index + 1}"))
        loc = [p for p in loc[2:] if not p.isupper() and not p.startswith("function-")]
    field = ".".join(loc) or None
    message = err["msg"]
    if err["type"] == "union_tag_invalid":
        if isinstance(err["input"], dict):
            message = f"unknown step type {err['input'].get('type')!r}"
        fix = "use one of: " + ", ".join(t.value for t in StepType)
    elif err["type"] == "union_tag_not_found":
        fix = "add a `type:` field"
    elif err["type"] == "extra_forbidden":
        message = f"unknown field '{loc[-1] if loc else ''}'"
        fix = "remove it or check its spelling (see `mwo schema`)"
    elif err["type"] == "missing":
        fix = "add this field"
    else:
        fix = "see `mwo schema` for the allowed values"
    return SpecFinding(SpecErrorCode.SCHEMA, message, fix, step=step_id, field=field)

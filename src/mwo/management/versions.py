"""Version history: what changed between two versions, and rolling back to an earlier one.

Versions are immutable, so a rollback never rewrites history: it saves the old spec as the newest
version (as n8n and Windmill do), validated again like any apply, so a spec that no longer passes
today's checks (a secret deleted since) is refused with its findings instead of being restored.
"""

from __future__ import annotations

import difflib
from typing import Any, Literal, Protocol

from pydantic import BaseModel

from mwo.spec import Workflow, parse_workflow
from mwo.store.abc import WorkflowStore
from mwo.store.records import VersionRecord


class Applies(Protocol):
    """What a rollback needs: the versions, and the apply use case (`WorkflowApply`, which the faces
    reach as `services.applier`)."""

    @property
    def store(self) -> WorkflowStore: ...

    def apply_workflow(self, workflow: Workflow, message: str = "") -> tuple[VersionRecord, bool]: ...


class StepChange(BaseModel):
    """One step that differs between the two versions."""

    step: str
    change: Literal["added", "removed", "changed"]


class VersionDiff(BaseModel):
    """The difference from version `from_version` to `to_version` of one workflow."""

    name: str
    from_version: int
    to_version: int
    changed: bool
    steps: list[StepChange]
    diff: str  # unified diff of the canonical YAML, what people read in review tools


def diff_versions(store: WorkflowStore, name: str, a: int, b: int | None = None) -> VersionDiff:
    """Version `a` against version `b` (the latest when None); NotFound for an unknown version."""
    old = store.get_version(name, a)
    new = store.get_version(name, b)
    lines = difflib.unified_diff(
        old.spec_yaml.splitlines(keepends=True),
        new.spec_yaml.splitlines(keepends=True),
        fromfile=f"{name} v{old.number}",
        tofile=f"{name} v{new.number}",
    )
    return VersionDiff(
        name=name,
        from_version=old.number,
        to_version=new.number,
        changed=old.content_hash != new.content_hash,
        steps=_step_changes(_steps_by_id(old), _steps_by_id(new)),
        diff="".join(lines),
    )


def rollback(apply: Applies, name: str, number: int, message: str = "") -> tuple[VersionRecord, bool]:
    """Save version `number`'s spec as the newest version; (latest, False) when it already is the
    latest content. Raises NotFound, or SpecError when the old spec no longer passes the checks."""
    target = apply.store.get_version(name, number)
    workflow = parse_workflow(target.spec_yaml)
    return apply.apply_workflow(workflow, message or f"rollback to version {number}")


def _steps_by_id(version: VersionRecord) -> dict[str, dict[str, Any]]:
    canonical = parse_workflow(version.spec_yaml).canonical_dict()
    return {str(step["id"]): step for step in canonical.get("steps", [])}


def _step_changes(old: dict[str, dict[str, Any]], new: dict[str, dict[str, Any]]) -> list[StepChange]:
    changes = [StepChange(step=s, change="removed") for s in old if s not in new]
    for step_id, step in new.items():
        if step_id not in old:
            changes.append(StepChange(step=step_id, change="added"))
        elif old[step_id] != step:
            changes.append(StepChange(step=step_id, change="changed"))
    return changes

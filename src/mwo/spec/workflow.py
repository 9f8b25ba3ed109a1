"""The top-level workflow model."""

from __future__ import annotations

import hashlib
import json
from enum import Enum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from mwo.spec.policies import WorkflowSettings
from mwo.spec.steps import Step
from mwo.spec.triggers import ManualTrigger, Trigger

WORKFLOW_NAME_PATTERN = r"^[a-z0-9][a-z0-9-]{0,79}$"


class InputType(str, Enum):
    STRING = "string"
    INTEGER = "integer"
    NUMBER = "number"
    BOOLEAN = "boolean"
    OBJECT = "object"
    ARRAY = "array"


class InputField(BaseModel):
    """One named input a run receives (from the CLI, a webhook body, an event)."""

    model_config = ConfigDict(extra="forbid")

    type: InputType = InputType.STRING
    description: str | None = None
    default: Any = None
    required: bool = False
    enum: list[Any] | None = None


class Workflow(BaseModel):
    """A workflow: a trigger, inputs and an ordered list of steps (a DAG with branches)."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(pattern=WORKFLOW_NAME_PATTERN, description="Lower-case slug, unique in a store.")
    description: str = ""
    trigger: Trigger = Field(default_factory=lambda: ManualTrigger(type="manual"))
    inputs: dict[str, InputField] = Field(default_factory=dict)
    settings: WorkflowSettings = Field(default_factory=WorkflowSettings)
    steps: list[Step] = Field(min_length=1)

    def step(self, step_id: str) -> Step:
        for s in self.steps:
            if s.id == step_id:
                return s
        raise KeyError(step_id)

    def canonical_dict(self) -> dict[str, Any]:
        """The spec as plain data without defaults: what YAML files and hashes are made of."""
        data = self.model_dump(mode="json", exclude_defaults=True, by_alias=True)
        data["steps"] = [_id_and_type_first(step) for step in data["steps"]]
        return data

    def content_hash(self) -> str:
        """sha256 of the canonical JSON: equal specs, equal hashes, whatever the file's layout."""
        text = json.dumps(self.canonical_dict(), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()


def _id_and_type_first(step: dict[str, Any]) -> dict[str, Any]:
    head = {"id": step["id"], "type": step["type"]}
    return {**head, **{k: v for k, v in step.items() if k not in head}}

"""The JSON Schema of the whole workflow language (what `mwo schema` prints and authoring constrains with)."""

from __future__ import annotations

from typing import Any

from mwo.spec.workflow import Workflow

SCHEMA_ID = "https://mwo.dev/schema/workflow.json"


def workflow_json_schema() -> dict[str, Any]:
    schema = Workflow.model_json_schema(by_alias=True, mode="validation")
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": SCHEMA_ID, **schema}

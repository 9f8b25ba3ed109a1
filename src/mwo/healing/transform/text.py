"""A DATA_TRANSFORM step as text: its YAML (what a proposal shows and a diff compares)."""

from __future__ import annotations

import difflib

import yaml

from mwo.spec import DataTransformStep


def step_text(step: DataTransformStep) -> str:
    """The step as the spec writes it (the same form `mwo repair` shows for a non-script step)."""
    data = step.model_dump(mode="json", by_alias=True, exclude_none=True)
    return str(yaml.safe_dump(data, allow_unicode=True, sort_keys=False))


def step_diff(before: DataTransformStep, after: DataTransformStep) -> str:
    """A unified diff of two versions of the step ("" when equal)."""
    lines = difflib.unified_diff(
        step_text(before).splitlines(keepends=True),
        step_text(after).splitlines(keepends=True),
        "step (before)",
        "step (after)",
    )
    return "".join(lines)

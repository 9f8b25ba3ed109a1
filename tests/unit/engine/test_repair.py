"""Which failures a repair may fix, and what a proposal shows: the step's source, its diff, the spec
with only that step changed. Plus the `repair` setting of the language."""

from __future__ import annotations

from typing import Any

import pytest

from mwo.engine.failures import StepFailed
from mwo.engine.repair import is_repairable, proposed_spec, source_diff, step_source, with_step
from mwo.errors import FailureKind
from mwo.spec import PythonScriptStep, RepairMode, parse_workflow, workflow_from_data

SCRIPT = "def main(inputs):\n    return {'n': inputs['count']}\n"


def _workflow(**settings: Any) -> dict[str, Any]:
    return {
        "name": "counts",
        "settings": settings,
        "steps": [
            {"id": "pick", "type": "DATA_TRANSFORM", "source": "inputs"},
            {"id": "count", "type": "PYTHON_SCRIPT", "code": SCRIPT},
            {"id": "ask", "type": "APPROVAL"},
        ],
    }


def _failure(kind: FailureKind) -> StepFailed:
    return StepFailed(kind, "it failed", "fix it")


@pytest.mark.parametrize(
    ("step_id", "kind", "repairable"),
    [
        ("count", FailureKind.EXCEPTION, True),
        ("count", FailureKind.OUTPUT_SHAPE, True),
        ("count", FailureKind.TIMEOUT, False),
        ("count", FailureKind.CONFIG, False),  # e.g. a secret that is not set
        ("count", FailureKind.VIOLATION, False),  # a fix never widens what a step may do
        ("count", FailureKind.CANCELLED, False),
        ("pick", FailureKind.TEMPLATE, True),
        ("pick", FailureKind.OUTPUT_SHAPE, True),
        ("pick", FailureKind.CONNECTION, False),
        ("ask", FailureKind.REJECTED, False),
    ],
)
def test_only_failures_of_the_steps_own_making_are_repairable(
    step_id: str, kind: FailureKind, repairable: bool
) -> None:
    step = workflow_from_data(_workflow()).step(step_id)

    assert is_repairable(step, _failure(kind)) is repairable


def test_a_fix_changes_only_its_step_and_the_spec_says_so() -> None:
    workflow = workflow_from_data(_workflow())
    step = workflow.step("count")
    assert isinstance(step, PythonScriptStep)
    fixed = step.model_copy(update={"code": SCRIPT.replace("'count'", "'counts'")})

    changed = with_step(workflow, fixed)
    reparsed = parse_workflow(proposed_spec(workflow, fixed))

    assert [s.id for s in changed.steps] == ["pick", "count", "ask"]
    assert reparsed.step("count") == fixed
    assert reparsed.model_copy(update={"steps": workflow.steps}) == workflow


def test_the_diff_shows_the_changed_lines_of_the_step() -> None:
    diff = source_diff("count", SCRIPT, SCRIPT.replace("'count'", "'counts'"))

    assert diff.startswith("--- count (failed)\n+++ count (proposed)\n")
    assert "-    return {'n': inputs['count']}\n+    return {'n': inputs['counts']}\n" in diff
    assert source_diff("count", SCRIPT, SCRIPT) == ""


def test_a_script_shows_its_code_and_other_steps_their_configuration() -> None:
    workflow = workflow_from_data(_workflow())

    assert step_source(workflow.step("count")) == SCRIPT
    assert step_source(workflow.step("pick")) == "id: pick\ntype: DATA_TRANSFORM\nsource: inputs\nops: []\n"


def test_repair_defaults_to_propose_and_an_unquoted_off_means_off() -> None:
    assert workflow_from_data(_workflow()).settings.repair is RepairMode.PROPOSE
    assert workflow_from_data(_workflow(repair="auto")).settings.repair is RepairMode.AUTO
    text = "name: counts\nsettings: {repair: off}\nsteps:\n- {id: ask, type: APPROVAL}\n"
    assert parse_workflow(text).settings.repair is RepairMode.OFF

"""Hostile specs are refused with a finding, never a hang, a huge answer or a traceback: alias
expansion ("billion laughs") past a budget, nesting past MAX_DEPTH (YAML and JSON), and graph walks
over thousands of chained steps."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from mwo.authoring.examples import ExampleBankError, load_example_file
from mwo.spec import SpecError, SpecErrorCode, check_workflow, parse_workflow, workflow_from_data
from mwo.spec.graph import StepGraph
from mwo.spec.yaml_io import MAX_ALIASES, MAX_DEPTH, YamlTooLarge, load_yaml_data

HEAD = "name: hostile\nsteps:\n  - id: a\n    type: DATA_TRANSFORM\n    source: inputs.x\n"


def laughs(levels: int, fan_out: int) -> str:
    """Nested anchors, each level aliasing the previous `fan_out` times: tiny text, huge expansion."""
    lines = ['l0: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for level in range(1, levels + 1):
        lines.append(f"l{level}: &l{level} [" + ", ".join([f"*l{level - 1}"] * fan_out) + "]")
    return HEAD + "\n".join(lines) + "\n"


def refused_as_too_large(text: str) -> SpecError:
    with pytest.raises(SpecError) as caught:
        parse_workflow(text)
    assert [f.code for f in caught.value.findings] == [SpecErrorCode.TOO_LARGE]
    assert caught.value.findings[0].fix
    return caught.value


@pytest.mark.parametrize(("levels", "fan_out"), [(9, 9), (30, 2), (4, 20)])
def test_alias_expansion_past_the_budget_is_refused(levels: int, fan_out: int) -> None:
    text = laughs(levels, fan_out)
    assert len(text) < 1000
    error = refused_as_too_large(text)
    assert "alias" in str(error)


def test_more_aliases_than_allowed_is_refused_even_when_small() -> None:
    lines = ["x: &x 1"] + [f"k{i}: *x" for i in range(MAX_ALIASES + 1)]
    refused_as_too_large(HEAD + "\n".join(lines) + "\n")


def test_an_alias_to_one_big_scalar_repeated_is_refused() -> None:
    big = "x" * 50_000
    lines = [f"big: &big {big}"] + [f"k{i}: *big" for i in range(60)]
    refused_as_too_large(HEAD + "\n".join(lines) + "\n")


def test_an_anchor_that_contains_itself_is_refused() -> None:
    refused_as_too_large(HEAD + "loop: &loop [1, *loop]\n")


def test_a_few_shared_anchors_still_load() -> None:
    text = (
        "name: shared\ninputs:\n  x: &field\n    type: string\n    default: a\n  y: *field\n"
        "steps:\n  - id: a\n    type: DATA_TRANSFORM\n    source: inputs.x\n"
    )
    workflow = parse_workflow(text)
    assert set(workflow.inputs) == {"x", "y"}


@pytest.mark.parametrize(
    "nested",
    [
        "[" * 500 + "]" * 500,  # flow lists
        "{a: " * 500 + "1" + "}" * 500,  # flow mappings
        "".join(f"\n{'  ' * (i + 3)}k:" for i in range(300)) + " 1",  # block mappings
    ],
)
def test_yaml_nested_past_the_limit_is_a_finding_not_a_recursion_error(nested: str) -> None:
    error = refused_as_too_large(HEAD + "x: " + nested + "\n")
    assert str(MAX_DEPTH) in str(error)


def test_nesting_within_the_limit_reads() -> None:
    assert load_yaml_data("[" * (MAX_DEPTH - 1) + "]" * (MAX_DEPTH - 1)) is not None


def test_json_spec_nested_past_the_limit_is_a_finding() -> None:
    deep: Any = 1
    for _ in range(300):
        deep = {"k": deep}
    data = json.loads(json.dumps({"name": "deep", "steps": [], "x": deep}))
    with pytest.raises(SpecError) as caught:
        workflow_from_data(data)
    assert caught.value.findings[0].code is SpecErrorCode.TOO_LARGE


def chain(count: int, *, back_to_start: bool = False) -> dict[str, Any]:
    steps: list[dict[str, Any]] = [
        {"id": f"s{i}", "type": "DATA_TRANSFORM", "source": "inputs.x"} for i in range(count)
    ]
    if back_to_start:
        steps[-1]["next"] = "s0"
    return {"name": "chain", "inputs": {"x": {"type": "string", "default": "a"}}, "steps": steps}


def test_two_thousand_chained_steps_check_without_recursion() -> None:
    workflow = workflow_from_data(chain(2000))
    assert check_workflow(workflow, set()) == []
    assert StepGraph(workflow.steps).find_cycle() is None


def test_a_cycle_at_the_end_of_a_long_chain_is_found() -> None:
    workflow = workflow_from_data(chain(5000, back_to_start=True))
    cycle = StepGraph(workflow.steps).find_cycle()
    assert cycle is not None and cycle[0] == cycle[-1] == "s0" and len(cycle) == 5001
    assert SpecErrorCode.CYCLE in {f.code for f in check_workflow(workflow, set())}


def test_other_yaml_read_from_outside_is_bounded_too(tmp_path: Path) -> None:
    """`load_yaml_data` (authoring's worked examples, learned ones under MWO_HOME too) refuses the
    same bombs, as a yaml.YAMLError its callers already handle."""
    with pytest.raises(YamlTooLarge) as caught:
        load_yaml_data(laughs(9, 9))
    assert isinstance(caught.value, yaml.YAMLError)
    bomb = tmp_path / "learned.yaml"
    bomb.write_text(laughs(9, 9), encoding="utf-8")
    with pytest.raises(ExampleBankError):
        load_example_file(bomb, "user")

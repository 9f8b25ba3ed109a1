"""Run inputs from any way in (CLI, API, webhook, event) are bounded in depth before they are stored."""

from __future__ import annotations

from typing import Any

import pytest

from mwo.engine.errors import InputError
from mwo.engine.inputs import resolve_inputs
from mwo.nesting import MAX_INPUT_DEPTH
from mwo.spec import workflow_from_data

WORKFLOW = workflow_from_data(
    {
        "name": "takes-data",
        "inputs": {"data": {"type": "object", "default": {}}},
        "steps": [{"id": "echo", "type": "DATA_TRANSFORM", "source": "inputs.data"}],
    }
)


def nested(depth: int) -> Any:
    value: Any = 1
    for _ in range(depth):
        value = {"k": value}
    return value


@pytest.mark.parametrize("depth", [MAX_INPUT_DEPTH, 300, 5000])
def test_inputs_nested_past_the_limit_are_refused(depth: int) -> None:
    with pytest.raises(InputError) as caught:
        resolve_inputs(WORKFLOW, {"data": nested(depth)})
    assert str(MAX_INPUT_DEPTH) in str(caught.value) and caught.value.fix


def test_inputs_within_the_limit_pass() -> None:
    value = nested(MAX_INPUT_DEPTH - 2)
    assert resolve_inputs(WORKFLOW, {"data": value}) == {"data": value}

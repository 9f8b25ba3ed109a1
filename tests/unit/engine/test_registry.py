"""The registry is the one place a step is matched to its executor's step class."""

from __future__ import annotations

from typing import Any

import pytest

from mwo.engine.executor import ExecutorRegistry, StepContext
from mwo.engine.executors.condition import ConditionExecutor
from mwo.engine.failures import StepFailed
from mwo.errors import FailureKind
from mwo.spec import ApprovalStep, ConditionStep, StepType

CONDITION = ConditionStep.model_validate(
    {"id": "pick", "type": "CONDITION", "branches": [{"when": "true", "goto": "end"}], "default": "end"}
)


class _Confused:
    """Registered for CONDITION but written for APPROVAL steps: a wiring bug."""

    step_type = StepType.CONDITION
    step_class = ApprovalStep
    side_effects = False

    def execute(self, step: ApprovalStep, ctx: StepContext) -> Any:
        raise AssertionError("must not be called with a step of another class")


def test_for_step_gives_the_executor_of_the_steps_type() -> None:
    executor = ConditionExecutor()
    assert ExecutorRegistry([executor]).for_step(CONDITION) is executor


def test_a_step_of_another_class_is_an_internal_failure_not_an_assert() -> None:
    with pytest.raises(StepFailed) as caught:
        ExecutorRegistry([_Confused()]).for_step(CONDITION)
    assert caught.value.kind is FailureKind.INTERNAL
    assert "ApprovalStep" in caught.value.message and "ConditionStep" in caught.value.message


def test_an_unregistered_type_is_unsupported() -> None:
    with pytest.raises(StepFailed) as caught:
        ExecutorRegistry([]).for_step(CONDITION)
    assert caught.value.kind is FailureKind.UNSUPPORTED

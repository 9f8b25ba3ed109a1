"""CONDITION: first true branch wins, else the default; failures name the branch."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any

import pytest

from mwo.engine.executor import StepContext
from mwo.engine.executors.condition import ConditionExecutor
from mwo.engine.failures import StepFailed
from mwo.errors import FailureKind
from mwo.settings import Settings
from mwo.spec import ConditionStep, StepType, Templates, workflow_from_data
from mwo.store.records import LogLevel

Logs = list[tuple[LogLevel, str]]


@pytest.fixture
def run_condition(settings: Settings) -> Callable[..., tuple[dict[str, Any], StepContext, Logs]]:
    """Run a CONDITION step over `steps` outputs; no store: this executor never touches the inbox."""
    workflow = workflow_from_data({"name": "wf", "steps": [{"id": "noop", "type": "APPROVAL"}]})

    def run(branches: list[dict[str, str]], default: str = "end", **outputs: Any) -> Any:
        logs: Logs = []
        ctx = StepContext(
            run_id="run-1",
            workflow=workflow,
            attempt=1,
            scope={"inputs": {}, "steps": {k: {"output": v} for k, v in outputs.items()}, "secrets": {}},
            templates=Templates(),
            settings=settings,
            inbox=None,  # type: ignore[arg-type]
            log=lambda level, message: logs.append((level, message)),
            now=lambda: datetime(2026, 1, 1, tzinfo=timezone.utc),
        )
        step = ConditionStep.model_validate(
            {"id": "route", "type": "CONDITION", "branches": branches, "default": default}
        )
        return ConditionExecutor().execute(step, ctx), ctx, logs

    return run


def test_step_type() -> None:
    assert ConditionExecutor().step_type is StepType.CONDITION


def test_first_true_branch_wins_and_later_ones_are_not_evaluated(run_condition: Any) -> None:
    branches = [
        {"when": "steps.fetch.output.status == 404", "goto": "missing"},
        {"when": "steps.fetch.output.status == 200", "goto": "parse"},
        {"when": "steps.fetch.output.status > 100", "goto": "other"},
        {"when": "steps.nowhere.output.x", "goto": "never"},  # would fail if evaluated
    ]
    output, ctx, logs = run_condition(branches, fetch={"status": 200})
    assert output == {
        "goto": "parse",
        "branch": 1,
        "evaluated": [
            {"when": "steps.fetch.output.status == 404", "value": False},
            {"when": "steps.fetch.output.status == 200", "value": True},
        ],
    }
    assert ctx.rendered_input == [b["when"] for b in branches]
    assert logs == [(LogLevel.INFO, "branch 1 (steps.fetch.output.status == 200) is true: going to 'parse'")]


def test_truthiness_of_non_boolean_values(run_condition: Any) -> None:
    branches = [{"when": "steps.fetch.output.items", "goto": "has_items"}]
    assert run_condition(branches, fetch={"items": []})[0]["goto"] == "end"
    output = run_condition(branches, fetch={"items": ["뉴스"]})[0]
    assert output["goto"] == "has_items"
    assert output["evaluated"] == [{"when": "steps.fetch.output.items", "value": True}]


def test_no_true_branch_goes_to_the_default(run_condition: Any) -> None:
    branches = [
        {"when": "steps.fetch.output.count > 10", "goto": "many"},
        {"when": "steps.fetch.output.title == '경제'", "goto": "economy"},
    ]
    output, _, logs = run_condition(branches, default="fallback", fetch={"count": 3, "title": "사회"})
    assert output["goto"] == "fallback"
    assert output["branch"] is None
    assert [e["value"] for e in output["evaluated"]] == [False, False]
    assert logs == [(LogLevel.INFO, "no branch is true: going to the default, 'fallback'")]


def test_default_default_is_end(run_condition: Any) -> None:
    output, _, _ = run_condition([{"when": "false", "goto": "x"}])
    assert output == {"goto": "end", "branch": None, "evaluated": [{"when": "false", "value": False}]}


def test_korean_comparison(run_condition: Any) -> None:
    branches = [{"when": "'경제' in steps.fetch.output.title", "goto": "economy"}]
    assert run_condition(branches, fetch={"title": "오늘의 경제 뉴스"})[0]["goto"] == "economy"


def test_expression_error_names_branch_and_expression(run_condition: Any) -> None:
    branches = [
        {"when": "steps.fetch.output.status == 200", "goto": "a"},
        {"when": "steps.fetch.output.count > 'x'", "goto": "b"},
    ]
    with pytest.raises(StepFailed) as caught:
        run_condition(branches, fetch={"status": 500, "count": 3})
    assert caught.value.kind is FailureKind.TEMPLATE
    assert "branch 1" in caught.value.message
    assert "steps.fetch.output.count > 'x'" in caught.value.message
    assert caught.value.fix


def test_syntax_error_is_a_template_failure(run_condition: Any) -> None:
    with pytest.raises(StepFailed) as caught:
        run_condition([{"when": "steps.fetch.output.status ==", "goto": "a"}], fetch={"status": 1})
    assert caught.value.kind is FailureKind.TEMPLATE
    assert caught.value.message.startswith("branch 0 (when: steps.fetch.output.status ==)")


@pytest.mark.parametrize("when", ["steps.missing.output.ok", "steps.fetch.output.nope == 1"])
def test_undefined_reference_is_a_template_failure(run_condition: Any, when: str) -> None:
    with pytest.raises(StepFailed) as caught:
        run_condition([{"when": when, "goto": "a"}], fetch={"status": 200})
    assert caught.value.kind is FailureKind.TEMPLATE
    assert "branch 0" in caught.value.message
    assert when in caught.value.message


def test_non_template_failures_pass_through_unchanged(settings: Settings) -> None:
    """A missing secret is a CONFIG failure from the scope, not an expression error to rename."""

    class Secrets(dict[str, str]):
        def __getitem__(self, name: str) -> str:
            raise StepFailed(FailureKind.CONFIG, f"secret '{name}' is not set", "set it")

    ctx = StepContext(
        run_id="r",
        workflow=workflow_from_data({"name": "wf", "steps": [{"id": "a", "type": "APPROVAL"}]}),
        attempt=1,
        scope={"secrets": Secrets()},
        templates=Templates(),
        settings=settings,
        inbox=None,  # type: ignore[arg-type]
        log=lambda level, message: None,
        now=lambda: datetime(2026, 1, 1, tzinfo=timezone.utc),
    )
    step = ConditionStep.model_validate(
        {"id": "c", "type": "CONDITION", "branches": [{"when": "secrets['TOKEN'] == 'x'", "goto": "a"}]}
    )
    with pytest.raises(StepFailed) as caught:
        ConditionExecutor().execute(step, ctx)
    assert caught.value.kind is FailureKind.CONFIG
    assert caught.value.message == "secret 'TOKEN' is not set"

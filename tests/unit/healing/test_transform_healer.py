"""The DATA_TRANSFORM repair loop on a trial that runs the engine's own executor over a fixed scope:
each deterministic fixer on the breakage it knows, the model (scripted fake) on the one failing
part under a JSON schema, what is rejected unrun, the bounds, and the attempts in the HealingStore."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import datetime, timezone
from typing import Any

import pytest

from mwo.engine.executor import StepContext
from mwo.engine.executors.data_transform import DataTransformExecutor
from mwo.engine.failures import StepFailed
from mwo.engine.step_runner import _check_output_shape
from mwo.healing.transform import TransformHealer, TransformRepairRequest, TrialOutcome
from mwo.healing.transform.model import part_schema, with_part
from mwo.llm.fake import FakeChatModel
from mwo.llm.service import LlmService
from mwo.settings import Settings
from mwo.spec import DataTransformStep, Templates, Workflow, workflow_from_data
from mwo.store import Store, open_store

ITEMS = [{"title": "rates", "score": 3, "owner": "kim"}, {"title": "stocks", "score": 9, "owner": "lee"}]
OWNERS = [{"ownr": "kim", "team": "a"}, {"ownr": "lee", "team": "b"}]
SCOPE: dict[str, Any] = {
    "inputs": {"feed": {"page": 1, "items": ITEMS}, "owners": OWNERS},
    "steps": {"fetch": {"output": {"status": 200, "json": {"rows": ITEMS}}}},
    "secrets": {},
    "run": {},
}
AT_LEAST_ONE = {"type": "object", "properties": {"result": {"type": "array", "minItems": 1}}}


def trial(step: DataTransformStep) -> TrialOutcome:
    """The engine's executor and output check on SCOPE (what RecordedScope does on a run's records)."""
    workflow = workflow_from_data(
        {"name": "t", "steps": [{"id": "x", "type": "DATA_TRANSFORM", "source": "1"}]}
    )
    ctx = StepContext(
        run_id="r",
        workflow=workflow,
        attempt=0,
        scope=SCOPE,
        templates=Templates(),
        settings=Settings(_env_file=None),
        inbox=None,  # type: ignore[arg-type]  # transforms never read the inbox
        log=lambda _level, _message: None,
        now=lambda: datetime(2026, 12, 4, tzinfo=timezone.utc),
    )
    try:
        output = DataTransformExecutor().execute(step, ctx)
        _check_output_shape(step, output)
    except StepFailed as failure:
        return TrialOutcome(None, failure.as_dict())
    return TrialOutcome(output, None)


def _request(
    source: str, ops: list[dict[str, Any]], output: dict[str, Any] | None = None
) -> TransformRepairRequest:
    step: dict[str, Any] = {"id": "top", "type": "DATA_TRANSFORM", "source": source, "ops": ops}
    if output is not None:
        step["output"] = output
    workflow: Workflow = workflow_from_data(
        {
            "name": "digest",
            "inputs": {"feed": {"type": "object"}, "owners": {"type": "array"}},
            "steps": [{"id": "fetch", "type": "DATA_TRANSFORM", "source": "inputs.feed"}, step],
        }
    )
    parsed = workflow.step("top")
    assert isinstance(parsed, DataTransformStep)
    return TransformRepairRequest(workflow, parsed, trial, goal="the titles", subject="run:r:top")


@pytest.fixture
def stores(settings: Settings) -> Iterator[list[Store]]:
    opened: list[Store] = []
    yield opened
    for store in opened:
        store.close()


@pytest.fixture
def healer(
    settings: Settings, stores: list[Store]
) -> Callable[..., tuple[TransformHealer, FakeChatModel, Store]]:
    def make(*replies: str, **changes: Any) -> tuple[TransformHealer, FakeChatModel, Store]:
        used = settings.model_copy(update={"healing_candidates": 1, **changes})
        store = open_store(used)
        stores.append(store)
        model = FakeChatModel(script=list(replies))
        return TransformHealer(used, LlmService(used.llm, store, chat_model=model), store), model, store

    return make


Make = Callable[..., tuple[TransformHealer, FakeChatModel, Store]]


def test_a_step_that_runs_is_already_ok_and_nothing_is_asked(healer: Make) -> None:
    fixer, model, _ = healer()

    result = fixer.repair(_request("inputs.feed.items", [{"op": "limit", "count": 1}]))

    assert result.status == "already_ok" and result.attempts == [] and model.calls == []


def test_a_misspelt_source_field_takes_the_near_name_at_that_level(healer: Make) -> None:
    fixer, model, _ = healer()

    result = fixer.repair(_request("inputs.feed.itmes", [{"op": "limit", "count": 1}]))

    assert result.status == "fixed", result.stopped
    assert result.step.source == "inputs.feed.items" and result.output["result"] == ITEMS[:1]
    assert result.assumptions == [
        "source: inputs.feed has no 'itmes'; assumed 'items', the nearest name there"
    ]
    assert model.calls == []


def test_a_source_field_one_level_down_is_found_under_the_only_object_holding_it(healer: Make) -> None:
    fixer, _, _ = healer()

    result = fixer.repair(_request("steps.fetch.output.rows", []))

    assert result.status == "fixed" and result.step.source == "steps.fetch.output.json.rows"
    assert "one level down, under 'json'" in result.assumptions[0]


def test_an_op_given_an_object_takes_its_only_list(healer: Make) -> None:
    fixer, _, _ = healer()
    ops = [{"op": "jmespath", "expression": "feed"}, {"op": "sort", "by": "score", "descending": True}]

    result = fixer.repair(_request("inputs", ops))

    assert result.status == "fixed", result.stopped
    assert [op.op for op in result.step.ops] == ["jmespath", "jmespath", "sort"]
    assert [r["title"] for r in result.output["result"]] == ["stocks", "rates"]
    assert "ops[1] (sort) needs a list" in result.assumptions[0] and "'items'" in result.assumptions[0]


def test_a_misspelt_field_in_a_filter_expression_is_renamed(healer: Make) -> None:
    fixer, _, _ = healer()

    result = fixer.repair(_request("inputs.feed.items", [{"op": "filter", "where": "item.scroe > 5"}]))

    assert result.status == "fixed" and result.step.ops[0].where == "item.score > 5"  # type: ignore[union-attr]
    assert result.output["result"] == [ITEMS[1]]


def test_a_misspelt_select_field_that_breaks_the_declared_output_is_renamed(healer: Make) -> None:
    fixer, _, _ = healer()
    output = {
        "type": "object",
        "properties": {
            "result": {
                "type": "array",
                "items": {"required": ["title"], "properties": {"title": {"type": "string"}}},
            }
        },
    }

    result = fixer.repair(_request("inputs.feed.items", [{"op": "select", "fields": ["Title"]}], output))

    assert result.status == "fixed", result.stopped
    assert result.output["result"] == [{"title": "rates"}, {"title": "stocks"}]
    assert "no field 'Title'; assumed 'title'" in result.assumptions[0]


def test_a_join_on_a_key_the_other_list_spells_differently_gets_other_on(healer: Make) -> None:
    fixer, _, _ = healer()
    ops = [{"op": "join", "with": "inputs.owners", "on": "owner"}]

    result = fixer.repair(_request("inputs.feed.items", ops, AT_LEAST_ONE))

    assert result.status == "fixed", result.stopped
    assert result.step.ops[0].other_on == "ownr"  # type: ignore[union-attr]
    assert [r["team"] for r in result.output["result"]] == ["a", "b"]


def test_a_source_with_no_near_name_takes_the_only_list_there_when_the_ops_need_one(healer: Make) -> None:
    fixer, model, _ = healer()

    result = fixer.repair(_request("inputs.feed.entries", [{"op": "limit", "count": 1}]))

    assert result.status == "fixed" and result.step.source == "inputs.feed.items"
    assert result.assumptions == ["source: inputs.feed has no 'entries'; assumed its only list, 'items'"]
    assert model.calls == []


def test_the_model_fixes_only_the_failing_source_under_a_json_schema(healer: Make) -> None:
    fixer, model, store = healer(json.dumps({"source": "inputs.feed.items"}))
    select = [{"op": "select", "fields": ["title"]}]  # select takes a record too: no fixer guesses

    result = fixer.repair(_request("inputs.feed.entries", select))

    assert result.status == "fixed" and result.step.source == "inputs.feed.items"
    assert result.output["result"] == [{"title": "rates"}, {"title": "stocks"}]
    assert result.step.ops == _request("x", select).step.ops
    prompt = model.calls[0]["messages"][-1]["content"]
    assert "Fix only `source`" in prompt and "Goal: the titles" in prompt
    assert "The lists there: inputs.feed.items (2 items: title, score, owner); inputs.owners" in prompt
    attempts = store.list_healing_attempts("run:r:top")
    assert [(a.source.value, a.accepted) for a in attempts] == [("model", True)]
    assert "+source: inputs.feed.items" in attempts[0].diff


def test_a_model_answer_reading_a_secret_is_rejected_unrun(healer: Make) -> None:
    hostile = json.dumps({"op": "filter", "where": "item.score > secrets.LIMIT | int"})
    fixer, _, store = healer(hostile, healing_rounds=1)

    result = fixer.repair(_request("inputs.feed.items", [{"op": "filter", "where": "item.zzz > 5"}]))

    assert result.status == "failed"
    attempts = store.list_healing_attempts("run:r:top")
    assert attempts[-1].note == "rejected, never run: the secret 'LIMIT'"
    assert attempts[-1].findings[0]["code"] == "healing.widens_permissions"


def test_a_model_answer_of_another_op_type_or_not_json_is_rejected(healer: Make) -> None:
    fixer, _, store = healer(json.dumps({"op": "limit", "count": 1}), "no idea", healing_rounds=2)

    result = fixer.repair(_request("inputs.feed.items", [{"op": "filter", "where": "item.zzz > 5"}]))

    assert result.status == "failed" and result.stopped == "no fix within 2 rounds"
    attempts = store.list_healing_attempts("run:r:top")
    assert [a.findings[0]["code"] for a in attempts] == ["healing.not_json", "healing.not_json"]
    assert "does not match" in attempts[0].note  # the schema names the filter op's fields only
    assert not any(a.accepted for a in attempts)


def test_the_same_failure_again_stops_the_loop_before_its_rounds(healer: Make) -> None:
    same = json.dumps({"op": "filter", "where": "item.zzz  >  5"})  # another text, the same failure
    fixer, model, _ = healer(same, same, same, healing_rounds=3)

    result = fixer.repair(_request("inputs.feed.items", [{"op": "filter", "where": "item.zzz > 5"}]))

    assert result.status == "failed" and result.stopped.startswith("the same failure again")
    assert len(model.calls) == 1


def test_an_answer_is_only_ever_the_failing_part_and_of_the_same_op() -> None:
    step = _request("inputs.feed.items", [{"op": "filter", "where": "x"}, {"op": "limit", "count": 1}]).step

    assert with_part(step, 0, {"source": " inputs.feed "}).source == "inputs.feed"
    assert with_part(step, 1, {"op": "filter", "where": "y"}).ops[1] == step.ops[1]
    with pytest.raises(ValueError, match="not a filter op"):
        with_part(step, 1, {"op": "limit", "count": 2})
    assert part_schema(step, 1)["properties"]["op"]["const"] == "filter"

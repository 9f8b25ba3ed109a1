"""DATA_TRANSFORM: every op, its edge cases, chains, and how failures are typed."""

from __future__ import annotations

import time
from datetime import datetime, timezone
from typing import Any

import pytest

from mwo.engine.executor import StepContext
from mwo.engine.executors.data_transform import DataTransformExecutor
from mwo.engine.failures import StepFailed
from mwo.errors import FailureKind
from mwo.settings import Settings
from mwo.spec import DataTransformStep, StepType, Templates, workflow_from_data
from mwo.store.records import LogLevel

Logs = list[tuple[LogLevel, str]]

NEWS = [
    {"title": "금리 동결", "url": "https://n.example/1", "meta": {"date": "2026-11-24"}, "views": 120},
    {"title": "환율 급등", "url": "https://n.example/2", "meta": {"date": "2026-11-25"}, "views": 80},
    {"title": "코스피 반등", "url": "https://n.example/3", "meta": {"date": "2026-11-23"}, "views": 300},
]


class Harness:
    """Runs DATA_TRANSFORM steps over fixed earlier outputs, without a store (never used here)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.templates = Templates()
        self.workflow = workflow_from_data({"name": "wf", "steps": [{"id": "noop", "type": "APPROVAL"}]})
        self.executor = DataTransformExecutor()
        self.logs: Logs = []
        self.ctx: StepContext | None = None

    def run(self, source: Any, ops: list[dict[str, Any]], **outputs: Any) -> dict[str, Any]:
        """Transform `source`, exposed as steps.src.output; `outputs` are further earlier steps."""
        steps = {"src": {"output": source}, **{k: {"output": v} for k, v in outputs.items()}}
        self.ctx = StepContext(
            run_id="run-1",
            workflow=self.workflow,
            attempt=1,
            scope={"inputs": {"min_views": 100}, "steps": steps, "secrets": {}},
            templates=self.templates,
            settings=self.settings,
            inbox=None,  # type: ignore[arg-type]
            log=lambda level, message: self.logs.append((level, message)),
            now=lambda: datetime(2026, 1, 1, tzinfo=timezone.utc),
        )
        step = DataTransformStep.model_validate(
            {"id": "shape", "type": "DATA_TRANSFORM", "source": "steps.src.output", "ops": ops}
        )
        result: dict[str, Any] = self.executor.execute(step, self.ctx)
        return result

    def result(self, source: Any, *ops: dict[str, Any], **outputs: Any) -> Any:
        return self.run(source, list(ops), **outputs)["result"]

    def failure(self, source: Any, *ops: dict[str, Any], **outputs: Any) -> StepFailed:
        with pytest.raises(StepFailed) as caught:
            self.run(source, list(ops), **outputs)
        return caught.value


@pytest.fixture
def tf(settings: Settings) -> Harness:
    return Harness(settings)


def test_step_type() -> None:
    assert DataTransformExecutor().step_type is StepType.DATA_TRANSFORM


# --- source, output, rendered input ---------------------------------------------------------------


def test_no_ops_returns_the_source_with_its_count(tf: Harness) -> None:
    assert tf.run(NEWS, []) == {"result": NEWS, "count": 3}
    assert tf.run({"a": 1}, []) == {"result": {"a": 1}, "count": None}


def test_rendered_input_records_source_and_ops(tf: Harness) -> None:
    tf.run([{"a": 1}], [{"op": "limit", "count": 1}, {"op": "join", "with": "steps.src.output", "on": "a"}])
    assert tf.ctx is not None
    assert tf.ctx.rendered_input == {
        "source": [{"a": 1}],
        "ops": [
            {"op": "limit", "count": 1, "offset": 0},
            {"op": "join", "with": "steps.src.output", "on": "a", "other_on": None, "how": "inner"},
        ],
    }


def test_rendered_input_summarises_a_large_source(tf: Harness) -> None:
    tf.run([{"n": i, "제목": "가"} for i in range(500)], [])
    assert tf.ctx is not None
    assert tf.ctx.rendered_input["source"] == {"type": "list", "count": 500, "fields": ["n", "제목"]}
    tf.run({f"k{i}": i for i in range(60)}, [])
    assert tf.ctx.rendered_input["source"] == {
        "type": "object",
        "count": 60,
        "fields": [f"k{i}" for i in range(30)],
    }
    tf.run("가" * 1000, [])
    assert tf.ctx.rendered_input["source"] == "가" * 300 + "… (1000 characters)"
    tf.run([[1, 2], "가" * 1000], [])
    assert tf.ctx.rendered_input["source"] == {"type": "list", "count": 2, "fields": None}


def test_undefined_source_is_a_template_failure(tf: Harness) -> None:
    step = DataTransformStep.model_validate(
        {"id": "s", "type": "DATA_TRANSFORM", "source": "steps.nope.output"}
    )
    tf.run([], [])
    assert tf.ctx is not None
    with pytest.raises(StepFailed) as caught:
        tf.executor.execute(step, tf.ctx)
    assert caught.value.kind is FailureKind.TEMPLATE
    assert caught.value.message.startswith("source: ")


def test_source_may_use_jinja_filters_producing_generators(tf: Harness) -> None:
    step = DataTransformStep.model_validate(
        {"id": "s", "type": "DATA_TRANSFORM", "source": "steps.src.output | map(attribute='views')"}
    )
    tf.run(NEWS, [])
    assert tf.ctx is not None
    assert tf.executor.execute(step, tf.ctx) == {"result": [120, 80, 300], "count": 3}


# --- select ---------------------------------------------------------------------------------------


def test_select_keeps_named_fields_in_order(tf: Harness) -> None:
    assert tf.result(NEWS[:1], {"op": "select", "fields": ["url", "title"]}) == [
        {"url": "https://n.example/1", "title": "금리 동결"}
    ]
    assert tf.logs == []


def test_select_renames_and_reads_dotted_paths(tf: Harness) -> None:
    result = tf.result(NEWS[:2], {"op": "select", "fields": {"제목": "title", "date": "meta.date"}})
    assert result == [
        {"제목": "금리 동결", "date": "2026-11-24"},
        {"제목": "환율 급등", "date": "2026-11-25"},
    ]


def test_select_on_one_record(tf: Harness) -> None:
    assert tf.result(NEWS[0], {"op": "select", "fields": ["views"]}) == {"views": 120}


def test_select_exact_key_with_a_dot_wins_over_the_path(tf: Harness) -> None:
    assert tf.result({"a.b": 1, "a": {"b": 2}}, {"op": "select", "fields": ["a.b"]}) == {"a.b": 1}


def test_select_missing_fields_become_null_and_are_logged_once(tf: Harness) -> None:
    records = [{"a": 1}, {"b": 2}, {}]
    result = tf.result(records, {"op": "select", "fields": ["a", "b", "x.y"]})
    assert result == [
        {"a": 1, "b": None, "x.y": None},
        {"a": None, "b": 2, "x.y": None},
        {"a": None, "b": None, "x.y": None},
    ]
    assert tf.logs == [(LogLevel.WARNING, "select: missing fields were set to null: b, x.y, a")]


def test_select_does_not_change_the_source(tf: Harness) -> None:
    source = [{"a": 1, "b": 2}]
    tf.result(source, {"op": "select", "fields": ["a"]}, {"op": "map", "fields": {"c": "3"}})
    assert source == [{"a": 1, "b": 2}]


# --- filter ---------------------------------------------------------------------------------------


def test_filter_keeps_truthy_records(tf: Harness) -> None:
    result = tf.result(NEWS, {"op": "filter", "where": "item.views >= inputs.min_views"})
    assert [r["title"] for r in result] == ["금리 동결", "코스피 반등"]


def test_filter_works_on_plain_values_and_empty_lists(tf: Harness) -> None:
    assert tf.result([1, 5, 2, 8], {"op": "filter", "where": "item > 3"}) == [5, 8]
    assert tf.run([], [{"op": "filter", "where": "item.nope"}]) == {"result": [], "count": 0}


def test_filter_with_korean_text(tf: Harness) -> None:
    result = tf.result(NEWS, {"op": "filter", "where": "'환율' in item.title"})
    assert result == [NEWS[1]]


def test_filter_undefined_field_is_a_template_failure_naming_the_record(tf: Harness) -> None:
    failure = tf.failure([{"price": 1}, {"name": "x"}], {"op": "filter", "where": "item.price > 0"})
    assert failure.kind is FailureKind.TEMPLATE
    assert failure.message.startswith("filter, record 1: cannot evaluate 'item.price > 0'")


def test_filter_syntax_error_is_a_template_failure(tf: Harness) -> None:
    failure = tf.failure([{"a": 1}], {"op": "filter", "where": "item.a >"})
    assert failure.kind is FailureKind.TEMPLATE
    assert failure.message.startswith("filter: ")


# --- map ------------------------------------------------------------------------------------------


def test_map_adds_and_replaces_fields_from_the_original_record(tf: Harness) -> None:
    result = tf.result(
        [{"price": 10, "qty": 3}],
        {
            "op": "map",
            "fields": {"total": "item.price * item.qty", "price": "item.price + 1", "p": "item.price"},
        },
    )
    assert result == [{"price": 11, "qty": 3, "total": 30, "p": 10}]


def test_map_on_one_record_and_with_filters(tf: Harness) -> None:
    result = tf.result(
        {"tags": ["경제", "금리"]}, {"op": "map", "fields": {"upper": "item.tags | map('upper')", "n": "3"}}
    )
    assert result == {"tags": ["경제", "금리"], "upper": ["경제", "금리"], "n": 3}


# --- sort -----------------------------------------------------------------------------------------


def test_sort_ascending_and_descending(tf: Harness) -> None:
    assert [r["views"] for r in tf.result(NEWS, {"op": "sort", "by": "views"})] == [80, 120, 300]
    descending = tf.result(NEWS, {"op": "sort", "by": "views", "descending": True})
    assert [r["views"] for r in descending] == [300, 120, 80]


def test_sort_by_dotted_path(tf: Harness) -> None:
    result = tf.result(NEWS, {"op": "sort", "by": "meta.date", "descending": True})
    assert [r["title"] for r in result] == ["환율 급등", "금리 동결", "코스피 반등"]


@pytest.mark.parametrize("descending", [False, True])
def test_sort_puts_none_and_missing_last_and_is_stable(tf: Harness, descending: bool) -> None:
    records = [{"id": 1, "k": None}, {"id": 2, "k": 5}, {"id": 3}, {"id": 4, "k": 1}, {"id": 5, "k": 5}]
    result = tf.result(records, {"op": "sort", "by": "k", "descending": descending})
    expected = [4, 2, 5, 1, 3] if not descending else [2, 5, 4, 1, 3]
    assert [r["id"] for r in result] == expected


def test_sort_korean_text(tf: Harness) -> None:
    result = tf.result(NEWS, {"op": "sort", "by": "title"})
    assert [r["title"] for r in result] == ["금리 동결", "코스피 반등", "환율 급등"]


def test_sort_mixed_types_is_a_config_failure(tf: Harness) -> None:
    failure = tf.failure([{"k": 1}, {"k": "b"}, {"k": 2.5}], {"op": "sort", "by": "k"})
    assert failure.kind is FailureKind.CONFIG
    assert failure.message == (
        "sort by 'k': values of different types cannot be ordered (found a number, text)"
    )


def test_sort_by_unorderable_values_is_a_config_failure(tf: Harness) -> None:
    failure = tf.failure([{"k": {"a": 1}}, {"k": {"b": 2}}], {"op": "sort", "by": "k"})
    assert failure.kind is FailureKind.CONFIG
    assert failure.message == "sort by 'k': object values cannot be ordered"


def test_sort_empty_list(tf: Harness) -> None:
    assert tf.result([], {"op": "sort", "by": "x"}) == []


# --- limit ----------------------------------------------------------------------------------------


def test_limit_with_offset(tf: Harness) -> None:
    assert tf.result([1, 2, 3, 4, 5], {"op": "limit", "count": 2, "offset": 1}) == [2, 3]
    assert tf.result([1, 2], {"op": "limit", "count": 5, "offset": 1}) == [2]
    assert tf.result([1, 2], {"op": "limit", "count": 0}) == []
    assert tf.result([], {"op": "limit", "count": 3}) == []


# --- group ----------------------------------------------------------------------------------------


def test_group_in_first_seen_order(tf: Harness) -> None:
    records = [{"c": "경제", "n": 1}, {"c": "사회", "n": 2}, {"c": "경제", "n": 3}, {"n": 4}]
    assert tf.result(records, {"op": "group", "by": "c"}) == [
        {"key": "경제", "items": [records[0], records[2]], "count": 2},
        {"key": "사회", "items": [records[1]], "count": 1},
        {"key": None, "items": [records[3]], "count": 1},
    ]


def test_group_by_dotted_path_and_empty(tf: Harness) -> None:
    result = tf.result(NEWS, {"op": "group", "by": "meta.date"})
    assert [g["key"] for g in result] == ["2026-11-24", "2026-11-25", "2026-11-23"]
    assert tf.result([], {"op": "group", "by": "x"}) == []


def test_group_by_unhashable_value_is_a_config_failure(tf: Harness) -> None:
    failure = tf.failure([{"k": [1]}], {"op": "group", "by": "k"})
    assert failure.kind is FailureKind.CONFIG
    assert "group by 'k'" in failure.message and "a list" in failure.message


# --- join -----------------------------------------------------------------------------------------

USERS = [{"id": 1, "name": "김철수"}, {"id": 2, "name": "이영희"}]
ORDERS = [{"user": 1, "item": "책"}, {"user": 3, "item": "펜"}, {"user": 1, "item": "컵"}]


def test_inner_join_on_different_field_names(tf: Harness) -> None:
    join = {"op": "join", "with": "steps.users.output", "on": "user", "other_on": "id"}
    result = tf.result(ORDERS, join, users=USERS)
    assert result == [
        {"user": 1, "item": "책", "id": 1, "name": "김철수"},
        {"user": 1, "item": "컵", "id": 1, "name": "김철수"},
    ]


def test_left_join_keeps_rows_without_a_match(tf: Harness) -> None:
    join = {"op": "join", "with": "steps.users.output", "on": "user", "other_on": "id", "how": "left"}
    result = tf.result(ORDERS, join, users=USERS)
    assert [r.get("name") for r in result] == ["김철수", None, "김철수"]
    assert result[1] == {"user": 3, "item": "펜"}


def test_join_one_row_per_match_and_same_key_name_not_repeated(tf: Harness) -> None:
    left = [{"k": "a", "v": 1}]
    right = [{"k": "a", "w": 10}, {"k": "a", "w": 20}, {"k": "b", "w": 30}]
    result = tf.result(left, {"op": "join", "with": "steps.other.output", "on": "k"}, other=right)
    assert result == [{"k": "a", "v": 1, "w": 10}, {"k": "a", "v": 1, "w": 20}]


def test_join_clashing_fields_keep_left_and_prefix_right(tf: Harness) -> None:
    left = [{"id": 1, "name": "주문"}]
    right = [{"id": 1, "name": "고객"}]
    result = tf.result(left, {"op": "join", "with": "steps.other.output", "on": "id"}, other=right)
    assert result == [{"id": 1, "name": "주문", "right_name": "고객"}]


def test_join_missing_keys_match_nothing(tf: Harness) -> None:
    left = [{"v": 1}, {"k": None}]
    right = [{"w": 2}, {"k": None}]
    join = {"op": "join", "with": "steps.other.output", "on": "k", "how": "left"}
    assert tf.result(left, join, other=right) == left
    assert tf.result(left, {**join, "how": "inner"}, other=right) == []


def test_join_with_must_be_a_list_of_records(tf: Harness) -> None:
    failure = tf.failure([{"k": 1}], {"op": "join", "with": "steps.other.output", "on": "k"}, other={"k": 1})
    assert failure.kind is FailureKind.CONFIG
    assert failure.message == "join `with` needs a list but got an object"


def test_join_with_undefined_reference_is_a_template_failure(tf: Harness) -> None:
    failure = tf.failure([{"k": 1}], {"op": "join", "with": "steps.ghost.output", "on": "k"})
    assert failure.kind is FailureKind.TEMPLATE
    assert failure.message.startswith("join `with`: ")


# --- format ---------------------------------------------------------------------------------------


def test_format_gives_one_string_per_record(tf: Harness) -> None:
    result = tf.result(NEWS[:2], {"op": "format", "template": "{{ item.title }} - {{ item.url }}"})
    assert result == ["금리 동결 - https://n.example/1", "환율 급등 - https://n.example/2"]


def test_format_with_join_gives_one_string(tf: Harness) -> None:
    run = tf.run(NEWS[:2], [{"op": "format", "template": "- {{ item.title }}", "join": "\n"}])
    assert run == {"result": "- 금리 동결\n- 환율 급등", "count": None}


def test_format_lone_expression_is_still_text_and_plain_values_work(tf: Harness) -> None:
    assert tf.result([1, 2], {"op": "format", "template": "{{ item }}"}) == ["1", "2"]
    assert tf.result([], {"op": "format", "template": "{{ item }}", "join": ", "}) == ""


def test_format_one_record(tf: Harness) -> None:
    assert tf.result(NEWS[0], {"op": "format", "template": "{{ item.views }}회"}) == "120회"


def test_format_undefined_field_is_a_template_failure(tf: Harness) -> None:
    failure = tf.failure([{"a": 1}], {"op": "format", "template": "{{ item.b }}"})
    assert failure.kind is FailureKind.TEMPLATE
    assert failure.message.startswith("format, record 0: cannot render")


# --- jmespath -------------------------------------------------------------------------------------


def test_jmespath_reshapes_any_value(tf: Harness) -> None:
    source = {"data": {"items": NEWS}}
    result = tf.result(source, {"op": "jmespath", "expression": "data.items[?views > `100`].title"})
    assert result == ["금리 동결", "코스피 반등"]
    assert tf.result(source, {"op": "jmespath", "expression": "nothing.here"}) is None


def test_jmespath_syntax_error_is_a_config_failure(tf: Harness) -> None:
    failure = tf.failure({"a": 1}, {"op": "jmespath", "expression": "a["})
    assert failure.kind is FailureKind.CONFIG
    assert failure.message.startswith("jmespath 'a[': ")
    assert "jmespath.org" in failure.fix


def test_jmespath_type_error_is_a_config_failure(tf: Harness) -> None:
    failure = tf.failure({"a": ["x"]}, {"op": "jmespath", "expression": "sum(a)"})
    assert failure.kind is FailureKind.CONFIG


# --- wrong shapes ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("op", "source", "message"),
    [
        ({"op": "filter", "where": "item"}, {"a": 1}, "filter needs a list but got an object"),
        ({"op": "limit", "count": 1}, "text", "limit needs a list but got text"),
        ({"op": "sort", "by": "a"}, None, "sort needs a list but got null"),
        ({"op": "group", "by": "a"}, 3, "group needs a list but got a number"),
        ({"op": "select", "fields": ["a"]}, "abc", "select needs a list but got text"),
        ({"op": "map", "fields": {"a": "1"}}, True, "map needs a list but got a boolean"),
        ({"op": "format", "template": "x"}, 1.5, "format needs a list but got a number"),
        ({"op": "join", "with": "steps.src", "on": "a"}, {"a": 1}, "join needs a list but got an object"),
        (
            {"op": "select", "fields": ["a"]},
            [{"a": 1}, "x"],
            "select needs a list of records (objects) but item 1 is text",
        ),
        ({"op": "sort", "by": "a"}, [[1]], "sort needs a list of records (objects) but item 0 is a list"),
    ],
)
def test_op_on_wrong_type_is_a_config_failure(
    tf: Harness, op: dict[str, Any], source: Any, message: str
) -> None:
    failure = tf.failure(source, op)
    assert failure.kind is FailureKind.CONFIG
    assert failure.message == message
    assert failure.fix


# --- chains ---------------------------------------------------------------------------------------


def test_chained_ops_build_a_digest(tf: Harness) -> None:
    digest = tf.run(
        {"json": {"items": NEWS}},
        [
            {"op": "jmespath", "expression": "json.items"},
            {"op": "filter", "where": "item.views >= 100"},
            {"op": "map", "fields": {"views": "item.views // 10 * 10"}},
            {"op": "sort", "by": "meta.date"},
            {"op": "select", "fields": {"제목": "title", "조회수": "views"}},
            {"op": "limit", "count": 5},
            {"op": "format", "template": "{{ item['제목'] }} ({{ item['조회수'] }})", "join": " / "},
        ],
    )
    assert digest == {"result": "코스피 반등 (300) / 금리 동결 (120)", "count": None}


def test_group_then_map_over_groups(tf: Harness) -> None:
    records = [{"c": "a", "v": 1}, {"c": "b", "v": 2}, {"c": "a", "v": 3}]
    result = tf.result(
        records,
        {"op": "group", "by": "c"},
        {"op": "map", "fields": {"total": "item['items'] | sum(attribute='v')"}},
        {"op": "select", "fields": ["key", "count", "total"]},
    )
    assert result == [{"key": "a", "count": 2, "total": 4}, {"key": "b", "count": 1, "total": 2}]


def test_expressions_are_compiled_once_not_per_run(tf: Harness) -> None:
    """Compiling costs ~0.3 ms an expression, a warm run a few µs a record: later runs must reuse it."""
    ops: list[dict[str, Any]] = [
        {"op": "filter", "where": "item.views > 0"},
        {"op": "map", "fields": {"x": "item.views * 2"}},
        {"op": "format", "template": "{{ item.title }}: {{ item.x }}"},
    ]
    started = time.perf_counter()
    first = tf.run(NEWS, ops)
    cold = time.perf_counter() - started
    started = time.perf_counter()
    for _ in range(50):
        assert tf.run(NEWS, ops) == first
    warm = (time.perf_counter() - started) / 50
    assert warm < cold / 4


def test_jinja_globals_and_filters_work_in_compiled_expressions(tf: Harness) -> None:
    result = tf.result(
        [{"n": 3, "range": "shadowed"}],
        {
            "op": "map",
            "fields": {"r": "range(item.n) | list", "s": "item.range | upper", "j": "item | tojson"},
        },
    )
    assert result == [
        {"n": 3, "range": "shadowed", "r": [0, 1, 2], "s": "SHADOWED", "j": '{"n": 3, "range": "shadowed"}'}
    ]


def test_compiled_expression_refuses_unsafe_access(tf: Harness) -> None:
    failure = tf.failure([{"a": 1}], {"op": "map", "fields": {"x": "item.__class__.__subclasses__()"}})
    assert failure.kind is FailureKind.TEMPLATE
    failure = tf.failure([{"a": [1]}], {"op": "map", "fields": {"x": "item.a.append(2)"}})
    assert failure.kind is FailureKind.TEMPLATE

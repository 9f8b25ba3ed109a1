"""The WorkflowStore contract on every backend: immutable versions, dedupe against the latest one,
folders, tags, enabling, and deleting a workflow with everything under it."""

from __future__ import annotations

from datetime import timedelta

import pytest

from mwo.store import (
    LogLevel,
    NotFound,
    RunFilter,
    Store,
)
from mwo.store.abc import WorkflowStore
from tests.contract.support import T0, make_workflow, new_run

CONTRACT = WorkflowStore


# --- workflows and versions ----------------------------------------------------------------------------


def test_first_save_creates_the_workflow_and_version_1(store: Store) -> None:
    workflow = make_workflow(description="매일 아침 경제 뉴스")
    version, created = store.save_version(workflow, "spec: 1\n", message="first")

    assert created is True
    assert (version.number, version.workflow_name, version.spec_yaml) == (1, "daily-news", "spec: 1\n")
    assert version.content_hash == workflow.content_hash()
    assert version.message == "first"
    record = store.get_workflow("daily-news")
    assert (record.id, record.description, record.enabled) == (
        version.workflow_id,
        "매일 아침 경제 뉴스",
        True,
    )
    assert (record.folder, record.tags, record.latest_version) == (None, (), 1)
    assert record.created_at.tzinfo is not None and record.created_at.utcoffset() == timedelta(0)


def test_saving_the_same_content_again_writes_nothing(store: Store) -> None:
    first, _ = store.save_version(make_workflow(), "a: 1\n")
    again, created = store.save_version(make_workflow(), "# only the layout differs\na: 1\n", message="x")

    assert created is False
    assert again == first
    assert [v.number for v in store.list_versions("daily-news")] == [1]


def test_new_content_makes_a_new_version_and_old_versions_never_change(store: Store) -> None:
    v1, _ = store.save_version(make_workflow(step_id="one"), "one\n")
    v2, created = store.save_version(make_workflow(step_id="two", description="changed"), "two\n")
    # dedupe compares with the latest version only: going back to v1's content is a new version
    v3, created_again = store.save_version(make_workflow(step_id="one"), "one\n")

    assert created and created_again
    assert [v.number for v in (v1, v2, v3)] == [1, 2, 3]
    assert v3.content_hash == v1.content_hash and v3.id != v1.id
    assert store.get_version("daily-news", 1) == v1
    assert store.get_version_by_id(v2.id) == v2
    assert store.get_version("daily-news") == v3
    assert store.list_versions("daily-news") == [v1, v2, v3]
    assert store.get_workflow("daily-news").latest_version == 3


def test_unknown_workflows_and_versions_raise_not_found_with_a_fix(store: Store) -> None:
    store.save_version(make_workflow(), "x\n")
    for call in (
        lambda: store.get_workflow("nope"),
        lambda: store.get_version("nope"),
        lambda: store.list_versions("nope"),
        lambda: store.set_enabled("nope", False),
        lambda: store.delete_workflow("nope"),
        lambda: store.move_to_folder("nope", "a"),
        lambda: store.tag_workflow("nope", add=["x"]),
    ):
        with pytest.raises(NotFound, match="nope") as caught:
            call()
        assert "mwo list" in caught.value.fix
    with pytest.raises(NotFound, match="no version 7") as missing_version:
        store.get_version("daily-news", 7)
    assert "1 to 1" in missing_version.value.fix
    with pytest.raises(NotFound):
        store.get_version_by_id(999_999)


def test_list_workflows_is_sorted_and_searches_name_and_description_ignoring_case(store: Store) -> None:
    store.save_version(make_workflow("weather", description="KMA forecast"), "x\n")
    store.save_version(make_workflow("alpha-news", description="Economy headlines"), "x\n")
    store.save_version(make_workflow("percent", description="100% sure"), "x\n")

    assert [w.name for w in store.list_workflows()] == ["alpha-news", "percent", "weather"]
    assert [w.name for w in store.list_workflows(search="ECONOMY")] == ["alpha-news"]
    assert [w.name for w in store.list_workflows(search="Weath")] == ["weather"]
    assert [w.name for w in store.list_workflows(search="0%")] == ["percent"]  # % is literal
    assert store.list_workflows(search="nothing-like-this") == []
    assert store.list_workflows()[0].latest_version == 1


def test_latest_version_ids_of_enabled_workflows_in_one_call(store: Store) -> None:
    store.save_version(make_workflow("weather"), "x\n")
    latest_weather, _ = store.save_version(make_workflow("weather", step_id="changed"), "y\n")
    news, _ = store.save_version(make_workflow("news"), "x\n")
    store.set_enabled("news", False)

    assert store.list_latest_version_ids() == {"weather": latest_weather.id}
    assert store.list_latest_version_ids(enabled_only=False) == {
        "news": news.id,
        "weather": latest_weather.id,
    }


def test_folders_are_created_on_demand_with_their_parents(store: Store) -> None:
    store.save_version(make_workflow("daily"), "x\n")
    store.save_version(make_workflow("weekly"), "x\n")

    moved = store.move_to_folder("daily", "/reports/daily/")
    store.move_to_folder("weekly", "reports")

    assert moved.folder == "reports/daily"
    assert [f.path for f in store.list_folders()] == ["reports", "reports/daily"]
    assert [w.name for w in store.list_workflows(folder="reports/daily")] == ["daily"]
    assert [w.name for w in store.list_workflows(folder="reports")] == ["weekly"]
    assert store.move_to_folder("daily", None).folder is None
    assert store.list_workflows(folder="reports/daily") == []
    with pytest.raises(ValueError, match="folder path"):
        store.move_to_folder("daily", "a//b")


def test_tags_are_added_removed_and_filterable(store: Store) -> None:
    store.save_version(make_workflow("one"), "x\n")
    store.save_version(make_workflow("two"), "x\n")

    assert store.tag_workflow("one", add=["news", "daily"]).tags == ("daily", "news")
    store.tag_workflow("two", add=["news"])
    assert store.tag_workflow("one", add=["news"], remove=["daily"]).tags == ("news",)
    assert [w.name for w in store.list_workflows(tag="news")] == ["one", "two"]
    assert store.list_workflows(tag="daily") == []
    assert store.get_workflow("two").tags == ("news",)
    with pytest.raises(ValueError, match="both added and removed"):
        store.tag_workflow("one", add=["x"], remove=["x"])


def test_enable_and_disable(store: Store) -> None:
    store.save_version(make_workflow(), "x\n")

    assert store.set_enabled("daily-news", False).enabled is False
    assert store.get_workflow("daily-news").enabled is False
    assert store.set_enabled("daily-news", True).enabled is True


def test_deleting_a_workflow_removes_its_versions_runs_and_everything_under_them(store: Store) -> None:
    run_id = new_run(store)
    kept_run = new_run(store, name="other")
    version_id = store.get_run(run_id).version_id
    store.start_step(run_id, "noop", "APPROVAL", 1, {}, T0)
    store.add_log(run_id, "noop", LogLevel.INFO, "hello", T0)
    store.request_approval(run_id, "noop", "ok?", T0, None)
    store.tag_workflow("daily-news", add=["news"])
    message = store.post_message("done", "body", T0, run_id=run_id)

    store.delete_workflow("daily-news")

    with pytest.raises(NotFound):
        store.get_workflow("daily-news")
    with pytest.raises(NotFound):
        store.get_run(run_id)
    with pytest.raises(NotFound):
        store.get_version_by_id(version_id)
    assert store.list_step_runs(run_id) == []
    assert store.list_logs(run_id) == []
    assert store.list_pending_approvals() == []
    assert [r.id for r in store.list_runs(RunFilter())] == [kept_run]
    assert [m.id for m in store.list_messages()] == [message.id]  # the inbox outlives runs
    store.save_version(make_workflow(), "x\n")  # the name is free again
    assert store.get_workflow("daily-news").latest_version == 1

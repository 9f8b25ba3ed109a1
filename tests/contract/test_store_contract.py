"""The store contract: one suite every backend must pass (SQLite file, PostgreSQL schema).

Time is always passed in (`now`), so leases and expiry are tested by moving the clock, not sleeping.
Each PostgreSQL test runs in a fresh schema that is dropped afterwards.
"""

from __future__ import annotations

import os
import threading
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, create_engine, inspect, select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.schema import CreateSchema, DropSchema

from mwo.settings import Settings
from mwo.spec import Workflow, workflow_from_data
from mwo.store import (
    ApprovalStatus,
    Conflict,
    LlmCallRecord,
    LogLevel,
    NotFound,
    RunFilter,
    RunStatus,
    StepStatus,
    Store,
    open_store,
)
from mwo.store.secret_key import load_fernet
from mwo.store.tables import Base, SecretRow

POSTGRES_URL = os.environ.get("MWO_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
T0 = datetime(2026, 3, 1, 12, 0, tzinfo=timezone.utc)
LEASE_S = 60.0


def at(seconds: float) -> datetime:
    """A moment `seconds` after T0."""
    return T0 + timedelta(seconds=seconds)


@dataclass
class Backend:
    store: Store
    settings: Settings

    def raw_engine(self) -> Engine:
        """A separate engine on the same database, to look at what is really stored."""
        return create_engine(self.settings.resolved_database_url())


@pytest.fixture(scope="session")
def postgres_admin() -> Iterator[Engine]:
    engine = create_engine(POSTGRES_URL, connect_args={"connect_timeout": 3})
    try:
        with engine.connect():
            pass
    except OperationalError as exc:
        engine.dispose()
        pytest.skip(
            f"PostgreSQL is not reachable at {POSTGRES_URL} ({type(exc.orig).__name__}); "
            "start it or point MWO_TEST_POSTGRES_URL at a server"
        )
    yield engine
    engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Backend]:
    if request.param == "sqlite":
        yield from _open(tmp_path, database_url=None)
        return
    admin: Engine = request.getfixturevalue("postgres_admin")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    with admin.begin() as connection:
        connection.execute(CreateSchema(schema))
    url = make_url(POSTGRES_URL).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield from _open(tmp_path, database_url=url.render_as_string(hide_password=False))
    finally:
        with admin.begin() as connection:
            connection.execute(DropSchema(schema, cascade=True))


def _open(tmp_path: Path, database_url: str | None) -> Iterator[Backend]:
    settings = Settings(
        home=tmp_path / "home",
        database_url=database_url,
        run_lease_s=LEASE_S,
        secret_key=None,
        _env_file=None,
    )
    store = open_store(settings)
    try:
        yield Backend(store, settings)
    finally:
        store.close()


@pytest.fixture
def store(backend: Backend) -> Store:
    return backend.store


def make_workflow(name: str = "daily-news", description: str = "", step_id: str = "noop") -> Workflow:
    return workflow_from_data(
        {"name": name, "description": description, "steps": [{"id": step_id, "type": "APPROVAL"}]}
    )


def new_run(store: Store, name: str = "daily-news", now: datetime = T0, **inputs: Any) -> str:
    version, _ = store.save_version(make_workflow(name), f"name: {name}\n")
    return store.create_run(version.id, inputs, "manual", now).id


# --- schema --------------------------------------------------------------------------------------------


def test_migrated_schema_matches_the_models(backend: Backend) -> None:
    engine = backend.raw_engine()
    try:
        with engine.connect() as connection:
            diff = compare_metadata(
                MigrationContext.configure(connection, opts={"compare_type": True}), Base.metadata
            )
            tables = set(inspect(connection).get_table_names())
    finally:
        engine.dispose()
    assert diff == []
    assert tables == set(Base.metadata.tables) | {"alembic_version"}


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


# --- runs ------------------------------------------------------------------------------------------


def test_a_new_run_is_queued_and_pinned_to_its_version(store: Store) -> None:
    version, _ = store.save_version(make_workflow(), "x\n")
    inputs = {"query": "경제", "limits": {"n": 3}, "tags": ["a", None]}

    run = store.create_run(version.id, inputs, "cron", T0)

    assert uuid.UUID(run.id).version == 4
    assert run.status is RunStatus.QUEUED
    assert (run.workflow_name, run.version_id, run.version_number) == ("daily-news", version.id, 1)
    assert (run.inputs, run.trigger, run.created_at) == (inputs, "cron", T0)
    assert (run.started_at, run.finished_at, run.output, run.error) == (None, None, None, None)
    assert (run.cancel_requested, run.acquired_by, run.retry_of) == (False, None, None)
    store.save_version(make_workflow(step_id="changed"), "y\n")
    assert store.get_run(run.id).version_number == 1
    retry = store.create_run(version.id, inputs, "retry", T0, retry_of=run.id)
    assert retry.retry_of == run.id
    with pytest.raises(NotFound):
        store.create_run(999_999, {}, "manual", T0)
    with pytest.raises(NotFound):
        store.create_run(version.id, {}, "manual", T0, retry_of="no-such-run")


def test_run_lifecycle_sets_timestamps_and_a_final_run_never_changes(store: Store) -> None:
    run_id = new_run(store)
    started = store.set_run_status(run_id, RunStatus.RUNNING, at(1))
    store.set_run_status(run_id, RunStatus.WAITING_APPROVAL, at(2))
    resumed = store.set_run_status(run_id, RunStatus.RUNNING, at(3))
    done = store.set_run_status(run_id, RunStatus.SUCCEEDED, at(4), output={"text": "요약"})

    assert started.started_at == resumed.started_at == at(1)
    assert resumed.finished_at is None
    assert (done.status, done.finished_at, done.output) == (
        RunStatus.SUCCEEDED,
        at(4),
        {"text": "요약"},
    )
    with pytest.raises(Conflict, match="already succeeded") as refused:
        store.set_run_status(run_id, RunStatus.RUNNING, at(5))
    assert "new run" in refused.value.fix
    with pytest.raises(Conflict):
        store.request_cancel(run_id)
    with pytest.raises(Conflict, match="only a failed run"):
        store.reopen_run(run_id, T0)
    assert store.get_run(run_id) == done


def test_a_failed_run_keeps_its_error_and_can_be_reopened(store: Store) -> None:
    run_id = new_run(store)
    store.set_run_status(run_id, RunStatus.RUNNING, T0)
    failed = store.set_run_status(run_id, RunStatus.FAILED, at(2), error={"type": "http"})
    assert (failed.error, failed.finished_at) == ({"type": "http"}, at(2))

    reopened = store.reopen_run(run_id, at(3))

    assert (reopened.status, reopened.error, reopened.finished_at) == (RunStatus.QUEUED, None, None)
    assert reopened.started_at == T0


def test_cancel_is_a_flag_on_an_unfinished_run(store: Store) -> None:
    run_id = new_run(store)
    assert store.get_run(run_id).cancel_requested is False

    flagged = store.request_cancel(run_id)

    assert flagged.cancel_requested is True
    assert flagged.status is RunStatus.QUEUED
    assert store.set_run_status(run_id, RunStatus.CANCELLED, T0).status is RunStatus.CANCELLED


def test_get_run_accepts_a_unique_prefix_of_six_characters(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = iter(
        uuid.UUID(text)
        for text in (
            "abcdef01-0000-4000-8000-000000000001",
            "abcdef02-0000-4000-8000-000000000002",
            "12345678-0000-4000-8000-000000000003",
        )
    )
    monkeypatch.setattr(uuid, "uuid4", lambda: next(ids))
    first, second, third = (new_run(store) for _ in range(3))

    assert store.get_run(first).id == first
    assert store.get_run("abcdef01").id == first
    assert store.get_run("123456").id == third
    with pytest.raises(NotFound, match="ambiguous") as ambiguous:
        store.get_run("abcdef")
    assert "more characters" in ambiguous.value.fix
    with pytest.raises(NotFound) as too_short:
        store.get_run("12345")
    assert "at least 6" in too_short.value.fix
    with pytest.raises(NotFound):
        store.get_run("ffffff")
    assert store.get_run(second).id == second


def test_list_runs_is_newest_first_and_filters(store: Store) -> None:
    old = new_run(store, now=T0)
    middle = new_run(store, name="other", now=at(60))
    newest = new_run(store, now=at(120))
    store.set_run_status(old, RunStatus.FAILED, T0)

    assert [r.id for r in store.list_runs(RunFilter())] == [newest, middle, old]
    assert [r.id for r in store.list_runs(RunFilter(workflow_name="daily-news"))] == [newest, old]
    assert [r.id for r in store.list_runs(RunFilter(statuses=(RunStatus.FAILED,)))] == [old]
    assert [r.id for r in store.list_runs(RunFilter(limit=1))] == [newest]
    assert store.list_runs(RunFilter(workflow_name="unknown")) == []


def test_times_come_back_in_utc_and_naive_times_are_refused(store: Store) -> None:
    seoul = timezone(timedelta(hours=9))
    run_id = new_run(store, now=datetime(2026, 3, 1, 21, 0, tzinfo=seoul))

    created = store.get_run(run_id).created_at

    assert created == T0 and created.tzinfo == timezone.utc
    with pytest.raises(ValueError, match="naive"):
        store.set_run_status(run_id, RunStatus.RUNNING, datetime(2026, 3, 1, 12, 0))


# --- leases ----------------------------------------------------------------------------------------


def test_only_one_owner_holds_a_lease_until_it_expires(store: Store) -> None:
    run_id = new_run(store)
    until = at(30)

    assert store.acquire_run(run_id, "worker-a", until, T0) is True
    assert store.acquire_run(run_id, "worker-b", at(40), at(10)) is False
    assert store.acquire_run(run_id, "worker-a", at(60), at(20)) is True
    assert store.get_run(run_id).acquired_until == at(60)
    # not expired exactly at `until`, only after it
    assert store.acquire_run(run_id, "worker-b", at(90), at(60)) is False
    assert store.acquire_run(run_id, "worker-b", at(90), at(61)) is True
    run = store.get_run(run_id)
    assert (run.acquired_by, run.acquired_until) == ("worker-b", at(90))
    with pytest.raises(NotFound):
        store.acquire_run("no-such-run", "worker-a", until, T0)


def test_concurrent_owners_cannot_both_acquire(store: Store) -> None:
    run_id = new_run(store)
    owners = [f"worker-{index}" for index in range(8)]
    start = threading.Barrier(len(owners))

    def attempt(owner: str) -> bool:
        start.wait()
        return store.acquire_run(run_id, owner, at(30), T0)

    with ThreadPoolExecutor(max_workers=len(owners)) as pool:
        results = list(pool.map(attempt, owners))

    assert results.count(True) == 1
    assert store.get_run(run_id).acquired_by == owners[results.index(True)]


def test_release_drops_only_the_owners_lease(store: Store) -> None:
    run_id = new_run(store)
    store.acquire_run(run_id, "worker-a", at(30), T0)

    store.release_run(run_id, "worker-b")
    assert store.get_run(run_id).acquired_by == "worker-a"
    store.release_run(run_id, "worker-a")

    run = store.get_run(run_id)
    assert (run.acquired_by, run.acquired_until) == (None, None)
    assert store.acquire_run(run_id, "worker-b", at(30), at(1)) is True


def test_a_final_state_lets_go_of_the_lease_in_the_same_write(store: Store) -> None:
    running = new_run(store)
    assert store.acquire_run(running, "worker-a", at(300), T0)
    assert store.set_run_status(running, RunStatus.RUNNING, at(1)).acquired_by == "worker-a"
    finished = store.set_run_status(running, RunStatus.SUCCEEDED, at(2))
    assert (finished.acquired_by, finished.acquired_until) == (None, None)
    stored = store.get_run(running)
    assert (stored.status, stored.acquired_by, stored.acquired_until) == (RunStatus.SUCCEEDED, None, None)


def test_reap_finds_expired_leases_and_stale_unowned_runs(store: Store) -> None:
    lease = timedelta(seconds=LEASE_S)
    queued = new_run(store)  # never acquired
    running = new_run(store)
    store.set_run_status(running, RunStatus.RUNNING, T0)
    store.acquire_run(running, "worker-a", at(30), T0)
    waiting = new_run(store)
    store.set_run_status(waiting, RunStatus.WAITING_APPROVAL, T0)
    finished = new_run(store)
    store.acquire_run(finished, "worker-a", at(30), T0)
    store.set_run_status(finished, RunStatus.SUCCEEDED, T0)

    assert store.reap_abandoned_runs(at(10)) == []
    assert [r.id for r in store.reap_abandoned_runs(at(31))] == [running]
    reaped = store.reap_abandoned_runs(T0 + lease + timedelta(seconds=1))
    assert sorted(r.id for r in reaped) == sorted([queued, running])
    # reaping changes nothing: the recovering process still has to take the lease
    assert store.get_run(running).acquired_by == "worker-a"
    assert store.acquire_run(running, "worker-b", T0 + lease * 3, T0 + lease + timedelta(seconds=1))
    assert [r.id for r in store.reap_abandoned_runs(T0 + lease + timedelta(seconds=2))] == [queued]


# --- step runs and logs ----------------------------------------------------------------------------


def test_step_attempts_are_recorded_before_and_after(store: Store) -> None:
    run_id = new_run(store)
    first = store.start_step(run_id, "fetch", "API_CALL", 1, {"url": "{{ x }}"}, T0)
    assert (first.status, first.finished_at, first.duration_ms) == (StepStatus.RUNNING, None, None)

    failed = store.finish_step(
        first.id,
        StepStatus.FAILED,
        T0 + timedelta(milliseconds=250),
        error={"type": "timeout"},
        input={"url": "u"},
    )
    second = store.start_step(run_id, "fetch", "API_CALL", 2, {"url": "u"}, at(1))
    done = store.finish_step(second.id, StepStatus.SUCCEEDED, at(2), output={"json": [1, 2]})
    clean = store.start_step(run_id, "clean", "PYTHON_SCRIPT", 1, None, at(3))

    assert (failed.error, failed.input, failed.duration_ms) == ({"type": "timeout"}, {"url": "u"}, 250.0)
    assert (done.output, done.input, done.attempt) == ({"json": [1, 2]}, {"url": "u"}, 2)
    assert [(s.step_id, s.attempt) for s in store.list_step_runs(run_id)] == [
        ("fetch", 1),
        ("fetch", 2),
        ("clean", 1),
    ]
    assert store.list_step_runs(run_id)[-1] == clean


def test_a_finished_attempt_can_be_recorded_in_one_write(store: Store) -> None:
    run_id = new_run(store)
    row = store.record_step(
        run_id,
        "pick",
        "DATA_TRANSFORM",
        1,
        StepStatus.SUCCEEDED,
        T0,
        at(0.5),
        input={"source": "x"},
        output={"result": [1]},
    )
    assert (row.status, row.duration_ms, row.input, row.output, row.error) == (
        StepStatus.SUCCEEDED,
        500.0,
        {"source": "x"},
        {"result": [1]},
        None,
    )
    assert store.list_step_runs(run_id) == [row]
    with pytest.raises(Conflict, match="already started"):
        store.record_step(run_id, "pick", "DATA_TRANSFORM", 1, StepStatus.FAILED, T0, at(1))
    with pytest.raises(ValueError, match="finished attempts only"):
        store.record_step(run_id, "pick", "DATA_TRANSFORM", 2, StepStatus.RUNNING, T0, at(1))
    with pytest.raises(NotFound):
        store.record_step("no-such-run", "pick", "DATA_TRANSFORM", 1, StepStatus.SUCCEEDED, T0, at(1))


def test_the_cancel_flag_is_cheap_to_read(store: Store) -> None:
    run_id = new_run(store)
    assert store.is_cancel_requested(run_id) is False
    store.request_cancel(run_id)
    assert store.is_cancel_requested(run_id) is True
    with pytest.raises(NotFound):
        store.is_cancel_requested("no-such-run")


def test_step_attempt_rules(store: Store) -> None:
    run_id = new_run(store)
    row = store.start_step(run_id, "ask", "APPROVAL", 1, {}, T0)

    with pytest.raises(Conflict, match="already started"):
        store.start_step(run_id, "ask", "APPROVAL", 1, {}, T0)
    waiting = store.finish_step(row.id, StepStatus.WAITING_APPROVAL, T0)
    assert (waiting.status, waiting.finished_at) == (StepStatus.WAITING_APPROVAL, None)
    store.finish_step(row.id, StepStatus.SUCCEEDED, at(1))
    with pytest.raises(Conflict, match="already succeeded"):
        store.finish_step(row.id, StepStatus.FAILED, at(2))
    with pytest.raises(NotFound):
        store.finish_step(999_999, StepStatus.SUCCEEDED, T0)
    with pytest.raises(NotFound):
        store.start_step("no-such-run", "ask", "APPROVAL", 1, {}, T0)


def test_logs_come_back_in_the_order_written(store: Store) -> None:
    run_id = new_run(store)
    for index, level in enumerate((LogLevel.INFO, LogLevel.WARNING, LogLevel.ERROR, LogLevel.DEBUG)):
        store.add_log(run_id, None if index == 0 else "fetch", level, f"line {index} 로그", T0)

    logs = store.list_logs(run_id)

    assert [(log.step_id, log.level, log.message) for log in logs] == [
        (None, LogLevel.INFO, "line 0 로그"),
        ("fetch", LogLevel.WARNING, "line 1 로그"),
        ("fetch", LogLevel.ERROR, "line 2 로그"),
        ("fetch", LogLevel.DEBUG, "line 3 로그"),
    ]
    assert all(log.run_id == run_id and log.created_at == T0 for log in logs)
    with pytest.raises(NotFound):
        store.add_log("no-such-run", None, LogLevel.INFO, "x", T0)


# --- approvals ------------------------------------------------------------------------------------


def test_requesting_an_approval_twice_returns_the_same_one(store: Store) -> None:
    run_id = new_run(store)
    expires = T0 + timedelta(hours=1)

    first = store.request_approval(run_id, "ask", "send the mail?", T0, expires)
    again = store.request_approval(run_id, "ask", "different text", at(300), None)

    assert again == first
    assert (first.status, first.message, first.expires_at) == (
        ApprovalStatus.PENDING,
        "send the mail?",
        expires,
    )
    assert store.list_pending_approvals() == [first]
    with pytest.raises(NotFound):
        store.request_approval("no-such-run", "ask", "x", T0, None)


def test_deciding_an_approval_once(store: Store) -> None:
    run_id = new_run(store)
    other = new_run(store, name="other")
    store.request_approval(run_id, "ask", "ok?", T0, None)
    store.request_approval(other, "ask", "ok?", at(1), None)

    decided = store.decide_approval(run_id, ApprovalStatus.APPROVED, "kim", "looks good", at(60))

    assert (decided.status, decided.decided_by, decided.comment) == (
        ApprovalStatus.APPROVED,
        "kim",
        "looks good",
    )
    assert decided.decided_at == at(60)
    assert store.get_approval(run_id, "ask") == decided
    assert [a.run_id for a in store.list_pending_approvals()] == [other]
    with pytest.raises(Conflict, match="already approved by kim"):
        store.decide_approval(run_id, ApprovalStatus.REJECTED, "lee", None, at(120))
    # a resumed run asking again sees the decision
    assert store.request_approval(run_id, "ask", "ok?", at(180), None) == decided
    with pytest.raises(NotFound, match="no approval waiting"):
        store.decide_approval(new_run(store), ApprovalStatus.APPROVED, "kim", None, T0)
    with pytest.raises(NotFound):
        store.get_approval(run_id, "other-step")
    with pytest.raises(ValueError):
        store.decide_approval(other, ApprovalStatus.PENDING, "kim", None, T0)


# --- secrets ---------------------------------------------------------------------------------------


def test_secrets_round_trip_and_listing_shows_names_only(store: Store) -> None:
    store.set_secret("NAVER_CLIENT_SECRET", "s3cr3t-값", T0)
    store.set_secret("A_TOKEN", "first", T0)
    store.set_secret("A_TOKEN", "second", at(1))

    assert store.reveal_secret("NAVER_CLIENT_SECRET") == "s3cr3t-값"
    assert store.reveal_secret("A_TOKEN") == "second"
    assert store.list_secret_names() == ["A_TOKEN", "NAVER_CLIENT_SECRET"]


def test_the_secrets_table_holds_ciphertext_only(backend: Backend) -> None:
    backend.store.set_secret("SMTP_PASSWORD", "hunter2-plaintext", T0)

    engine = backend.raw_engine()
    try:
        with engine.connect() as connection:
            name, ciphertext = connection.execute(select(SecretRow.name, SecretRow.ciphertext)).one()
    finally:
        engine.dispose()

    assert name == "SMTP_PASSWORD"
    assert "hunter2" not in ciphertext
    assert load_fernet(backend.settings).decrypt(ciphertext.encode()) == b"hunter2-plaintext"


def test_secret_names_are_checked_and_deleting_works(store: Store) -> None:
    for bad in ("lower", "1ABC", "WITH-DASH", "", "A B"):
        with pytest.raises(ValueError, match="invalid secret name"):
            store.set_secret(bad, "x", T0)
    store.set_secret("TO_DELETE", "x", T0)

    store.delete_secret("TO_DELETE")

    assert store.list_secret_names() == []
    with pytest.raises(NotFound) as missing:
        store.reveal_secret("TO_DELETE")
    assert "mwo secrets set TO_DELETE" in missing.value.fix
    with pytest.raises(NotFound):
        store.delete_secret("TO_DELETE")


# --- inbox and traces ------------------------------------------------------------------------------


def test_inbox_messages_newest_first_and_read_marks(store: Store) -> None:
    run_id = new_run(store)
    first = store.post_message("Run failed", "fetch timed out", T0, run_id=run_id)
    second = store.post_message("오늘의 뉴스", "본문", at(60))
    third = store.post_message("Same time", "tie broken by id", at(60))

    assert (first.run_id, first.read_at, second.run_id) == (run_id, None, None)
    assert [m.id for m in store.list_messages()] == [third.id, second.id, first.id]
    assert [m.id for m in store.list_messages(limit=2)] == [third.id, second.id]
    store.mark_read(second.id, at(120))
    store.mark_read(second.id, at(180))  # the first read time stays
    assert [m.id for m in store.list_messages(unread_only=True)] == [third.id, first.id]
    assert store.list_messages()[1].read_at == at(120)
    with pytest.raises(NotFound):
        store.mark_read(999_999, T0)


def test_llm_calls_are_traced(store: Store) -> None:
    run_id = new_run(store)
    call = LlmCallRecord(
        caller="executor.llm_call",
        model="qwen2.5-coder-1.5b",
        prompt="요약해 주세요",
        response="두 문장",
        prompt_tokens=12,
        completion_tokens=5,
        latency_ms=812.5,
        run_id=run_id,
        step_id="summarize",
        extra={"temperature": 0.2},
    )

    recorded = store.record_llm_call(call, T0)
    planner = store.record_llm_call(
        LlmCallRecord(caller="planner", model="m", prompt="p", response="", error="timeout"), at(1)
    )

    assert recorded.id is not None and recorded.created_at == T0
    assert recorded == LlmCallRecord(**{**call.__dict__, "id": recorded.id, "created_at": T0})
    assert store.list_llm_calls() == [planner, recorded]
    assert store.list_llm_calls(run_id=run_id) == [recorded]
    assert store.list_llm_calls(limit=1) == [planner]
    assert planner.error == "timeout" and planner.run_id is None

"""The checkpointer in the store's database: a step's row and the checkpoint after it commit in one
transaction (both or neither), and the checkpoints of an install that kept them in a file of their
own are moved in when the engine opens."""

from __future__ import annotations

import sqlite3
from typing import Any

import pytest
from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.checkpoint.serde.base import SerializerProtocol

from mwo.engine.checkpoints import open_checkpointer
from mwo.engine.runs import RunService
from mwo.engine.store_checkpointer import JoiningSaver, StoreCheckpointer, joining_sqlite_saver
from mwo.services import Services
from mwo.settings import Settings
from mwo.spec import workflow_from_data
from mwo.store import open_store
from mwo.store.records import RunFilter, StepStatus
from tests.integration.engine.conftest import Env

CHAIN = {
    "name": "chain",
    "steps": [
        {
            "id": step,
            "type": "DATA_TRANSFORM",
            "source": "inputs.items",
            "ops": [{"op": "sort", "by": "n"}],
        }
        for step in ("a", "b", "c")
    ],
    "inputs": {"items": {"type": "array", "default": [{"n": 2}, {"n": 1}]}},
}


CHAIN_STEPS = ("a", "b", "c")


class DiskFull(Exception):
    """The checkpoint write failed (what a full disk or a killed process does to it)."""


def failing_after(done: str, joining_saver: JoiningSaver = joining_sqlite_saver) -> Any:
    """A joining saver whose checkpoint write fails once the state holds step `done`'s output and
    the next step's: the step after `done` finished, but its checkpoint is never written."""

    def joining(connection: Any, serde: SerializerProtocol) -> BaseCheckpointSaver[Any]:
        saver = joining_saver(connection, serde)
        put = saver.put

        def failing_put(config: Any, checkpoint: Any, *args: Any) -> Any:
            outputs = checkpoint["channel_values"].get("outputs", {})
            if done in outputs and len(outputs) > list(CHAIN_STEPS).index(done) + 1:
                raise DiskFull("no space left on device")
            return put(config, checkpoint, *args)

        saver.put = failing_put  # type: ignore[method-assign]
        return saver

    return joining


def test_a_steps_row_and_its_checkpoint_commit_together_or_not_at_all(env: Env) -> None:
    assert_row_and_checkpoint_go_together(env.services, joining_sqlite_saver)


def assert_row_and_checkpoint_go_together(services: Services, joining_saver: JoiningSaver) -> None:
    """Step b runs, then its checkpoint write fails: neither its row nor its checkpoint is kept."""
    services.applier.apply_workflow(workflow_from_data(CHAIN))
    opened: Any = services.checkpointer
    assert isinstance(opened, StoreCheckpointer)
    failing = StoreCheckpointer(opened.reader, services.store, failing_after("a", joining_saver))
    runs = RunService(services.store, services.registry, failing, services.settings, clock=services.clock)
    try:
        with pytest.raises(DiskFull):
            runs.start("chain")
    finally:
        runs.close()

    [run] = services.store.list_runs(RunFilter())
    rows = services.store.list_step_runs(run.id)
    assert [(row.step_id, row.status) for row in rows] == [("a", StepStatus.SUCCEEDED)], (
        "b ran, but its row went with its checkpoint"
    )
    saved = opened.get_tuple({"configurable": {"thread_id": run.id}})
    assert saved is not None
    assert set(saved.checkpoint["channel_values"]["outputs"]) == {"a"}, "the last checkpoint is a's"


def test_a_run_records_one_row_per_step_with_its_output(env: Env) -> None:
    env.apply(CHAIN)
    run = env.runs.start("chain")
    rows = env.services.store.list_step_runs(run.id)
    assert [(row.step_id, row.attempt, row.status) for row in rows] == [
        (step, 1, StepStatus.SUCCEEDED) for step in CHAIN_STEPS
    ]
    assert rows[-1].output == {"result": [{"n": 1}, {"n": 2}], "count": 2}
    saved = env.services.checkpointer.get_tuple({"configurable": {"thread_id": run.id}})
    assert saved is not None and set(saved.checkpoint["channel_values"]["outputs"]) == set(CHAIN_STEPS)


def legacy_file(path: Any, thread_id: str, *, without_task_path: bool = False) -> None:
    """A checkpoint file as an older install left it: one checkpoint and one pending write."""
    from langgraph.checkpoint.base import empty_checkpoint
    from langgraph.checkpoint.sqlite import SqliteSaver

    path.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(str(path), check_same_thread=False) as conn:
        saver = SqliteSaver(conn)
        config = saver.put(
            {"configurable": {"thread_id": thread_id, "checkpoint_ns": ""}}, empty_checkpoint(), {}, {}
        )
        saver.put_writes(config, [("outputs", {"a": 1})], "task-1")
        if without_task_path:  # LangGraph added the column in a later migration
            conn.execute("ALTER TABLE writes DROP COLUMN task_path")
    conn.close()


@pytest.mark.parametrize("without_task_path", [False, True])
def test_the_checkpoints_of_an_older_install_are_moved_into_the_store(
    settings: Settings, without_task_path: bool
) -> None:
    legacy = settings.resolved_legacy_checkpoint_path()
    legacy_file(legacy, "waiting-run", without_task_path=without_task_path)
    store = open_store(settings)
    try:
        opened = open_checkpointer(settings, store)
        try:
            saved = opened.saver.get_tuple({"configurable": {"thread_id": "waiting-run"}})
            assert saved is not None, "the waiting run can still resume"
            assert saved.pending_writes and saved.pending_writes[0][1:] == ("outputs", {"a": 1})
        finally:
            opened.close()
        assert not legacy.exists()
        assert legacy.with_name(legacy.name + ".moved").is_file(), "kept, renamed, for the user to delete"

        again = open_checkpointer(settings, store)  # a second start finds nothing to move
        again.close()
    finally:
        store.close()


def test_processes_starting_together_move_the_older_checkpoints_once(settings: Settings) -> None:
    """Each start tries; one moves the file, the others find it gone (and create no empty one)."""
    import threading

    from mwo.engine.checkpoints import adopt_legacy_checkpoints, open_checkpointer

    legacy = settings.resolved_legacy_checkpoint_path()
    legacy_file(legacy, "waiting-run")
    open_checkpointer(settings).close()  # moves it: put it back, then race with the tables set up
    legacy.with_name(legacy.name + ".moved").rename(legacy)
    with sqlite3.connect(settings.resolved_checkpoint_path()) as main:
        main.execute("DELETE FROM checkpoints")
        main.execute("DELETE FROM writes")
    main.close()

    start = threading.Barrier(4)
    moved: list[int] = []

    def one_start() -> None:
        conn = sqlite3.connect(settings.resolved_checkpoint_path(), timeout=30, check_same_thread=False)
        try:
            start.wait()
            moved.append(adopt_legacy_checkpoints(settings, conn))
        finally:
            conn.close()

    starts = [threading.Thread(target=one_start) for _ in range(4)]
    for thread in starts:
        thread.start()
    for thread in starts:
        thread.join()

    assert sorted(moved) == [0, 0, 0, 1]
    assert not legacy.exists()
    with sqlite3.connect(legacy.with_name(legacy.name + ".moved")) as kept:
        assert kept.execute("SELECT count(*) FROM checkpoints").fetchone()[0] == 1, (
            "the original, not an empty file"
        )
    kept.close()

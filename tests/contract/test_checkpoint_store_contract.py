"""A checkpoint transaction on every SQL backend: the finished attempts' rows and whatever the caller
writes on the yielded driver connection commit together or not at all, fenced by the run's lease in
that same transaction."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta, timezone
from typing import Any

import pytest
from sqlalchemy import inspect, text

from mwo.store import Store
from mwo.store.abc import CheckpointStore
from mwo.store.errors import Conflict, LeaseLost
from mwo.store.records import FinishedAttempt, StepStatus
from tests.contract.support import T0, Backend, lease_taken, new_run

CONTRACT = CheckpointStore


class Boom(Exception):
    pass


def attempt(run_id: str, step_id: str, status: StepStatus = StepStatus.SUCCEEDED) -> FinishedAttempt:
    return FinishedAttempt(
        run_id,
        step_id,
        "DATA_TRANSFORM",
        1,
        status,
        T0,
        T0 + timedelta(milliseconds=3),
        input={"source": [1, 2]},
        output={"result": [2, 1], "count": 2},
    )


def steps_of(store: Store, run_id: str) -> list[tuple[str, StepStatus, Any]]:
    return [(row.step_id, row.status, row.output) for row in store.list_step_runs(run_id)]


def own_table(connection: Any) -> None:
    """What a checkpoint saver does on the yielded connection: its own statements (sqlite3, psycopg)."""
    cursor = connection.cursor()
    try:
        cursor.execute("CREATE TABLE IF NOT EXISTS saved_by_caller (name VARCHAR(20))")
        cursor.execute("INSERT INTO saved_by_caller (name) VALUES ('checkpoint')")
    finally:
        cursor.close()


def caller_rows(backend: Backend) -> int:
    engine = backend.raw_engine()
    try:
        with engine.connect() as connection:
            if "saved_by_caller" not in inspect(connection).get_table_names():
                return 0
            return int(connection.execute(text("SELECT count(*) FROM saved_by_caller")).scalar_one())
    finally:
        engine.dispose()


def test_the_rows_and_the_callers_writes_commit_together(backend: Backend) -> None:
    store = backend.store
    run_id = new_run(store)
    lease = lease_taken(store, run_id, "worker-a", 0)

    with store.checkpoint_transaction(lease, [attempt(run_id, "a"), attempt(run_id, "b")]) as connection:
        own_table(connection)

    assert steps_of(store, run_id) == [
        ("a", StepStatus.SUCCEEDED, {"result": [2, 1], "count": 2}),
        ("b", StepStatus.SUCCEEDED, {"result": [2, 1], "count": 2}),
    ]
    assert caller_rows(backend) == 1
    [row, _] = store.list_step_runs(run_id)
    assert (row.started_at, row.finished_at, row.input) == (
        T0,
        T0 + timedelta(milliseconds=3),
        {"source": [1, 2]},
    )


def test_a_failure_in_the_block_writes_nothing(backend: Backend) -> None:
    store = backend.store
    run_id = new_run(store)
    lease = lease_taken(store, run_id, "worker-a", 0)
    with store.checkpoint_transaction(lease) as connection:
        own_table(connection)  # the table exists from here on

    with pytest.raises(Boom), store.checkpoint_transaction(lease, [attempt(run_id, "a")]) as connection:
        own_table(connection)
        raise Boom

    assert steps_of(store, run_id) == []
    assert caller_rows(backend) == 1, "only the first transaction's row"


def test_a_stale_lease_writes_nothing_even_without_rows(store: Store) -> None:
    run_id = new_run(store)
    stale = lease_taken(store, run_id, "worker-a", 0)
    current = lease_taken(store, run_id, "worker-b", 31)  # the lease had expired

    with pytest.raises(LeaseLost), store.checkpoint_transaction(stale, [attempt(run_id, "a")]):
        pytest.fail("the block must not run under a lost lease")
    with pytest.raises(LeaseLost), store.checkpoint_transaction(stale):
        pytest.fail("the block must not run under a lost lease")

    with store.checkpoint_transaction(current, [attempt(run_id, "a")]):
        pass
    assert [step for step, _, _ in steps_of(store, run_id)] == ["a"]


def test_without_a_lease_the_rows_are_written_as_they_are(store: Store) -> None:
    run_id = new_run(store)
    with store.checkpoint_transaction(None, [attempt(run_id, "a", StepStatus.FAILED)]):
        pass
    assert steps_of(store, run_id)[0][:2] == ("a", StepStatus.FAILED)


def test_an_attempt_written_twice_is_a_conflict_and_nothing_of_the_second_is_kept(store: Store) -> None:
    run_id = new_run(store)
    lease = lease_taken(store, run_id, "worker-a", 0)
    with store.checkpoint_transaction(lease, [attempt(run_id, "a")]):
        pass

    with (
        pytest.raises(Conflict),
        store.checkpoint_transaction(lease, [attempt(run_id, "b"), attempt(run_id, "a")]),
    ):
        pytest.fail("the block must not run after a refused row")

    assert [step for step, _, _ in steps_of(store, run_id)] == ["a"]


def test_only_finished_attempts_are_accepted(store: Store) -> None:
    run_id = new_run(store)
    with (
        pytest.raises(ValueError),
        store.checkpoint_transaction(None, [attempt(run_id, "a", StepStatus.RUNNING)]),
    ):
        pass
    assert steps_of(store, run_id) == []


def test_times_are_kept_as_instants_in_utc_and_a_naive_time_is_refused(store: Store) -> None:
    run_id = new_run(store)
    seoul = timezone(timedelta(hours=9))
    in_seoul = replace(attempt(run_id, "a"), started_at=T0.astimezone(seoul))
    with store.checkpoint_transaction(None, [in_seoul]):
        pass
    naive = replace(attempt(run_id, "b"), finished_at=T0.replace(tzinfo=None))

    with pytest.raises(ValueError, match="naive"), store.checkpoint_transaction(None, [naive]):
        pytest.fail("the block must not run after a refused row")

    [row] = store.list_step_runs(run_id)
    assert row.started_at == T0 and row.started_at.utcoffset() == timedelta(0)


def test_a_failed_attempt_keeps_its_error_and_no_output(store: Store) -> None:
    run_id = new_run(store)
    failed = replace(
        attempt(run_id, "a", StepStatus.FAILED),
        output=None,
        error={"kind": "config", "message": "키 'titel'이 없습니다"},
        version_id=store.get_run(run_id).version_id,
    )
    with store.checkpoint_transaction(None, [failed]):
        pass

    [row] = store.list_step_runs(run_id)
    assert (row.status, row.output, row.error, row.version_id) == (
        StepStatus.FAILED,
        None,
        {"kind": "config", "message": "키 'titel'이 없습니다"},
        failed.version_id,
    )

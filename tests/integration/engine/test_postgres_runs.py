"""The engine on PostgreSQL: the same workflow, approval and restart, with the store at a PostgreSQL URL."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.schema import CreateSchema, DropSchema

from mwo.services import Services
from mwo.settings import Settings
from mwo.spec import workflow_from_data
from mwo.store.records import RunStatus

POSTGRES_URL = os.environ.get("MWO_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")

pytestmark = pytest.mark.postgres


@pytest.fixture
def pg_settings(tmp_path: Path) -> Iterator[Settings]:
    admin = create_engine(POSTGRES_URL, connect_args={"connect_timeout": 3})
    schema = f"e_{uuid.uuid4().hex[:12]}"
    try:
        with admin.begin() as connection:
            connection.execute(CreateSchema(schema))
    except OperationalError as exc:
        admin.dispose()
        pytest.skip(f"PostgreSQL is not reachable at {POSTGRES_URL}: {type(exc.orig).__name__}")
    url = make_url(POSTGRES_URL).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield Settings(
            home=tmp_path / "home", database_url=url.render_as_string(hide_password=False), _env_file=None
        )
    finally:
        with admin.begin() as connection:
            connection.execute(DropSchema(schema, cascade=True))
        admin.dispose()


def test_a_run_with_an_approval_across_processes_on_postgres(pg_settings: Settings) -> None:
    first = Services.open(pg_settings)
    try:
        first.applier.apply_workflow(
            workflow_from_data(
                {
                    "name": "pg-flow",
                    "inputs": {"who": {"default": "세계"}},
                    "steps": [
                        {"id": "ask", "type": "APPROVAL", "message": "send to {{ inputs.who }}?"},
                        {
                            "id": "send",
                            "type": "NOTIFICATION",
                            "channel": "inbox",
                            "body": "안녕 {{ inputs.who }}",
                        },
                    ],
                }
            )
        )
        waiting = first.runs.start("pg-flow")
        assert waiting.status is RunStatus.WAITING_APPROVAL
    finally:
        first.close()
    second = Services.open(pg_settings)
    try:
        done = second.runs.approve(waiting.id, "kim")
        assert done.status is RunStatus.SUCCEEDED
        assert [m.body for m in second.store.list_messages()] == ["안녕 세계"]
        assert [r.step_id for r in second.store.list_step_runs(done.id)] == ["ask", "send"]
    finally:
        second.close()


def test_another_host_resumes_the_run_from_the_checkpoint_in_postgres(
    pg_settings: Settings, tmp_path: Path
) -> None:
    """A server on another machine shares only the database: the checkpoint must live there too."""
    spec = {
        "name": "pg-hosts",
        "steps": [
            {"id": "ask", "type": "APPROVAL"},
            {"id": "send", "type": "NOTIFICATION", "channel": "inbox", "body": "sent"},
        ],
    }
    first = Services.open(pg_settings)
    try:
        assert first.checkpoints.backend == "postgresql"
        first.applier.apply_workflow(workflow_from_data(spec))
        waiting = first.runs.start("pg-hosts")
    finally:
        first.close()
    other_host = pg_settings.model_copy(update={"home": tmp_path / "other-host"})
    second = Services.open(other_host)
    try:
        done = second.runs.approve(waiting.id, "kim")
        assert done.status is RunStatus.SUCCEEDED
        assert [(r.step_id, r.status.value) for r in second.store.list_step_runs(done.id)] == [
            ("ask", "succeeded"),
            ("send", "succeeded"),
        ]
    finally:
        second.close()
    assert not (tmp_path / "other-host" / "checkpoints.db").exists()


def test_processes_opening_checkpoints_together_on_a_fresh_database_all_start(pg_settings: Settings) -> None:
    """LangGraph's checkpoint set-up raced (UniqueViolation on checkpoint_migrations_pkey) when two
    servers started together on a new database; it is serialised by an advisory lock now."""
    import threading

    from mwo.engine.checkpoints import open_checkpointer

    barrier = threading.Barrier(4)
    failures: list[BaseException] = []
    opened = []

    def open_one() -> None:
        barrier.wait()
        try:
            opened.append(open_checkpointer(pg_settings))
        except BaseException as exc:  # collected, asserted below
            failures.append(exc)

    threads = [threading.Thread(target=open_one) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for checkpointer in opened:
        checkpointer.close()
    assert failures == []
    assert len(opened) == 4


def test_a_steps_row_and_its_checkpoint_commit_together_on_postgres(pg_settings: Settings) -> None:
    from mwo.engine.store_checkpointer import joining_postgres_saver
    from tests.integration.engine.test_store_checkpointer import assert_row_and_checkpoint_go_together

    services = Services.open(pg_settings)
    try:
        assert_row_and_checkpoint_go_together(services, joining_postgres_saver)
    finally:
        services.close()


def test_a_connection_terminated_under_a_unit_of_work_is_store_unavailable(pg_settings: Settings) -> None:
    from sqlalchemy import text

    from mwo.store.database import Database, create_store_engine
    from mwo.store.errors import StoreUnavailable

    database = Database(create_store_engine(pg_settings))
    admin = create_engine(POSTGRES_URL)
    try:
        with pytest.raises(StoreUnavailable) as raised, database.connection_scope() as connection:
            pid = connection.execute(text("SELECT pg_backend_pid()")).scalar_one()
            with admin.begin() as other:
                other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
            connection.execute(text("SELECT 1"))
        assert raised.value.code == "store_unavailable" and "administrator command" in raised.value.message
        with database.connection_scope() as connection:  # the pool reconnects for the next one
            assert connection.execute(text("SELECT 1")).scalar_one() == 1
    finally:
        database.dispose()
        admin.dispose()


def test_a_connection_terminated_under_a_driver_transaction_is_store_unavailable(
    pg_settings: Settings,
) -> None:
    """The checkpoint write's transaction on the driver connection (`Database.driver_transaction`)
    tells a broken connection as the SQLAlchemy units of work do, and the pool drops it."""
    from sqlalchemy import text

    from mwo.store.database import Database, create_store_engine
    from mwo.store.errors import StoreUnavailable

    database = Database(create_store_engine(pg_settings))
    admin = create_engine(POSTGRES_URL)
    try:
        with pytest.raises(StoreUnavailable) as raised, database.driver_transaction() as connection:
            pid = connection.execute("SELECT pg_backend_pid()").fetchone()[0]
            with admin.begin() as other:
                other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
            connection.execute("SELECT 1")
        assert raised.value.code == "store_unavailable" and "administrator command" in raised.value.message
        with database.driver_transaction() as connection:  # the pool reconnects for the next one
            assert connection.execute("SELECT 1").fetchone()[0] == 1
    finally:
        database.dispose()
        admin.dispose()

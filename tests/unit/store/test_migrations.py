"""The shipped migrations create exactly the schema the models describe (SQLite; the contract suite
checks the same on every backend)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect

from mwo.settings import Settings
from mwo.store.database import SCHEMA_HEAD, Database, alembic_config, create_store_engine
from mwo.store.tables import Base


@pytest.fixture
def database(tmp_path: Path) -> Iterator[Database]:
    settings = Settings(home=tmp_path / "home", database_url=None, _env_file=None)
    database = Database(create_store_engine(settings))
    yield database
    database.dispose()


def _tables(engine: Engine) -> set[str]:
    return set(inspect(engine).get_table_names())


def test_upgrade_creates_exactly_the_models_tables(database: Database) -> None:
    database.upgrade_schema()

    with database.engine.connect() as connection:
        diff = compare_metadata(
            MigrationContext.configure(connection, opts={"compare_type": True}), Base.metadata
        )
    assert diff == []
    assert _tables(database.engine) == set(Base.metadata.tables) | {"alembic_version"}


def test_upgrading_twice_is_a_no_op_and_lands_on_the_single_head(database: Database) -> None:
    database.upgrade_schema()
    database.upgrade_schema()

    with database.engine.connect() as connection:
        current = MigrationContext.configure(connection).get_current_heads()
        heads = ScriptDirectory.from_config(alembic_config(connection)).get_heads()
    assert len(heads) == 1
    assert current == tuple(heads)


def test_downgrade_to_base_removes_every_table(database: Database) -> None:
    database.upgrade_schema()

    with database.engine.connect() as connection:
        command.downgrade(alembic_config(connection), "base")
        connection.commit()

    assert _tables(database.engine) == {"alembic_version"}


def test_processes_opening_a_fresh_database_together_migrate_one_by_one(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path / "home", database_url=None, _env_file=None)
    databases = [Database(create_store_engine(settings)) for _ in range(4)]
    start = threading.Barrier(len(databases))

    def migrate(database: Database) -> None:
        start.wait()
        database.upgrade_schema()

    try:
        with ThreadPoolExecutor(max_workers=len(databases)) as pool:
            list(pool.map(migrate, databases))  # re-raises the first failure, if any
        assert _tables(databases[0].engine) == set(Base.metadata.tables) | {"alembic_version"}
    finally:
        for database in databases:
            database.dispose()


def test_schema_head_constant_is_the_real_head(database: Database) -> None:
    with database.engine.connect() as connection:
        head = ScriptDirectory.from_config(alembic_config(connection)).get_current_head()
    assert head == SCHEMA_HEAD, "a migration was added: set mwo.store.database.SCHEMA_HEAD to its revision"
    database.upgrade_schema()
    assert database.schema_revision() == SCHEMA_HEAD

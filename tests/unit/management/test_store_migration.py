"""migrate-store without a PostgreSQL server: which tables it knows, in which order, and what it refuses
before touching anything (the copy itself: tests/integration/management/test_migrate_store.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect

from mwo.management import store_migration
from mwo.management.store_migration import KNOWN_TABLES, StoreMigrationError, copy_order, migrate_store
from mwo.settings import Settings
from mwo.store import open_store
from mwo.store.tables import Base


def test_every_table_of_the_store_is_one_migrate_store_copies() -> None:
    # Adding a table to mwo.store.tables fails here until KNOWN_TABLES says how it moves.
    assert set(Base.metadata.tables) == set(KNOWN_TABLES)


def test_a_migrated_sqlite_store_holds_no_table_migrate_store_would_leave_behind(settings: Settings) -> None:
    open_store(settings).close()
    engine = create_engine(settings.resolved_database_url())
    try:
        with engine.connect() as connection:
            tables = set(inspect(connection).get_table_names()) - {"alembic_version"}
    finally:
        engine.dispose()
    assert tables == set(KNOWN_TABLES)


def test_parents_are_copied_before_their_children() -> None:
    order = [table.name for table in copy_order()]
    assert order.index("workflows") < order.index("workflow_versions") < order.index("runs")
    assert order.index("runs") < order.index("step_runs")
    assert order.index("schedules") < order.index("schedule_fires")
    assert order.index("authoring_sessions") < order.index("authoring_events")


def test_an_unknown_table_stops_migrate_store_before_anything_is_read(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delitem(store_migration.KNOWN_TABLES, "repair_proposals")
    with pytest.raises(StoreMigrationError) as refused:
        migrate_store(settings, "postgresql+psycopg://postgres@127.0.0.1:5432/test", dry_run=True)
    assert "repair_proposals" in str(refused.value)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("sqlite:///elsewhere.db", "must be PostgreSQL"),
        ("postgresql+psycopg2://u@h/db", "not supported"),
        ("not a url", "not a database URL"),
    ],
)
def test_only_a_postgresql_target_through_psycopg_is_accepted(
    settings: Settings, url: str, expected: str
) -> None:
    open_store(settings).close()
    with pytest.raises(StoreMigrationError) as refused:
        migrate_store(settings, url, dry_run=True)
    assert expected in str(refused.value)
    assert refused.value.fix


def test_a_home_without_a_store_has_nothing_to_move(tmp_path: Path) -> None:
    empty = Settings(home=tmp_path / "nothing-here", _env_file=None)  # type: ignore[call-arg]
    with pytest.raises(StoreMigrationError) as refused:
        migrate_store(empty, "postgresql+psycopg://postgres@127.0.0.1:5432/test", dry_run=True)
    assert "no store to move" in str(refused.value) and "MWO_HOME" in refused.value.fix


def test_a_store_already_on_postgresql_is_not_a_source(tmp_path: Path) -> None:
    on_postgres = Settings(home=tmp_path / "home", database_url="postgresql+psycopg://u@h/db", _env_file=None)  # type: ignore[call-arg]
    with pytest.raises(StoreMigrationError) as refused:
        migrate_store(on_postgres, "postgresql+psycopg://postgres@127.0.0.1:5432/test", dry_run=True)
    assert "already on postgresql" in str(refused.value)

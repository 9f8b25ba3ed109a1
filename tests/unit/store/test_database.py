"""SQLite connection set-up: WAL, busy timeout, foreign keys, and write transactions that lock at BEGIN."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from mwo.settings import Settings
from mwo.store.database import Database, create_store_engine


def make_settings(tmp_path: Path, busy_ms: int = 1234) -> Settings:
    return Settings(
        home=tmp_path / "new" / "home", database_url=None, sqlite_busy_timeout_ms=busy_ms, _env_file=None
    )


def test_sqlite_connections_are_configured(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    engine = create_store_engine(settings)
    try:
        with engine.connect() as connection:
            pragmas = {
                "journal_mode": connection.exec_driver_sql("PRAGMA journal_mode").scalar(),
                "busy_timeout": connection.exec_driver_sql("PRAGMA busy_timeout").scalar(),
                "foreign_keys": connection.exec_driver_sql("PRAGMA foreign_keys").scalar(),
            }
    finally:
        engine.dispose()
    assert pragmas == {"journal_mode": "wal", "busy_timeout": 1234, "foreign_keys": 1}
    assert (settings.resolved_home() / "mwo.db").exists()


def test_a_write_unit_of_work_takes_the_lock_at_begin(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, busy_ms=50)
    holder, other = Database(create_store_engine(settings)), Database(create_store_engine(settings))
    try:
        with holder.session_scope() as session:
            session.execute(text("CREATE TABLE t (x INTEGER)"))
        with holder.session_scope() as session:
            session.execute(text("SELECT 1"))  # only a read so far, yet the write lock is held
            with other.session_scope(read_only=True) as reader:
                assert reader.execute(text("SELECT count(*) FROM t")).scalar() == 0
            with pytest.raises(OperationalError, match="locked"), other.session_scope() as writer:
                writer.execute(text("SELECT 1"))
    finally:
        holder.dispose()
        other.dispose()


def test_a_failing_unit_of_work_is_rolled_back(tmp_path: Path) -> None:
    database = Database(create_store_engine(make_settings(tmp_path)))
    try:
        with database.session_scope() as session:
            session.execute(text("CREATE TABLE t (x INTEGER)"))
        with pytest.raises(RuntimeError), database.session_scope() as session:
            session.execute(text("INSERT INTO t VALUES (1)"))
            raise RuntimeError("boom")
        with database.session_scope(read_only=True) as session:
            assert session.execute(text("SELECT count(*) FROM t")).scalar() == 0
    finally:
        database.dispose()

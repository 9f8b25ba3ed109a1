"""The database connection: the Engine built from Settings, units of work, and schema migrations.

SQLite is the embedded default and needs three things on every connection: WAL (readers never block
the writer), a busy timeout (several processes share the file), and `foreign_keys=ON` (SQLite ignores
foreign keys otherwise, and deleting a workflow relies on ON DELETE CASCADE). Write transactions
start with `BEGIN IMMEDIATE` so a read-then-write unit of work takes the write lock up front instead
of failing with "database is locked" when it tries to upgrade its lock. Any other URL (PostgreSQL) is
used as given.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext, suppress
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import Connection, Engine, create_engine, event, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, StatementError
from sqlalchemy.orm import Session, sessionmaker

from mwo.settings import Settings
from mwo.store.errors import StoreUnavailable

if TYPE_CHECKING:
    from alembic.config import Config

SCHEMA_HEAD = "0009_outbox"
"""The newest migration's revision id. A database at this revision is opened without importing
Alembic (0.7 s of every CLI start); `tests/unit/store/test_migrations.py` checks it is the real head,
so adding a migration means updating it."""

MIGRATIONS_DIR = Path(__file__).with_name("migrations")

# Execution option read by the SQLite "begin" listener: write units of work take the lock at BEGIN.
_IMMEDIATE = "mwo_sqlite_immediate"
# Any constant shared by all MWO processes: the key of the PostgreSQL advisory lock around migrations.
_MIGRATION_LOCK_ID = 0x6D776F  # "mwo"


def create_store_engine(settings: Settings, **engine_kwargs: Any) -> Engine:
    """The Engine for `settings.resolved_database_url()`; `engine_kwargs` go to `create_engine`."""
    url = make_url(settings.resolved_database_url())
    if url.get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True, **engine_kwargs)
    settings.resolved_home().mkdir(parents=True, exist_ok=True)
    if url.database and url.database != ":memory:" and not url.database.startswith("file:"):
        Path(url.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    connect_args = {
        "timeout": settings.sqlite_busy_timeout_ms / 1000,
        **engine_kwargs.pop("connect_args", {}),
    }
    engine = create_engine(url, connect_args=connect_args, **engine_kwargs)
    event.listen(engine, "connect", _configure_sqlite_connection)
    event.listen(engine, "begin", _begin_sqlite_transaction)
    return engine


def _configure_sqlite_connection(dbapi_connection: Any, _record: Any) -> None:
    """Per-connection SQLite setup; the busy timeout is already set by sqlite3's `timeout` argument."""
    # Let SQLAlchemy emit BEGIN itself (see _begin_sqlite_transaction): the sqlite3 module's own
    # transaction handling does not begin on SELECT and cannot begin IMMEDIATE.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA journal_mode=WAL")
        # In WAL mode NORMAL syncs at checkpoints, not at every commit: a commit survives a crash of
        # MWO (what crash recovery relies on); only a power loss can take the last few commits.
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
    finally:
        cursor.close()


def _begin_sqlite_transaction(connection: Connection) -> None:
    # On the driver's connection rather than `exec_driver_sql`: SQLAlchemy need not track this
    # statement, and its execution machinery was a tenth of a light step's write transaction. Its
    # errors ("database is locked") still reach callers as SQLAlchemy's, as they would have.
    statement = "BEGIN IMMEDIATE" if connection.get_execution_options().get(_IMMEDIATE, False) else "BEGIN"
    driver = cast(sqlite3.Connection, connection.connection.driver_connection)
    try:
        driver.execute(statement)
    except sqlite3.Error as exc:
        raise DBAPIError.instance(statement, None, exc, sqlite3.Error) from exc


class Database:
    """Owns the Engine and hands out units of work; one per Store, passed in, never global."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        # SQLite has one writer. Threads of one process that wait for it inside SQLite wait in its
        # busy handler, which sleeps in growing steps (up to 100 ms): under concurrent writers (API
        # threads, worker threads) that sleep is the tail latency. Queueing them on a lock here
        # hands the write lock over at once; other processes still meet the busy timeout.
        self._write_turn: AbstractContextManager[Any] = (
            threading.RLock() if engine.dialect.name == "sqlite" else nullcontext()
        )
        write_engine = engine.execution_options(**{_IMMEDIATE: True})
        self._write_engine = write_engine
        self._read_sessions = sessionmaker(bind=engine, expire_on_commit=False)
        self._write_sessions = sessionmaker(bind=write_engine, expire_on_commit=False)

    @contextmanager
    def session_scope(self, *, read_only: bool = False) -> Iterator[Session]:
        """Run the body as one transaction: commit when it returns, roll back when it raises.

        `read_only=True` only lets SQLite skip the write lock; it does not forbid writes.
        """
        sessions = self._read_sessions if read_only else self._write_sessions
        with self._turn(read_only), _refused_values_as_value_errors(), sessions.begin() as session:
            yield session

    @contextmanager
    def connection_scope(self, *, read_only: bool = False) -> Iterator[Connection]:
        """Like `session_scope`, for Core statements on the hot path (a step's row, the cancel flag):
        a Connection costs about half of a Session per unit of work."""
        engine = self.engine if read_only else self._write_engine
        with self._turn(read_only), _refused_values_as_value_errors(), engine.begin() as connection:
            yield connection

    @contextmanager
    def driver_transaction(self) -> Iterator[Any]:
        """A write transaction on a pooled driver connection (sqlite3, psycopg), for the checkpoint
        write every step makes (`sql_driver`): the body's statements go straight to the driver, the
        commit when it returns, the rollback when it raises. Pool checkout (with its liveness ping on
        PostgreSQL), SQLite's writer turn and `BEGIN IMMEDIATE` and the errors are those of
        `connection_scope`: a driver error comes out as SQLAlchemy's, a broken connection as
        StoreUnavailable (the connection is dropped from the pool)."""
        dialect = self.engine.dialect
        with self._turn(False), _refused_values_as_value_errors():
            pooled = self.engine.raw_connection()
            driver: Any = pooled.driver_connection
            try:
                try:
                    if dialect.name == "sqlite":
                        driver.execute("BEGIN IMMEDIATE")
                    yield driver
                    driver.commit()
                except BaseException:
                    with suppress(Exception):  # a broken connection: the first error is the one told
                        driver.rollback()
                    raise
            except dialect.loaded_dbapi.Error as exc:
                raise _translated(exc, pooled, dialect) from exc
            except DBAPIError as exc:
                if exc.orig is not None and dialect.is_disconnect(cast(Any, exc.orig), pooled, None):
                    pooled.invalidate(exc.orig)
                    exc.connection_invalidated = True
                raise
            finally:
                pooled.close()

    def _turn(self, read_only: bool) -> AbstractContextManager[Any]:
        return nullcontext() if read_only else self._write_turn

    def upgrade_schema(self) -> None:
        """Bring the schema to the newest migration (a no-op when it is already there).

        All migrations run in one transaction that first takes a database-wide lock (the write lock
        on SQLite, an advisory lock on PostgreSQL), so processes starting together on a fresh
        database migrate one after the other instead of racing to create the same tables.
        """
        if self.schema_revision() == SCHEMA_HEAD:
            return
        from alembic import command

        immediate = self.engine.execution_options(**{_IMMEDIATE: True})
        with immediate.connect() as connection, connection.begin():
            if connection.dialect.name == "postgresql":
                connection.execute(select(func.pg_advisory_xact_lock(_MIGRATION_LOCK_ID)))
            command.upgrade(alembic_config(connection), "head")

    def schema_revision(self) -> str | None:
        """The migration the database is at (None for a new database)."""
        try:
            with self.engine.connect() as connection:
                return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
        except DBAPIError:
            return None

    def dispose(self) -> None:
        """Close every pooled connection (the store is closed)."""
        self.engine.dispose()


def _translated(exc: Exception, pooled: Any, dialect: Any) -> StatementError:
    """A driver error raised outside a statement (BEGIN, COMMIT) as SQLAlchemy would raise it; a
    broken connection is invalidated (dropped from the pool) and marked so."""
    disconnect = bool(dialect.is_disconnect(exc, pooled, None))
    if disconnect:
        pooled.invalidate(exc)
    return DBAPIError.instance(
        None, None, exc, dialect.loaded_dbapi.Error, dialect=dialect, connection_invalidated=disconnect
    )


@contextmanager
def _refused_values_as_value_errors() -> Iterator[None]:
    """A value our column types refuse (a naive datetime, an unknown enum value) is the caller's
    mistake: surface the ValueError itself, not SQLAlchemy's wrapper around it. A connection that
    broke under the unit of work (SQLAlchemy invalidated it; the pool reconnects on the next one) is
    StoreUnavailable, so callers tell it from a refused statement."""
    try:
        yield
    except DBAPIError as exc:
        if exc.connection_invalidated:
            raise StoreUnavailable(str(exc.orig).strip().splitlines()[0] or type(exc.orig).__name__) from exc
        raise
    except StatementError as exc:
        if isinstance(exc.orig, ValueError):
            raise exc.orig from exc
        raise


def alembic_config(connection: Connection) -> Config:
    """An Alembic Config for the shipped migrations, bound to `connection` (no alembic.ini needed)."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection"] = connection
    return config

"""The LangGraph checkpointer, in the store's own database: PostgreSQL when the store is PostgreSQL
(so any server process on any host can resume any run), else the store's SQLite file (WAL).

A checkpoint is how a run continues after an approval, a failure or a crash of the process that was
running it; the other process must see it, which only a checkpointer in the shared database gives.
Given the store, the checkpointer writes in the store's transactions, a step's row and its
checkpoint together (`StoreCheckpointer`); without one (tests, set-up) it is LangGraph's saver.
"""

from __future__ import annotations

import fcntl
import logging
import sqlite3
import time
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.base import (
    BaseCheckpointSaver,
    ChannelVersions,
    Checkpoint,
    CheckpointMetadata,
)
from sqlalchemy.engine import make_url

from mwo.engine.store_checkpointer import (
    LEASE_KEY,
    StoreCheckpointer,
    joining_postgres_saver,
    joining_sqlite_saver,
)
from mwo.engine.wrapped_saver import WrappedSaver
from mwo.settings import Settings
from mwo.store.abc import CheckpointStore, RunStore
from mwo.store.records import RunLease

POSTGRES_POOL_SIZE = 4
PROOF_KEY = "__mwo_lease_proof"
"""The `configurable` key of the invocation's LeaseProof."""
_LOG = logging.getLogger(__name__)
SQLITE_CHECKPOINT_TABLES = ("checkpoints", "writes")
"""SqliteSaver's tables (in the store's SQLite file)."""


@dataclass
class LeaseProof:
    """Whether the lease was just proven by a fenced store write of the step being checkpointed.

    Only for a checkpointer apart from the store (`FencedCheckpointer`): the step runner clears it
    when a step starts and sets it once the step's row was written under the lease (that write
    checks the lease in its own transaction). The checkpoint writes that follow for that step then
    need no check of their own: checking again cost two transactions a step (a sixth of a light
    run), for a window no smaller than the one left anyway (check, then write)."""

    fresh: bool = False


# The key of the PostgreSQL advisory lock held around LangGraph's own table set-up (any constant shared
# by all MWO processes; the store's migrations use another).
_CHECKPOINT_SETUP_LOCK_ID = 0x6D776F63
_SETUP_LOCK_POLL_S = 0.05


@dataclass(frozen=True)
class OpenedCheckpointer:
    """A checkpointer and how to release its connections."""

    saver: BaseCheckpointSaver[Any]
    close: Callable[[], None]
    backend: str


def open_checkpointer(settings: Settings, store: CheckpointStore | None = None) -> OpenedCheckpointer:
    """The checkpointer in the store's database, its tables created or migrated; with `store` (that
    database's store), one that writes in the store's transactions."""
    url = make_url(settings.resolved_database_url())
    if url.get_backend_name() == "postgresql":
        opened = _open_postgres(url.set(drivername="postgresql").render_as_string(hide_password=False))
        joining = joining_postgres_saver
    else:
        opened = _open_sqlite(settings)
        joining = joining_sqlite_saver
    if store is None:
        return opened
    return OpenedCheckpointer(StoreCheckpointer(opened.saver, store, joining), opened.close, opened.backend)


def _open_sqlite(settings: Settings) -> OpenedCheckpointer:
    """A SqliteSaver reading the store's SQLite file on a connection of its own (WAL: reads never
    wait for the writer), after moving in the checkpoints of an install that kept them apart."""
    from langgraph.checkpoint.sqlite import SqliteSaver

    path = settings.resolved_checkpoint_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(str(path), check_same_thread=False, timeout=settings.sqlite_busy_timeout_ms / 1000)
    try:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        saver = SqliteSaver(conn)
        saver.setup()
        adopt_legacy_checkpoints(settings, conn)
    except BaseException:
        conn.close()
        raise
    return OpenedCheckpointer(saver, conn.close, "sqlite")


def adopt_legacy_checkpoints(settings: Settings, conn: sqlite3.Connection) -> int:
    """Move the checkpoints of an older install, kept in a file of their own
    (`settings.resolved_legacy_checkpoint_path()`), into the store's file on `conn` (its tables set
    up), then rename that file (and a WAL left beside it) to `<name>.moved` so it is moved once.
    Returns how many checkpoints came over.

    Processes starting together take turns on an advisory lock of the file (`flock`, which SQLite's
    own `fcntl` locks ignore) and look again once they hold it: the first moves it, the others find
    it gone. Attaching a file that is gone would create an empty one."""
    legacy = settings.resolved_legacy_checkpoint_path()
    if not legacy.is_file() or legacy.resolve() == settings.resolved_checkpoint_path().resolve():
        return 0
    try:
        handle = legacy.open("rb")
    except FileNotFoundError:  # another process moved it just now
        return 0
    with handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        if not legacy.is_file():
            return 0
        moved = _copy_legacy(conn, legacy)
        for suffix in ("", "-wal"):
            kept = legacy.with_name(legacy.name + suffix)
            if kept.exists():
                kept.rename(legacy.with_name(legacy.name + ".moved" + suffix))
    _LOG.info("moved %d checkpoints from %s into the store's database", moved, legacy)
    return moved


def _copy_legacy(conn: sqlite3.Connection, legacy: Path) -> int:
    """Copy the legacy file's checkpoint tables into the store's, in one transaction (rows already
    there are kept); how many checkpoints were added."""
    conn.execute("ATTACH DATABASE ? AS legacy", (str(legacy),))
    try:
        tables = conn.execute("SELECT name FROM legacy.sqlite_master WHERE type = 'table'")
        if not set(SQLITE_CHECKPOINT_TABLES) <= {row[0] for row in tables}:
            return 0
        moved = 0
        conn.execute("BEGIN IMMEDIATE")
        try:
            for table in SQLITE_CHECKPOINT_TABLES:
                columns = ", ".join(_shared_columns(conn, table))
                added = conn.execute(
                    f"INSERT OR IGNORE INTO main.{table} ({columns}) SELECT {columns} FROM legacy.{table}"
                ).rowcount
                moved = added if table == "checkpoints" else moved
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        return moved
    finally:
        conn.execute("DETACH DATABASE legacy")


def _shared_columns(conn: sqlite3.Connection, table: str) -> list[str]:
    """The columns `table` has in both files, in the store's order (a legacy file made by an older
    LangGraph may lack a column that a later migration of its added, e.g. `task_path`)."""
    main = [row[1] for row in conn.execute(f"PRAGMA main.table_info({table})")]
    legacy = {row[1] for row in conn.execute(f"PRAGMA legacy.table_info({table})")}
    return [column for column in main if column in legacy]


def _open_postgres(conninfo: str) -> OpenedCheckpointer:
    """A PostgresSaver over a small connection pool (reconnects after a database restart) in the
    store's own database and schema (`options=-csearch_path=...` in the URL is honoured by libpq)."""
    from langgraph.checkpoint.postgres import PostgresSaver
    from psycopg.rows import dict_row
    from psycopg_pool import ConnectionPool

    pool: ConnectionPool[Any] = ConnectionPool(
        conninfo,
        min_size=1,
        max_size=POSTGRES_POOL_SIZE,
        kwargs={"autocommit": True, "prepare_threshold": 0, "row_factory": dict_row},
        check=ConnectionPool.check_connection,
        open=True,
    )
    try:
        saver = PostgresSaver(pool)
        _set_up_alone(pool, saver)
    except Exception:
        pool.close()
        raise
    return OpenedCheckpointer(saver, pool.close, "postgresql")


def _set_up_alone(pool: Any, saver: Any) -> None:
    """`saver.setup()` while holding a session advisory lock.

    LangGraph's migrations are not safe to run twice at once: two processes starting together on a
    fresh database both insert migration 0 and one dies on `checkpoint_migrations_pkey`. The lock is
    taken with `pg_try_advisory_lock` between short sleeps, never a blocking `pg_advisory_lock`: one
    of the migrations is `CREATE INDEX CONCURRENTLY`, which waits for every statement running in
    another session, so a waiter blocked inside a statement would wait for it forever (a deadlock
    PostgreSQL does not detect).
    """
    with pool.connection() as holder:
        while not holder.execute(
            "SELECT pg_try_advisory_lock(%s) AS got", (_CHECKPOINT_SETUP_LOCK_ID,)
        ).fetchone()["got"]:
            time.sleep(_SETUP_LOCK_POLL_S)
        try:
            saver.setup()
        finally:
            holder.execute("SELECT pg_advisory_unlock(%s)", (_CHECKPOINT_SETUP_LOCK_ID,))


class FencedCheckpointer(WrappedSaver):
    """A checkpointer that writes a run's checkpoint only while the executor still holds the run.

    The lease is checked (`RunStore.check_run_lease`) right before each `put` and `put_writes` of an
    invocation whose config carries `LEASE_KEY`; a lost lease raises LeaseLost and nothing is written.
    The check and the write are two transactions on two connections (LangGraph writes on its own),
    so a takeover that lands between them still lets that one write through: the window is one
    checkpoint write, against the whole pause without the check. Reads and writes of invocations
    without a lease go straight to the wrapped saver.
    """

    def __init__(self, saver: BaseCheckpointSaver[Any], leases: RunStore) -> None:
        super().__init__(saver)
        self._leases = leases

    def put(
        self,
        config: RunnableConfig,
        checkpoint: Checkpoint,
        metadata: CheckpointMetadata,
        new_versions: ChannelVersions,
    ) -> RunnableConfig:
        self._check(config)
        return self._saver.put(config, checkpoint, metadata, new_versions)

    def put_writes(
        self,
        config: RunnableConfig,
        writes: Sequence[tuple[str, Any]],
        task_id: str,
        task_path: str = "",
    ) -> None:
        self._check(config)
        self._saver.put_writes(config, writes, task_id, task_path)

    def with_allowlist(self, extra_allowlist: Collection[tuple[str, ...]]) -> BaseCheckpointSaver[Any]:
        allowed = self._saver.with_allowlist(extra_allowlist)
        return self if allowed is self._saver else FencedCheckpointer(allowed, self._leases)

    def _check(self, config: RunnableConfig) -> None:
        configurable = config.get("configurable", {})
        proof = configurable.get(PROOF_KEY)
        if isinstance(proof, LeaseProof) and proof.fresh:
            return
        lease = configurable.get(LEASE_KEY)
        if isinstance(lease, RunLease):
            self._leases.check_run_lease(lease)

"""The LangGraph checkpointer, beside the store: PostgreSQL when the store is PostgreSQL (so any
server process on any host can resume any run), else SQLite (WAL) in MWO's home.

A checkpoint is how a run continues after an approval, a failure or a crash of the process that was
running it; the other process must see it, which only a checkpointer in the shared database gives.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.base import (
    BaseCheckpointSaver,
    ChannelVersions,
    Checkpoint,
    CheckpointMetadata,
    CheckpointTuple,
)
from sqlalchemy.engine import make_url

from mwo.settings import Settings
from mwo.store.abc import RunStore
from mwo.store.records import RunLease

POSTGRES_POOL_SIZE = 4
LEASE_KEY = "__mwo_lease"
"""The `configurable` key of a graph invocation that carries the executor's RunLease (a `__` key:
LangGraph keeps it out of the checkpoint's metadata)."""
PROOF_KEY = "__mwo_lease_proof"
"""The `configurable` key of the invocation's LeaseProof."""


@dataclass
class LeaseProof:
    """Whether the lease was just proven by a fenced store write of the step being checkpointed.

    The step runner clears it when a step starts and sets it once the step's row was written under
    the lease (that write checks the lease in its own transaction). The checkpoint writes that follow
    for that step then need no check of their own: checking again cost two transactions a step (a
    sixth of a light run), for a window no smaller than the one left anyway (check, then write)."""

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


def open_checkpointer(settings: Settings) -> OpenedCheckpointer:
    """The checkpointer for this store, its tables created or migrated."""
    url = make_url(settings.resolved_database_url())
    if url.get_backend_name() == "postgresql":
        return _open_postgres(url.set(drivername="postgresql").render_as_string(hide_password=False))
    return _open_sqlite(settings)


def _open_sqlite(settings: Settings) -> OpenedCheckpointer:
    """A SqliteSaver on `<home>/checkpoints.db` (or settings.checkpoint_path).

    A file of its own rather than the main database: LangGraph writes checkpoints on its own
    connection, and two writers in one SQLite file would queue behind each other on every step.
    """
    from langgraph.checkpoint.sqlite import SqliteSaver

    path = settings.resolved_checkpoint_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(str(path), check_same_thread=False, timeout=settings.sqlite_busy_timeout_ms / 1000)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    saver = SqliteSaver(conn)
    saver.setup()
    return OpenedCheckpointer(saver, conn.close, "sqlite")


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


class FencedCheckpointer(BaseCheckpointSaver[Any]):
    """A checkpointer that writes a run's checkpoint only while the executor still holds the run.

    The lease is checked (`RunStore.check_run_lease`) right before each `put` and `put_writes` of an
    invocation whose config carries `LEASE_KEY`; a lost lease raises LeaseLost and nothing is written.
    The check and the write are two transactions on two connections (LangGraph writes on its own),
    so a takeover that lands between them still lets that one write through: the window is one
    checkpoint write, against the whole pause without the check. Reads and writes of invocations
    without a lease go straight to the wrapped saver.
    """

    def __init__(self, saver: BaseCheckpointSaver[Any], leases: RunStore) -> None:
        super().__init__(serde=saver.serde)
        self._saver = saver
        self._leases = leases

    @property
    def config_specs(self) -> list[Any]:
        return self._saver.config_specs

    def get_tuple(self, config: RunnableConfig) -> CheckpointTuple | None:
        return self._saver.get_tuple(config)

    def list(
        self,
        config: RunnableConfig | None,
        *,
        filter: dict[str, Any] | None = None,
        before: RunnableConfig | None = None,
        limit: int | None = None,
    ) -> Iterator[CheckpointTuple]:
        return self._saver.list(config, filter=filter, before=before, limit=limit)

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

    def delete_thread(self, thread_id: str) -> None:
        self._saver.delete_thread(thread_id)

    def get_delta_channel_history(
        self, *, config: RunnableConfig, channels: Sequence[str]
    ) -> Mapping[str, Any]:
        return self._saver.get_delta_channel_history(config=config, channels=channels)

    def get_next_version(self, current: Any, channel: None) -> Any:
        return self._saver.get_next_version(current, channel)

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

"""The checkpointer on the store's own connection: a step's row and the checkpoint after it commit in
one transaction, fenced by the run's lease in that transaction.

A light step used to cost three transactions: its row in the store, then LangGraph's pending writes
and its checkpoint in a checkpoint database of their own; the step row alone was a third of the
engine's own overhead on a 40-step chain. Here LangGraph's tables live in the store's database and
a step costs one transaction: the step runner leaves a succeeded attempt's row in the invocation's
`FinishedSteps`, LangGraph's plain writes of the step's task wait there too, and the checkpoint
write that follows (`put`) takes them all into the store's write transaction (`CheckpointStore.
checkpoint_transaction`, which inserts the rows under the run's lease), where LangGraph's own saver
then writes on the same connection. Either all of it is there after a crash or none is, and the
step simply runs again. Errors, interrupts and resumes are written at once, with whatever waits.

Reads go to the saver LangGraph ships for the backend, on its own connection(s); writes use the same
saver class bound to the transaction's driver connection (its statements, its serializer), so the
table layout stays LangGraph's."""

from __future__ import annotations

import threading
from collections.abc import Callable, Collection, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.base import (
    WRITES_IDX_MAP,
    BaseCheckpointSaver,
    ChannelVersions,
    Checkpoint,
    CheckpointMetadata,
)
from langgraph.checkpoint.serde.base import SerializerProtocol
from langgraph.checkpoint.sqlite import SqliteSaver

from mwo.engine.wrapped_saver import WrappedSaver
from mwo.store.abc import CheckpointStore
from mwo.store.records import FinishedAttempt, RunLease

LEASE_KEY = "__mwo_lease"
"""The `configurable` key of a graph invocation that carries the executor's RunLease (a `__` key:
LangGraph keeps it out of the checkpoint's metadata)."""
STEPS_KEY = "__mwo_finished_steps"
"""The `configurable` key of the invocation's FinishedSteps."""

JoiningSaver = Callable[[Any, SerializerProtocol], BaseCheckpointSaver[Any]]
"""Builds the backend's saver on a driver connection inside an open transaction (no commit of its own)."""


@dataclass(frozen=True)
class _TaskWrites:
    """LangGraph's `put_writes` arguments, kept for the next checkpoint write."""

    config: RunnableConfig
    writes: list[tuple[str, Any]]
    task_id: str
    task_path: str


class FinishedSteps:
    """What the finished steps of one invocation still have to write: their rows (the step
    runner's) and their tasks' plain writes (LangGraph's). The next checkpoint write takes all of it
    into its transaction.

    A task's plain writes (its output, not an error, interrupt or resume) are kept rather than
    written in a transaction of their own: LangGraph saves them to resume a superstep whose other
    tasks have not finished, and the checkpoint that follows holds them anyway. If the process dies
    first, the step runs again, as it would have without its row. The step runner adds on the
    graph's thread; LangGraph writes checkpoints from its own threads, hence the lock."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._attempts: list[FinishedAttempt] = []
        self._writes: list[_TaskWrites] = []

    def add(self, attempt: FinishedAttempt) -> None:
        with self._lock:
            self._attempts.append(attempt)

    def keep_writes(self, task: _TaskWrites) -> None:
        with self._lock:
            self._writes.append(task)

    def take(self) -> tuple[list[FinishedAttempt], list[_TaskWrites]]:
        """Everything added since the last take, oldest first; it is the caller's to write."""
        with self._lock:
            taken = self._attempts, self._writes
            self._attempts, self._writes = [], []
        return taken


class StoreCheckpointer(WrappedSaver):
    """LangGraph's saver for the store's backend, writing in the store's transactions (see module)."""

    def __init__(
        self, reader: BaseCheckpointSaver[Any], store: CheckpointStore, joining: JoiningSaver
    ) -> None:
        super().__init__(reader)
        self._store = store
        self._joining = joining

    @property
    def reader(self) -> BaseCheckpointSaver[Any]:
        """LangGraph's saver this one reads with (on a connection of its own)."""
        return self._saver

    def put(
        self,
        config: RunnableConfig,
        checkpoint: Checkpoint,
        metadata: CheckpointMetadata,
        new_versions: ChannelVersions,
    ) -> RunnableConfig:
        with self._transaction(config) as saver:
            return saver.put(config, checkpoint, metadata, new_versions)

    def put_writes(
        self,
        config: RunnableConfig,
        writes: Sequence[tuple[str, Any]],
        task_id: str,
        task_path: str = "",
    ) -> None:
        steps = config.get("configurable", {}).get(STEPS_KEY)
        if isinstance(steps, FinishedSteps) and not any(channel in WRITES_IDX_MAP for channel, _ in writes):
            steps.keep_writes(_TaskWrites(config, list(writes), task_id, task_path))
            return
        with self._transaction(config) as saver:
            saver.put_writes(config, writes, task_id, task_path)

    def write_finished(self, lease: RunLease | None, steps: FinishedSteps) -> None:
        """Write what `steps` still holds: the invocation ended without a checkpoint write after it."""
        attempts, writes = steps.take()
        if attempts or writes:
            with self._store.checkpoint_transaction(lease, attempts) as connection:
                self._write_kept(self._joining(connection, self._saver.serde), writes)

    def with_allowlist(self, extra_allowlist: Collection[tuple[str, ...]]) -> BaseCheckpointSaver[Any]:
        allowed = self._saver.with_allowlist(extra_allowlist)
        return self if allowed is self._saver else StoreCheckpointer(allowed, self._store, self._joining)

    @contextmanager
    def _transaction(self, config: RunnableConfig) -> Iterator[BaseCheckpointSaver[Any]]:
        """The store's transaction for a checkpoint write of `config`'s invocation: its kept rows and
        writes first, fenced by its lease; yields the saver to write the rest with."""
        configurable = config.get("configurable", {})
        lease = configurable.get(LEASE_KEY)
        steps = configurable.get(STEPS_KEY)
        attempts, writes = steps.take() if isinstance(steps, FinishedSteps) else ([], [])
        with self._store.checkpoint_transaction(
            lease if isinstance(lease, RunLease) else None, attempts
        ) as connection:
            saver = self._joining(connection, self._saver.serde)
            self._write_kept(saver, writes)
            yield saver

    @staticmethod
    def _write_kept(saver: BaseCheckpointSaver[Any], kept: Sequence[_TaskWrites]) -> None:
        for task in kept:
            saver.put_writes(task.config, task.writes, task.task_id, task.task_path)


class _JoiningSqliteSaver(SqliteSaver):
    """SqliteSaver with no lock (the connection is this thread's for the transaction), no set-up
    (done when the checkpointer opened) and no commit: the store commits the whole transaction."""

    @contextmanager
    def cursor(self, transaction: bool = True) -> Iterator[Any]:
        cur = self.conn.cursor()
        try:
            yield cur
        finally:
            cur.close()


def joining_sqlite_saver(connection: Any, serde: SerializerProtocol) -> BaseCheckpointSaver[Any]:
    """LangGraph's SqliteSaver on a sqlite3 connection whose transaction the store opened."""
    saver = _JoiningSqliteSaver(connection, serde=serde)
    saver.is_setup = True
    return saver


def joining_postgres_saver(connection: Any, serde: SerializerProtocol) -> BaseCheckpointSaver[Any]:
    """LangGraph's PostgresSaver on a psycopg connection whose transaction the store opened (its
    pipeline runs inside that transaction; the store commits)."""
    from langgraph.checkpoint.postgres import PostgresSaver

    return PostgresSaver(connection, serde=serde)

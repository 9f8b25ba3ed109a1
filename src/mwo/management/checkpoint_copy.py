"""Copying LangGraph checkpoints from the embedded SQLite store's file into PostgreSQL.

`mwo migrate-store` needs them: a run waiting for an approval (or a repair, or a lease to expire)
continues from its checkpoint, and on PostgreSQL the checkpoints live in the store's database (see
`mwo.engine.checkpoints`). The two savers lay their tables out differently (PostgreSQL keeps channel
values in a blob table), so checkpoints go through the savers' own `list` and `put`, which know both
layouts. Pending writes are already stored alike (a serializer type and its bytes) and are copied
row by row, byte for byte, with their task path and index.
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mwo.engine.checkpoints import SQLITE_CHECKPOINT_TABLES

CHECKPOINT_TABLES = ("checkpoints", "checkpoint_blobs", "checkpoint_writes")
"""PostgresSaver's tables in the target (besides its own `checkpoint_migrations` bookkeeping)."""

_INSERT_WRITE = (
    "INSERT INTO checkpoint_writes (thread_id, checkpoint_ns, checkpoint_id, task_id, task_path, idx, "
    "channel, type, blob) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)"
)
_SELECT_WRITES = (
    "SELECT thread_id, checkpoint_ns, checkpoint_id, task_id, {task_path}, idx, channel, type, value "
    "FROM writes ORDER BY thread_id, checkpoint_ns, checkpoint_id, task_id, idx"
)


@dataclass(frozen=True)
class CheckpointCounts:
    """How many checkpoints and pending writes a checkpointer holds."""

    checkpoints: int
    writes: int


def count_sqlite_checkpoints(path: Path) -> CheckpointCounts:
    """The counts of the SQLite checkpoint file (zero when it does not exist or was never set up)."""
    if not path.is_file():
        return CheckpointCounts(0, 0)
    with closing(sqlite3.connect(str(path))) as db:
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if not set(SQLITE_CHECKPOINT_TABLES) <= tables:
            return CheckpointCounts(0, 0)
        checkpoints = db.execute("SELECT count(*) FROM checkpoints").fetchone()[0]
        writes = db.execute("SELECT count(*) FROM writes").fetchone()[0]
    return CheckpointCounts(int(checkpoints), int(writes))


def count_postgres_checkpoints(cursor: Any) -> CheckpointCounts:
    """The counts in the target, through a psycopg cursor of the copying transaction."""
    cursor.execute("SELECT count(*) FROM checkpoints")
    checkpoints = cursor.fetchone()[0]
    cursor.execute("SELECT count(*) FROM checkpoint_writes")
    writes = cursor.fetchone()[0]
    return CheckpointCounts(int(checkpoints), int(writes))


def copy_checkpoints(path: Path, target_connection: Any, batch_size: int) -> CheckpointCounts:
    """Copy every checkpoint and pending write of the SQLite file at `path` through the psycopg
    `target_connection`, inside the transaction the caller has open (nothing is committed here)."""
    from langgraph.checkpoint.postgres import PostgresSaver
    from langgraph.checkpoint.sqlite import SqliteSaver

    if count_sqlite_checkpoints(path) == CheckpointCounts(0, 0):
        return CheckpointCounts(0, 0)
    checkpoints = 0
    with closing(sqlite3.connect(str(path), check_same_thread=False)) as source:
        reader = SqliteSaver(source)
        writer = PostgresSaver(target_connection)
        for saved in reader.list(None):
            configurable = saved.config["configurable"]
            parent = {
                "thread_id": configurable["thread_id"],
                "checkpoint_ns": configurable.get("checkpoint_ns", ""),
            }
            if saved.parent_config is not None:
                parent["checkpoint_id"] = saved.parent_config["configurable"]["checkpoint_id"]
            # Every channel version of the checkpoint as "new": the target has none of their blobs yet.
            writer.put(
                {"configurable": parent},
                saved.checkpoint,
                saved.metadata,
                dict(saved.checkpoint["channel_versions"]),
            )
            checkpoints += 1
        writes = 0
        columns = {row[1] for row in source.execute("PRAGMA table_info(writes)")}
        # Files written by LangGraph before task paths existed have no such column: '' is its default.
        task_path = "task_path" if "task_path" in columns else "''"
        rows = source.execute(_SELECT_WRITES.format(task_path=task_path))
        with target_connection.cursor() as cursor:
            while batch := rows.fetchmany(batch_size):
                cursor.executemany(_INSERT_WRITE, [(*row[:8], _blob(row[8])) for row in batch])
                writes += len(batch)
    return CheckpointCounts(checkpoints, writes)


def _blob(value: Any) -> bytes | None:
    return None if value is None else bytes(value)

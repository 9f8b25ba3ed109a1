"""The LangGraph checkpointer: SQLite (WAL) in MWO's home, beside the main database."""

from __future__ import annotations

import sqlite3

from langgraph.checkpoint.sqlite import SqliteSaver

from mwo.settings import Settings


def open_checkpointer(settings: Settings) -> SqliteSaver:
    """A SqliteSaver on `<home>/checkpoints.db` (or settings.checkpoint_path), tables created.

    A file of its own rather than the main database: LangGraph writes checkpoints on its own
    connection, and two writers in one SQLite file would queue behind each other on every step.
    """
    path = settings.resolved_checkpoint_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(str(path), check_same_thread=False, timeout=settings.sqlite_busy_timeout_ms / 1000)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    saver = SqliteSaver(conn)
    saver.setup()
    return saver

"""`Services.close` releases exactly what the container opened: the engine's checkpointer when the
engine was used, nothing it never opened, the store always; a second close does nothing."""

from __future__ import annotations

import sqlite3
import threading
from datetime import datetime, timezone
from typing import Any

import pytest

from mwo.services import Services
from mwo.settings import Settings
from mwo.store import open_store
from mwo.store.records import RunLease


def recorded_store(settings: Settings, closed: list[str]) -> Any:
    store = open_store(settings)
    close = store.close

    def recording() -> None:
        closed.append("store")
        close()

    store.close = recording  # type: ignore[method-assign]
    return store


def test_the_engine_it_opened_is_closed_with_the_store(settings: Settings) -> None:
    closed: list[str] = []
    services = Services(settings, recorded_store(settings, closed))
    assert services.runs is not None  # opens the executors and the checkpointer
    reader: Any = services.checkpointer.reader  # type: ignore[attr-defined]  # the saver it reads with
    services.close()
    assert closed == ["store"]
    with pytest.raises(sqlite3.ProgrammingError):  # the checkpoint reader's connection is gone
        reader.conn.execute("SELECT 1")
    services.close()
    assert closed == ["store"]  # nothing is closed twice


def test_what_was_never_opened_is_not_opened_to_be_closed(settings: Settings) -> None:
    closed: list[str] = []
    services = Services(settings, recorded_store(settings, closed))
    services.store.list_workflows()
    services.close()
    assert closed == ["store"]
    with sqlite3.connect(settings.resolved_checkpoint_path()) as db:  # the store's file
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert "checkpoints" not in tables  # no checkpointer was opened (it sets up its tables)


def test_the_run_services_lease_heartbeat_ends_with_it(settings: Settings) -> None:
    services = Services(settings, open_store(settings))
    before = set(threading.enumerate())
    services.runs.heartbeat.keep(RunLease("a-run", "here", 1), datetime.now(timezone.utc))
    [heartbeat] = [t for t in set(threading.enumerate()) - before if t.name == "mwo-lease-heartbeat"]

    services.close()

    assert not heartbeat.is_alive()

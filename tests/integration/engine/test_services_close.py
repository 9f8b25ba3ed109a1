"""`Services.close` releases exactly what the container opened: the engine's checkpointer when the
engine was used, nothing it never opened, the store always; a second close does nothing."""

from __future__ import annotations

import sqlite3
from typing import Any

import pytest

from mwo.services import Services
from mwo.settings import Settings
from mwo.store import open_store


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
    saver: Any = services.checkpointer
    services.close()
    assert closed == ["store"]
    with pytest.raises(sqlite3.ProgrammingError):  # the checkpoint database's connection is gone
        saver.conn.execute("SELECT 1")
    services.close()
    assert closed == ["store"]  # nothing is closed twice


def test_what_was_never_opened_is_not_opened_to_be_closed(settings: Settings) -> None:
    closed: list[str] = []
    services = Services(settings, recorded_store(settings, closed))
    services.store.list_workflows()
    services.close()
    assert closed == ["store"]
    assert not settings.resolved_checkpoint_path().exists()  # no checkpointer was opened

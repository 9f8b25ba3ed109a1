"""What the store contract's files share: the start time, a clock of seconds after it, the backend
handle, and the workflow and run every test starts from."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from sqlalchemy import Engine, create_engine

from mwo.settings import Settings
from mwo.spec import Workflow, workflow_from_data
from mwo.store import Store
from mwo.store.records import RunLease

POSTGRES_URL = os.environ.get("MWO_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
T0 = datetime(2026, 3, 1, 12, 0, tzinfo=timezone.utc)
LEASE_S = 60.0


def at(seconds: float) -> datetime:
    """A moment `seconds` after T0."""
    return T0 + timedelta(seconds=seconds)


@dataclass
class Backend:
    store: Store
    settings: Settings
    open_another: Callable[[], Store]
    """Another store on the same backend (the same database, or the same memory state), as a second
    process would open it; the caller closes it."""

    def raw_engine(self) -> Engine:
        """A separate engine on the same database, to look at what is really stored."""
        return create_engine(self.settings.resolved_database_url())


def lease_taken(store: Store, run_id: str, owner: str, start: float, seconds: float = 30) -> RunLease:
    """`owner` takes the run's lease at `start` s after T0, for `seconds`."""
    lease = store.acquire_run_lease(run_id, owner, at(start + seconds), at(start))
    assert lease is not None, f"{owner} could not take run {run_id}"
    return lease


def make_workflow(name: str = "daily-news", description: str = "", step_id: str = "noop") -> Workflow:
    return workflow_from_data(
        {"name": name, "description": description, "steps": [{"id": step_id, "type": "APPROVAL"}]}
    )


def new_run(store: Store, name: str = "daily-news", now: datetime = T0, **inputs: Any) -> str:
    version, _ = store.save_version(make_workflow(name), f"name: {name}\n")
    return store.create_run(version.id, inputs, "manual", now).id

"""Scheduler fixtures: real Services on a fresh SQLite home; runs are created for real, and executed
only when a test asks (so a run can be held 'still going' for the overlap policies)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import pytest

from mwo.services import Services
from mwo.settings import Settings
from mwo.spec import dump_workflow, workflow_from_data
from mwo.store.records import RunFilter, RunRecord
from mwo.triggers.launcher import EngineLauncher
from mwo.triggers.registration import sync_schedule
from mwo.triggers.scheduler import Scheduler, SchedulerConfig


def cron_workflow(
    name: str = "hourly", cron: str = "0 * * * *", tz: str = "UTC", **policies: Any
) -> dict[str, Any]:
    """A one-step workflow (an offline DATA_TRANSFORM) with a cron trigger."""
    return {
        "name": name,
        "trigger": {"type": "cron", "cron": cron, "timezone": tz, **policies},
        "inputs": {"records": {"type": "array", "default": [{"v": 2}, {"v": 1}]}},
        "steps": [
            {
                "id": "sort",
                "type": "DATA_TRANSFORM",
                "source": "inputs.records",
                "ops": [{"op": "sort", "by": "v"}],
            }
        ],
    }


@dataclass
class Deferred:
    """An executor `submit` that keeps the work until `run_all` (runs stay queued meanwhile)."""

    work: list[Callable[[], Any]] = field(default_factory=list)

    def __call__(self, work: Callable[[], Any]) -> None:
        self.work.append(work)

    def run_all(self) -> None:
        while self.work:
            self.work.pop(0)()


@dataclass
class SchedulerEnv:
    services: Services
    deferred: Deferred

    def apply(self, data: dict[str, Any], now: datetime) -> None:
        """Save a version and register its schedule as of `now` (services.applier.apply_workflow uses the
        wall clock; its own test checks that hook)."""
        workflow = workflow_from_data(data)
        self.services.store.save_version(workflow, dump_workflow(workflow))
        sync_schedule(self.services.store, workflow, now)

    def scheduler(self, owner: str = "s1", services: Services | None = None, **config: Any) -> Scheduler:
        s = services or self.services
        launcher = EngineLauncher(s.runs, s.store, submit=self.deferred)
        return Scheduler(s.store, launcher, owner, SchedulerConfig(**config))

    def runs(self, name: str | None = None) -> list[RunRecord]:
        return self.services.store.list_runs(RunFilter(workflow_name=name, limit=10_000))

    def fire_times(self, name: str) -> list[datetime]:
        return sorted(f.fire_time for f in self.services.store.list_fires(name, limit=10_000))


@pytest.fixture
def sched(settings: Settings) -> Iterator[SchedulerEnv]:
    services = Services.open(settings)
    yield SchedulerEnv(services, Deferred())
    services.close()

"""The state of each saved workflow at a glance: enabled, secrets it still needs, next scheduled run,
last result. What a workflow library (n8n's, Windmill's) lists beside each name; the UI's Workflows
page shows it, and any front end can."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from mwo.engine.preflight import missing_secrets
from mwo.spec import Workflow
from mwo.store.abc import RunStore, ScheduleStore, SecretStore, WorkflowStore
from mwo.store.records import RunFilter, RunRecord, VersionRecord, WorkflowRecord


class OverviewStore(WorkflowStore, RunStore, SecretStore, ScheduleStore, Protocol):
    """What the overview reads: workflows and their latest versions, each one's last run, the secret
    names set, and the schedules."""


class Workflows(Protocol):
    """What the overview reads: the store, and parsed specs (the services container has both; this
    package does not import it)."""

    @property
    def store(self) -> OverviewStore: ...

    def workflow_of(self, version: VersionRecord) -> Workflow: ...


@dataclass(frozen=True)
class WorkflowStatus:
    workflow: WorkflowRecord
    trigger: str
    """The latest version's trigger type: manual, cron, event, webhook or file."""
    missing_secrets: tuple[str, ...]
    """Secrets the latest version refers to that are not set: it fails until they are."""
    next_fire_at: datetime | None
    """The next scheduled fire (None: no schedule, paused, or disabled)."""
    last_run: RunRecord | None


def workflow_statuses(
    services: Workflows, folder: str | None = None, tag: str | None = None, search: str | None = None
) -> list[WorkflowStatus]:
    """Every workflow the filters keep (as `list_workflows`), with its status."""
    store = services.store
    known = set(store.list_secret_names())
    schedules = {s.workflow_name: s for s in store.list_schedules()}
    rows = []
    for record in store.list_workflows(folder=folder, tag=tag, search=search):
        workflow = services.workflow_of(store.get_version(record.name))
        schedule = schedules.get(record.name)
        fires = schedule is not None and schedule.enabled and not schedule.paused
        last = store.list_runs(RunFilter(workflow_name=record.name, limit=1))
        rows.append(
            WorkflowStatus(
                workflow=record,
                trigger=workflow.trigger.type,
                missing_secrets=tuple(missing_secrets(workflow, known)),
                next_fire_at=schedule.next_fire_at if fires and schedule is not None else None,
                last_run=last[0] if last else None,
            )
        )
    return rows

"""Saving an authored workflow as a version: everything `mwo apply` checks except that its secrets
exist, since a workflow that needs keys not set yet is still saved (it lists them as
`missing_secrets`, and a run says which one is missing)."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from mwo.spec import SpecError, Workflow, check_workflow, dump_workflow, secret_uses
from mwo.store.abc import ScheduleStore, WebhookStore, WorkflowStore
from mwo.store.records import VersionRecord
from mwo.triggers.folders import folder_findings
from mwo.triggers.registration import schedule_findings, sync_schedule
from mwo.triggers.webhooks import ensure_webhook_secret


class WorkflowsSchedulesAndWebhooks(WorkflowStore, ScheduleStore, WebhookStore, Protocol):
    """What saving writes: the version, and the schedule or webhook secret its trigger needs."""


def save_workflow(
    store: WorkflowsSchedulesAndWebhooks, workflow: Workflow, message: str, now: datetime
) -> VersionRecord:
    """Store `workflow` as its next version and register its trigger; SpecError when it cannot be."""
    from mwo.engine.preflight import preflight_findings

    findings = (
        check_workflow(workflow, None)
        or preflight_findings(workflow)
        or schedule_findings(workflow, now)
        or folder_findings(workflow)
    )
    if findings:
        raise SpecError(findings)
    version, _created = store.save_version(workflow, dump_workflow(workflow), message)
    sync_schedule(store, workflow, now)
    ensure_webhook_secret(store, workflow, now)
    return version


def referenced_secrets(workflow: Workflow) -> list[str]:
    """Every secret the workflow reads, sorted: `{{ secrets.X }}` references, auth and script secrets."""
    return sorted({use.name for use in secret_uses(workflow)})

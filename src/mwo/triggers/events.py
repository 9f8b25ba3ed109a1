"""Event triggers: a named event (emitted by the CLI, the API, or a run that finished) starts every
enabled workflow whose `trigger: {type: event}` names it and whose `filter` is true for it.

Events a run emits when it finishes: `run.succeeded`, `run.failed`, `run.cancelled`, with data
`{workflow, run_id, status, output, error}`; so "when A succeeds, start B" is
`trigger: {type: event, event: run.succeeded, filter: "event.data.workflow == 'a'"}`.
A workflow is never started by its own run's event (that would loop forever).

What a started run receives: the event's data keys that the workflow declares as inputs, and the
whole event as the input `event` when the workflow declares one (`{name, data}`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from mwo.spec import EventTrigger, TemplateError, Templates, Workflow
from mwo.store.abc import WorkflowStore
from mwo.store.records import RunRecord
from mwo.store.records import VersionRecord as _Version

StartRun = Callable[[str, dict[str, Any], str], RunRecord]
"""(workflow name, inputs, trigger label) -> the finished (or waiting) run."""


@dataclass(frozen=True)
class EventOutcome:
    """What one emitted event did: the runs it started and the workflows whose filter failed."""

    runs: list[RunRecord]
    filter_errors: dict[str, str]


class EventDispatcher:
    """Finds the workflows listening to an event and starts them."""

    def __init__(self, store: WorkflowStore, parse: Callable[[_Version], Workflow], start: StartRun) -> None:
        self._store = store
        self._parse = parse
        self._start = start
        self._templates = Templates()
        self._versions: dict[int, Workflow] = {}

    def emit(self, name: str, data: Mapping[str, Any]) -> EventOutcome:
        event = {"name": name, "data": dict(data)}
        runs: list[RunRecord] = []
        errors: dict[str, str] = {}
        for workflow in self._listeners(name):
            if workflow.name == data.get("workflow") and name.startswith("run."):
                continue  # a workflow's own run never re-triggers it
            try:
                if not self._matches(workflow, event):
                    continue
            except TemplateError as exc:
                errors[workflow.name] = f"{exc} (fix: {exc.fix})"
                continue
            runs.append(self._start(workflow.name, _inputs_for(workflow, event), f"event:{name}"))
        return EventOutcome(runs, errors)

    def on_run_finished(self, run: RunRecord) -> None:
        """The RunService listener: a final run emits run.<status>."""
        if not run.status.is_final:
            return
        self.emit(
            f"run.{run.status.value}",
            {
                "workflow": run.workflow_name,
                "run_id": run.id,
                "status": run.status.value,
                "output": run.output,
                "error": run.error,
            },
        )

    def _listeners(self, name: str) -> list[Workflow]:
        """Enabled workflows whose latest version listens to `name`: one query, then each version
        parsed once per dispatcher (versions never change)."""
        found = []
        for version_id in self._store.list_latest_version_ids(enabled_only=True).values():
            workflow = self._workflow(version_id)
            trigger = workflow.trigger
            if isinstance(trigger, EventTrigger) and trigger.event == name:
                found.append(workflow)
        return found

    def _workflow(self, version_id: int) -> Workflow:
        if version_id not in self._versions:
            self._versions[version_id] = self._parse(self._store.get_version_by_id(version_id))
        return self._versions[version_id]

    def _matches(self, workflow: Workflow, event: dict[str, Any]) -> bool:
        trigger = workflow.trigger
        assert isinstance(trigger, EventTrigger)
        return trigger.filter is None or bool(self._templates.evaluate(trigger.filter, {"event": event}))


def _inputs_for(workflow: Workflow, event: dict[str, Any]) -> dict[str, Any]:
    inputs = {k: v for k, v in event["data"].items() if k in workflow.inputs and k != "event"}
    if "event" in workflow.inputs:
        inputs["event"] = event
    return inputs

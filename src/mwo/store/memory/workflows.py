"""Workflows, their immutable versions, folders and tags, in memory."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import cast

from mwo.spec import Workflow
from mwo.store.abc import RunStore, WorkflowStore
from mwo.store.errors import InvalidInput, NotFound
from mwo.store.memory.state import MemoryBase, WorkflowEntry
from mwo.store.records import FolderRecord, RunLease, VersionRecord, WorkflowRecord
from mwo.store.rules_workflows import LIST_WORKFLOWS_FIX, normalise_folder, normalise_tag


class MemoryWorkflowStore(MemoryBase, WorkflowStore):
    """Workflows and versions; deleting a workflow deletes what the SQL schema cascades to."""

    def save_version(
        self, workflow: Workflow, spec_yaml: str, message: str = "", *, lease: RunLease | None = None
    ) -> tuple[VersionRecord, bool]:
        now = self._clock()
        content_hash = workflow.content_hash()
        with self._state.lock:
            if lease is not None:
                cast(RunStore, self).check_run_lease(lease)
            entry = self._state.workflows.get(workflow.name)
            if entry is None:
                entry = WorkflowEntry(
                    self._state.next_id("workflow"), workflow.name, workflow.description, True, now, now
                )
                self._state.workflows[workflow.name] = entry
            versions = self._versions_of(entry)
            if versions and versions[-1].content_hash == content_hash:
                return versions[-1], False
            version = VersionRecord(
                id=self._state.next_id("version"),
                workflow_id=entry.id,
                workflow_name=entry.name,
                number=len(versions) + 1,
                spec_yaml=spec_yaml,
                content_hash=content_hash,
                message=message,
                created_at=now,
            )
            self._state.versions[version.id] = version
            entry.description = workflow.description
            entry.updated_at = now
            return version, True

    def get_workflow(self, name: str) -> WorkflowRecord:
        with self._state.lock:
            return self._record(self._entry(name))

    def list_workflows(
        self, folder: str | None = None, tag: str | None = None, search: str | None = None
    ) -> list[WorkflowRecord]:
        """Workflows sorted by name; `folder` matches that exact folder (not its sub-folders)."""
        wanted_folder = None if folder is None else normalise_folder(folder)
        wanted_tag = None if tag is None else tag.strip()
        needle = (search or "").lower()
        with self._state.lock:
            return [
                self._record(entry)
                for entry in sorted(self._state.workflows.values(), key=lambda e: e.name)
                if (wanted_folder is None or entry.folder == wanted_folder)
                and (wanted_tag is None or wanted_tag in entry.tags)
                and (needle in entry.name.lower() or needle in entry.description.lower())
            ]

    def get_version(self, name: str, number: int | None = None) -> VersionRecord:
        with self._state.lock:
            versions = self._versions_of(self._entry(name))
            if number is None and versions:
                return versions[-1]
            if number is not None and 1 <= number <= len(versions):
                return versions[number - 1]
            raise NotFound(
                f"workflow {name!r} has no version {number}",
                fix=f"choose a version from 1 to {len(versions)}" if versions else "save a version first",
            )

    def get_version_by_id(self, version_id: int) -> VersionRecord:
        with self._state.lock:
            version = self._state.versions.get(version_id)
        if version is None:
            raise NotFound(
                f"no workflow version with id {version_id}",
                fix="the version may have been deleted with its workflow; " + LIST_WORKFLOWS_FIX,
            )
        return version

    def list_versions(self, name: str) -> list[VersionRecord]:
        with self._state.lock:
            return self._versions_of(self._entry(name))

    def list_latest_version_ids(self, enabled_only: bool = True) -> dict[str, int]:
        with self._state.lock:
            latest = {
                name: self._versions_of(entry)
                for name, entry in sorted(self._state.workflows.items())
                if entry.enabled or not enabled_only
            }
            return {name: versions[-1].id for name, versions in latest.items() if versions}

    def set_enabled(self, name: str, enabled: bool) -> WorkflowRecord:
        with self._state.lock:
            entry = self._entry(name)
            if entry.enabled != enabled:
                entry.enabled = enabled
                entry.updated_at = self._clock()
            return self._record(entry)

    def delete_workflow(self, name: str) -> None:
        """The workflow, its versions and runs, and the runs' step runs, logs, approvals and repair
        proposals, its schedule and fires; the inbox
        and traces keep their plain references, and a retry of a deleted run forgets it."""
        state = self._state
        with state.lock:
            entry = self._entry(name)
            del state.workflows[name]
            state.versions = {i: v for i, v in state.versions.items() if v.workflow_id != entry.id}
            gone = {run_id for run_id, run in state.runs.items() if run.workflow_id == entry.id}
            state.runs = {
                run_id: run if run.retry_of not in gone else replace(run, retry_of=None)
                for run_id, run in state.runs.items()
                if run_id not in gone
            }
            state.step_runs = {i: s for i, s in state.step_runs.items() if s.run_id not in gone}
            state.logs = [log for log in state.logs if log.run_id not in gone]
            state.approvals = {i: a for i, a in state.approvals.items() if a.run_id not in gone}
            state.repairs = {i: r for i, r in state.repairs.items() if r.run_id not in gone}
            schedule = state.schedules.pop(name, None)
            if schedule is not None:
                state.fires = {i: f for i, f in state.fires.items() if f.schedule_id != schedule.id}

    def move_to_folder(self, name: str, folder: str | None) -> WorkflowRecord:
        path = None if folder is None else normalise_folder(folder)
        with self._state.lock:
            entry = self._entry(name)
            if path is not None:
                parts = path.split("/")
                for depth in range(1, len(parts) + 1):  # every level can be listed
                    prefix = "/".join(parts[:depth])
                    if prefix not in self._state.folders:
                        self._state.folders[prefix] = self._state.next_id("folder")
            entry.folder = path
            entry.updated_at = self._clock()
            return self._record(entry)

    def list_folders(self) -> list[FolderRecord]:
        with self._state.lock:
            return [FolderRecord(id=i, path=path) for path, i in sorted(self._state.folders.items())]

    def tag_workflow(self, name: str, add: Sequence[str] = (), remove: Sequence[str] = ()) -> WorkflowRecord:
        to_add = {normalise_tag(tag) for tag in add}
        to_remove = {normalise_tag(tag) for tag in remove}
        if both := to_add & to_remove:
            raise InvalidInput(
                f"tags both added and removed: {', '.join(sorted(both))}",
                fix="name each tag either to add or to remove",
            )
        with self._state.lock:
            entry = self._entry(name)
            entry.tags = (entry.tags | to_add) - to_remove
            entry.updated_at = self._clock()
            return self._record(entry)

    def _entry(self, name: str) -> WorkflowEntry:
        entry = self._state.workflows.get(name)
        if entry is None:
            raise NotFound(f"no workflow named {name!r}", fix=LIST_WORKFLOWS_FIX)
        return entry

    def _versions_of(self, entry: WorkflowEntry) -> list[VersionRecord]:
        return sorted(
            (v for v in self._state.versions.values() if v.workflow_id == entry.id), key=lambda v: v.number
        )

    def _record(self, entry: WorkflowEntry) -> WorkflowRecord:
        return WorkflowRecord(
            id=entry.id,
            name=entry.name,
            description=entry.description,
            enabled=entry.enabled,
            folder=entry.folder,
            tags=tuple(sorted(entry.tags)),
            latest_version=len(self._versions_of(entry)),
            created_at=entry.created_at,
            updated_at=entry.updated_at,
        )

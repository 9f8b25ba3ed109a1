"""Watched-folder triggers: a file that appears in a folder, once completely written, starts one run.

How a file counts as complete: its size and modification time stay the same for the trigger's
`settle_s` across scans (a copy or upload in progress keeps changing them). Folders are polled
(`scan`, every settings.watch_poll_s under `mwo serve`) rather than watched with inotify: polling
works on network shares too, and the stability check needs repeated looks anyway.

Once per file, across restarts: what each workflow has seen is a small JSON state file,
`<home>/file-triggers/<workflow>.json` (file name -> "size:mtime_ns"), read and written under an
exclusive lock, so two servers on one machine never both start a run for the same file. A file
written again later (other size or mtime) is a new arrival. The state is saved right after the run
row exists: a crash in between starts that file's run once more (at least once, never lost).

The first time a workflow's folder is watched, the files already there are only noted unless the
trigger says `include_existing: true`; files arriving while the server is down count on the next
start. Names starting with "." are ignored (editors and rsync write temporary dot-files).
"""

from __future__ import annotations

import fcntl
import fnmatch
import json
import logging
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from mwo.engine.errors import RunError
from mwo.spec import FileTrigger, Workflow
from mwo.spec.errors import SpecErrorCode, SpecFinding
from mwo.store.abc import WorkflowStore
from mwo.store.errors import StoreError
from mwo.store.records import VersionRecord

log = logging.getLogger(__name__)

StartFileRun = Callable[[str, dict[str, Any], str], str]
"""(workflow name, inputs, trigger label) -> id of the queued run, already handed to an executor."""

FILE_INPUTS = ("path", "name", "size", "modified")


def folder_findings(workflow: Workflow) -> list[SpecFinding]:
    """A file trigger whose folder is missing or not a directory, as a finding (checked when a
    version is applied, so the mistake shows before the server silently watches nothing)."""
    trigger = workflow.trigger
    if not isinstance(trigger, FileTrigger):
        return []
    folder = trigger.folder()
    if folder.is_dir():
        return []
    what = "is not a directory" if folder.exists() else "does not exist"
    return [
        SpecFinding(
            SpecErrorCode.MISSING_FOLDER,
            f"watched folder {str(folder)!r} {what}",
            f"create it (mkdir -p {folder}) or point `trigger.path` at an existing folder",
            field="trigger.path",
        )
    ]


@dataclass(frozen=True)
class FileFacts:
    """What a run learns about the file that started it."""

    path: Path
    name: str
    size: int
    modified: datetime

    def inputs(self) -> dict[str, Any]:
        return {
            "path": str(self.path),
            "name": self.name,
            "size": self.size,
            "modified": self.modified.isoformat().replace("+00:00", "Z"),
        }


def inputs_for(workflow: Workflow, facts: FileFacts) -> dict[str, Any]:
    """The declared inputs among path/name/size/modified, plus `file` (all four) when declared."""
    every = facts.inputs()
    inputs = {k: v for k, v in every.items() if k in workflow.inputs}
    if "file" in workflow.inputs:
        inputs["file"] = every
    return inputs


@dataclass
class _Sighting:
    signature: str
    since: datetime


@dataclass
class ScanReport:
    """What one scan did, and the folders it could not read (for the health endpoint)."""

    started: list[str] = field(default_factory=list)
    waiting: int = 0
    problems: dict[str, str] = field(default_factory=dict)


class FolderWatcher:
    """Scans the folders of every enabled workflow with a file trigger; time is passed in."""

    def __init__(
        self,
        store: WorkflowStore,
        parse: Callable[[VersionRecord], Workflow],
        start: StartFileRun,
        state_dir: Path,
    ) -> None:
        self._store = store
        self._parse = parse
        self._start = start
        self._state_dir = state_dir
        self._sightings: dict[tuple[str, str], _Sighting] = {}
        self._specs: dict[str, tuple[int, Workflow]] = {}

    def scan(self, now: datetime) -> ScanReport:
        report = ScanReport()
        for workflow in self._watching():
            trigger = workflow.trigger
            assert isinstance(trigger, FileTrigger)
            folder = trigger.folder()
            if not folder.is_dir():
                report.problems[workflow.name] = f"watched folder {folder} is missing"
                continue
            try:
                self._scan_one(workflow, trigger, folder, now, report)
            except OSError as exc:
                report.problems[workflow.name] = f"cannot read {folder}: {exc}"
                log.warning("file trigger of %s: cannot read %s: %s", workflow.name, folder, exc)
        return report

    def _watching(self) -> Iterator[Workflow]:
        """Enabled workflows with a file trigger; a spec is read again only when a newer version
        was applied (one query per scan, not one per workflow)."""
        for record in self._store.list_workflows():
            if not record.enabled:
                continue
            known = self._specs.get(record.name)
            if known is None or known[0] != record.latest_version:
                known = (record.latest_version, self._parse(self._store.get_version(record.name)))
                self._specs[record.name] = known
            if isinstance(known[1].trigger, FileTrigger):
                yield known[1]

    def _scan_one(
        self, workflow: Workflow, trigger: FileTrigger, folder: Path, now: datetime, report: ScanReport
    ) -> None:
        present = dict(_listing(folder, trigger))
        settle = timedelta(seconds=trigger.settle_s)
        stable: dict[str, str] = {}
        for rel, (signature, _facts) in present.items():
            key = (workflow.name, rel)
            seen = self._sightings.get(key)
            if seen is None or seen.signature != signature:
                self._sightings[key] = seen = _Sighting(signature, now)
            if now - seen.since >= settle:
                stable[rel] = signature
        for key in [k for k in self._sightings if k[0] == workflow.name and k[1] not in present]:
            del self._sightings[key]  # gone before it settled (moved away, a temporary file)
        with _locked_state(self._state_dir, workflow.name) as state:
            if state.get("folder") != str(folder):  # first watch of this folder: a baseline
                state.clear()
                state.update(folder=str(folder), seen={})
                if not trigger.include_existing:
                    state["seen"] = {rel: sig for rel, (sig, _) in present.items()}
            seen_files: dict[str, str] = state["seen"]
            for rel in [r for r in seen_files if r not in present]:
                del seen_files[rel]  # keeps the state as small as the folder
            for rel in sorted(stable):
                if seen_files.get(rel) == stable[rel]:
                    continue
                facts = present[rel][1]
                try:
                    run_id = self._start(workflow.name, inputs_for(workflow, facts), f"file:{facts.name}")
                except (RunError, StoreError) as exc:  # noted as seen: a broken workflow must not spin
                    report.problems[workflow.name] = f"{facts.name}: {exc}"
                    log.warning("file trigger of %s: %s not started: %s", workflow.name, facts.path, exc)
                else:
                    report.started.append(run_id)
                seen_files[rel] = stable[rel]
        report.waiting += sum(1 for rel in present if rel not in stable)


def _listing(folder: Path, trigger: FileTrigger) -> Iterator[tuple[str, tuple[str, FileFacts]]]:
    """(path relative to the folder, (signature, facts)) of each regular file matching the pattern."""
    walk = folder.rglob("*") if trigger.recursive else folder.iterdir()
    for path in walk:
        rel = path.relative_to(folder)
        if any(part.startswith(".") for part in rel.parts) or not fnmatch.fnmatch(path.name, trigger.pattern):
            continue
        try:
            info = path.stat()
        except FileNotFoundError:
            continue  # removed while we looked
        if not path.is_file():
            continue
        modified = datetime.fromtimestamp(info.st_mtime, timezone.utc)
        facts = FileFacts(path, path.name, info.st_size, modified)
        yield str(rel), (f"{info.st_size}:{info.st_mtime_ns}", facts)


@contextmanager
def _locked_state(state_dir: Path, workflow_name: str) -> Iterator[dict[str, Any]]:
    """The workflow's state, read and (when changed) written back atomically under an exclusive lock."""
    state_dir.mkdir(parents=True, exist_ok=True)
    path = state_dir / f"{workflow_name}.json"
    with open(state_dir / f"{workflow_name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            state: dict[str, Any] = json.loads(path.read_text()) if path.exists() else {}
            before = json.dumps(state, sort_keys=True)
            yield state
            if json.dumps(state, sort_keys=True) != before:
                scratch = path.with_suffix(".tmp")
                scratch.write_text(json.dumps(state, indent=1, sort_keys=True))
                os.replace(scratch, path)
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)

"""Watched-folder triggers on a real store and a real folder, the clock passed in: a completely
written file starts one run with its facts, a file still growing waits, a restart does not start it
again, and a folder that does not exist is refused when the workflow is applied."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from mwo.services import Services
from mwo.settings import Settings
from mwo.spec import SpecError, workflow_from_data
from mwo.store.records import RunFilter, RunRecord
from mwo.triggers.folders import FolderWatcher
from mwo.validation import ValidationFailed

T0 = datetime(2026, 11, 25, 9, 0, tzinfo=timezone.utc)
SETTLE = timedelta(seconds=2)


def file_workflow(folder: Path, name: str = "inbox", **trigger: Any) -> dict[str, Any]:
    return {
        "name": name,
        "trigger": {"type": "file", "path": str(folder), "pattern": "*.csv", "settle_s": 2, **trigger},
        "inputs": {k: {"type": t} for k, t in (("path", "string"), ("name", "string"), ("size", "integer"))}
        | {"modified": {"type": "string"}},
        "steps": [
            {
                "id": "tell",
                "type": "NOTIFICATION",
                "channel": "inbox",
                "subject": "file",
                "body": "{{ inputs.name }}",
            }
        ],
    }


@dataclass
class FolderEnv:
    services: Services
    folder: Path
    state_dir: Path
    started: list[tuple[str, dict[str, Any], str]] = field(default_factory=list)

    def watcher(self) -> FolderWatcher:
        """A fresh watcher, as after a restart (only the state directory carries over)."""
        return FolderWatcher(self.services.store, self.services.workflow_of, self._start, self.state_dir)

    def _start(self, name: str, inputs: dict[str, Any], trigger: str) -> str:
        self.started.append((name, inputs, trigger))
        return self.services.runs.create_run(name, inputs, trigger=trigger).id

    def runs(self) -> list[RunRecord]:
        return self.services.store.list_runs(RunFilter())


@pytest.fixture
def env(settings: Settings, tmp_path: Path) -> Iterator[FolderEnv]:
    folder = tmp_path / "drop"
    folder.mkdir()
    services = Services.open(settings)
    yield FolderEnv(services, folder, tmp_path / "state")
    services.close()


def write(path: Path, text: str, mtime: datetime) -> None:
    path.write_text(text)
    os.utime(path, (mtime.timestamp(), mtime.timestamp()))


def test_a_settled_file_starts_one_run_with_its_facts(env: FolderEnv) -> None:
    env.services.applier.apply_workflow(workflow_from_data(file_workflow(env.folder)))
    watcher = env.watcher()
    assert watcher.scan(T0).started == []  # empty folder: the baseline
    write(env.folder / "a.csv", "x,y\n1,2\n", T0)
    first = watcher.scan(T0 + timedelta(seconds=1))
    assert first.started == [] and first.waiting == 1  # seen once: not settled yet
    report = watcher.scan(T0 + timedelta(seconds=1) + SETTLE)
    assert len(report.started) == 1
    (name, inputs, trigger) = env.started[0]
    assert (name, trigger) == ("inbox", "file:a.csv")
    assert inputs == {
        "path": str(env.folder / "a.csv"),
        "name": "a.csv",
        "size": 8,
        "modified": "2026-11-25T09:00:00Z",
    }
    assert watcher.scan(T0 + timedelta(minutes=1)).started == []  # once
    assert [r.id for r in env.runs()] == report.started


def test_a_file_still_being_written_waits_until_its_size_is_stable(env: FolderEnv) -> None:
    env.services.applier.apply_workflow(workflow_from_data(file_workflow(env.folder)))
    watcher = env.watcher()
    watcher.scan(T0)
    growing = env.folder / "big.csv"
    at = T0
    for chunk in range(5):  # a copy in progress: the file changes at every scan
        write(growing, "row\n" * (chunk + 1), at)
        at += SETTLE
        assert watcher.scan(at).started == []
    assert watcher.scan(at + SETTLE).started != []
    assert env.started[0][1]["size"] == 20  # the complete file, not a partial one


def test_a_restart_does_not_start_a_seen_file_again_but_a_new_one_counts(env: FolderEnv) -> None:
    env.services.applier.apply_workflow(workflow_from_data(file_workflow(env.folder)))
    watcher = env.watcher()
    watcher.scan(T0)
    write(env.folder / "a.csv", "1\n", T0)
    watcher.scan(T0 + SETTLE)
    assert len(watcher.scan(T0 + 2 * SETTLE).started) == 1
    write(env.folder / "b.csv", "2\n", T0 + SETTLE)  # arrives while the server is down
    restarted = env.watcher()
    restarted.scan(T0 + timedelta(hours=1))
    assert [i["name"] for _, i, _ in env.started] == ["a.csv"]
    restarted.scan(T0 + timedelta(hours=1) + SETTLE)
    assert [i["name"] for _, i, _ in env.started] == ["a.csv", "b.csv"]
    assert len(env.runs()) == 2


def test_existing_files_only_count_when_the_trigger_asks(env: FolderEnv) -> None:
    write(env.folder / "old.csv", "1\n", T0)
    env.services.applier.apply_workflow(workflow_from_data(file_workflow(env.folder, name="noting")))
    env.services.applier.apply_workflow(
        workflow_from_data(file_workflow(env.folder, name="taking", include_existing=True))
    )
    watcher = env.watcher()
    watcher.scan(T0)
    watcher.scan(T0 + SETTLE)
    assert [n for n, _, _ in env.started] == ["taking"]


def test_the_pattern_and_hidden_files_are_respected(env: FolderEnv) -> None:
    env.services.applier.apply_workflow(workflow_from_data(file_workflow(env.folder)))
    watcher = env.watcher()
    watcher.scan(T0)
    for name in ("notes.txt", ".partial.csv", "ok.csv"):
        write(env.folder / name, "1\n", T0)
    (env.folder / "dir.csv").mkdir()
    watcher.scan(T0 + SETTLE)
    watcher.scan(T0 + 2 * SETTLE)
    assert [i["name"] for _, i, _ in env.started] == ["ok.csv"]


def test_a_missing_folder_is_refused_with_the_fix(env: FolderEnv, tmp_path: Path) -> None:
    with pytest.raises(ValidationFailed) as refused:
        env.services.applier.apply_workflow(workflow_from_data(file_workflow(tmp_path / "nowhere")))
    finding = refused.value.report.errors[0]
    assert finding.code == "spec.missing_folder" and finding.field == "trigger.path"
    assert "mkdir -p" in finding.hint
    assert env.services.store.list_workflows() == []


def test_a_folder_removed_after_applying_is_reported_not_fatal(env: FolderEnv) -> None:
    env.services.applier.apply_workflow(workflow_from_data(file_workflow(env.folder)))
    env.folder.rmdir()
    report = env.watcher().scan(T0)
    assert "missing" in report.problems["inbox"]


def test_a_relative_path_is_refused_by_the_spec() -> None:
    with pytest.raises(SpecError, match="absolute"):
        workflow_from_data(file_workflow(Path("relative/drop")))


def test_a_new_version_watching_another_folder_is_followed(env: FolderEnv, tmp_path: Path) -> None:
    env.services.applier.apply_workflow(workflow_from_data(file_workflow(env.folder)))
    watcher = env.watcher()
    watcher.scan(T0)
    other = tmp_path / "other"
    other.mkdir()
    write(other / "old.csv", "1\n", T0)  # there before the new folder is watched: only noted
    env.services.applier.apply_workflow(workflow_from_data(file_workflow(other)))
    watcher.scan(T0 + SETTLE)
    write(other / "new.csv", "2\n", T0)
    watcher.scan(T0 + 2 * SETTLE)
    watcher.scan(T0 + 3 * SETTLE)
    assert [i["name"] for _, i, _ in env.started] == ["new.csv"]


def test_a_file_whose_workflow_misses_a_secret_gets_a_failed_run_to_retry(env: FolderEnv) -> None:
    """A watched file is a fire like a schedule's: with a secret missing it still gets its run, failed
    at once with the fix, so the file is not lost; set the secret and `mwo retry` runs it."""
    spec = file_workflow(env.folder)
    spec["steps"][0]["body"] = "{{ inputs.name }} {{ secrets.API_KEY }}"
    env.services.applier.apply_workflow(workflow_from_data(spec))
    watcher = env.watcher()
    watcher.scan(T0)
    write(env.folder / "a.csv", "x\n", T0)
    watcher.scan(T0 + timedelta(seconds=1))
    report = watcher.scan(T0 + timedelta(seconds=1) + SETTLE)

    assert report.problems == {} and len(report.started) == 1
    run = env.services.runs.execute(report.started[0])  # what the dispatcher's worker does with it
    assert run.trigger == "file:a.csv"
    assert (run.status.value, run.error and run.error["type"]) == ("failed", "missing_secrets")
    assert run.error["fix"] == "mwo secrets set API_KEY"

    env.services.store.set_secret("API_KEY", "k-123456", T0)
    again = env.services.runs.retry(run.id)
    assert again.status.value == "succeeded", again.error
    assert [m.body for m in env.services.store.list_messages()] == ["a.csv k-123456"]

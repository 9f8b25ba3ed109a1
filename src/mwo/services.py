"""The services the CLI, API and UI call: one object that opens the store, engine and executors."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mwo.engine.checkpoints import open_checkpointer
from mwo.engine.executor import ExecutorRegistry
from mwo.engine.executors import default_registry
from mwo.engine.preflight import preflight_findings
from mwo.engine.runs import RunService
from mwo.settings import Settings
from mwo.spec import SpecError, Workflow, check_workflow, dump_workflow, load_workflow
from mwo.store import Store, open_store
from mwo.store.records import VersionRecord


@dataclass
class Services:
    """Everything a front end needs, opened once per process."""

    settings: Settings
    store: Store
    registry: ExecutorRegistry
    runs: RunService
    _checkpointer: Any

    @classmethod
    def open(cls, settings: Settings | None = None) -> Services:
        settings = settings or Settings()
        store = open_store(settings)
        registry = default_registry(store, settings)
        checkpointer = open_checkpointer(settings)
        runs = RunService(store, registry, checkpointer, settings)
        return cls(settings, store, registry, runs, checkpointer)

    def close(self) -> None:
        self.store.close()
        self._checkpointer.conn.close()

    def validate_file(self, path: str | Path) -> Workflow:
        """Parse and check a spec file against this store's secrets; SpecError lists every problem."""
        workflow = load_workflow(path, known_secrets=set(self.store.list_secret_names()))
        findings = preflight_findings(workflow)
        if findings:
            raise SpecError(findings, file=str(path))
        return workflow

    def apply_file(self, path: str | Path, message: str = "") -> tuple[VersionRecord, bool]:
        """Validate, then save as the workflow's next version (nothing saved when invalid)."""
        workflow = self.validate_file(path)
        return self.apply_workflow(workflow, message)

    def apply_workflow(self, workflow: Workflow, message: str = "") -> tuple[VersionRecord, bool]:
        findings = check_workflow(workflow, set(self.store.list_secret_names()))
        findings = findings or preflight_findings(workflow)
        if findings:
            raise SpecError(findings)
        return self.store.save_version(workflow, dump_workflow(workflow), message)

"""The services the CLI, API and UI call: one object that opens the store, engine and executors.

The engine (LangGraph, executors, checkpointer) is opened on first use: commands that only read the
store (`mwo list`, `mwo secrets list`) start without importing it.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import ExitStack
from datetime import datetime
from functools import cached_property
from typing import TYPE_CHECKING, Any

from mwo.clock import utc_now
from mwo.management.apply import WorkflowApply
from mwo.settings import Settings
from mwo.spec import Workflow
from mwo.store import Store, open_store
from mwo.store.records import RunRecord, VersionRecord

if TYPE_CHECKING:
    from langgraph.checkpoint.base import BaseCheckpointSaver

    from mwo.authoring import AuthoringService
    from mwo.engine.checkpoints import OpenedCheckpointer
    from mwo.engine.dispatch import RunDispatcher
    from mwo.engine.executor import ExecutorRegistry
    from mwo.engine.repair import RepairWiring
    from mwo.engine.runs import RunService
    from mwo.triggers.events import EventDispatcher


class Services:
    """Everything a front end needs, opened once per process. `clock` is the one wall clock the
    services it opens read (runs, repairs, apply, knowledge); tests pass one they move by hand."""

    def __init__(self, settings: Settings, store: Store, clock: Callable[[], datetime] = utc_now) -> None:
        self.settings = settings
        self.store = store
        self.clock = clock
        self._opened = ExitStack()
        """How to release what this container opened, each registered when it is built; `close` runs
        them last opened, first closed (the store, given first, is closed last)."""
        self._opened.callback(store.close)
        self._parsed: dict[int, Workflow] = {}
        self.dispatcher: RunDispatcher | None = None
        """Who executes runs this process starts without driving them (set by `mwo serve` and by
        Celery workers); None: event-started runs execute in the foreground."""

    @classmethod
    def open(cls, settings: Settings | None = None, clock: Callable[[], datetime] = utc_now) -> Services:
        settings = settings or Settings()
        return cls(settings, open_store(settings), clock)

    @cached_property
    def registry(self) -> ExecutorRegistry:
        from mwo.engine.executors import default_registry

        registry = default_registry(self.store, self.settings)
        self._opened.callback(registry.close)  # executors may hold processes (the sandbox's warm pool)
        return registry

    @cached_property
    def checkpoints(self) -> OpenedCheckpointer:
        """The LangGraph checkpointer in the store's database, writing in the store's transactions."""
        from mwo.engine.checkpoints import open_checkpointer

        checkpoints = open_checkpointer(self.settings, self.store)
        self._opened.callback(checkpoints.close)
        return checkpoints

    @property
    def checkpointer(self) -> BaseCheckpointSaver[Any]:
        return self.checkpoints.saver

    @cached_property
    def runs(self) -> RunService:
        from mwo.engine.runs import RunService

        runs = RunService(
            self.store,
            self.registry,
            self.checkpointer,
            self.settings,
            clock=self.clock,
            repair=self._repair_wiring(),
            parsed=self._parsed,
        )
        runs.on_finished(self.events.on_run_finished)
        self._opened.callback(runs.close)  # its lease heartbeat, stopped before the store closes
        return runs

    def _repair_wiring(self) -> RepairWiring:
        """Run-time repair of failed steps: mwo.healing's loop, dry runs in the PYTHON_SCRIPT
        executor's sandbox, fixes saved through `apply_workflow` (the `mwo apply` path)."""
        from mwo.engine.executors.python_script import PythonScriptExecutor
        from mwo.engine.healing_repairer import healing_wiring
        from mwo.sandbox import Sandbox
        from mwo.spec import StepType

        def sandbox() -> Sandbox:
            executor = self.registry.get(StepType.PYTHON_SCRIPT)
            assert isinstance(executor, PythonScriptExecutor)
            return executor.sandbox

        return healing_wiring(self.settings, self.store, sandbox, self.applier.save_fix, clock=self.clock)

    @cached_property
    def events(self) -> EventDispatcher:
        """Named events and run-finished events start the workflows that listen to them."""
        from mwo.triggers.events import EventDispatcher

        return EventDispatcher(self.store, self.workflow_of, self._start_event_run)

    @cached_property
    def authoring(self) -> AuthoringService:
        """Natural language -> workflows: the configured model, the worked-example bank, and the
        knowledge base for domain detection when its embedding model is available (it is optional)."""
        from mwo.authoring import AuthoringService
        from mwo.authoring.examples import ExampleBank
        from mwo.knowledge.errors import KnowledgeError
        from mwo.knowledge.service import KnowledgeService
        from mwo.llm import LlmService

        knowledge: KnowledgeService | None
        try:
            knowledge = KnowledgeService(self.settings.kb, clock=self.clock)
        except (KnowledgeError, OSError):
            knowledge = None
        else:
            self._opened.callback(knowledge.close)  # the knowledge catalog
        bank = ExampleBank(
            self.settings,
            embedder=knowledge.embedder if knowledge else None,
            text=knowledge.text if knowledge else None,
        )
        llm = LlmService(self.settings.llm, self.store, clock=self.clock)
        self._opened.callback(llm.close)  # the local model
        return AuthoringService(self.settings, self.store, llm, knowledge=knowledge, bank=bank)

    def _start_event_run(self, name: str, inputs: dict[str, Any], trigger: str) -> RunRecord:
        """In a server (a dispatcher is set) the listener's run is queued and handed over like any
        other; in a CLI command it runs here, in the foreground."""
        if self.dispatcher is None:
            return self.runs.start(name, inputs, trigger=trigger)
        run = self.runs.create_run(name, inputs, trigger=trigger)
        self.dispatcher.execute(run.id)
        return run

    def close(self) -> None:
        """Release what was opened, last first; every closer runs even when one fails (its error is
        raised after). A second call does nothing."""
        self._opened.close()

    @cached_property
    def applier(self) -> WorkflowApply:
        """The apply use case (`mwo.management.apply`): validate, then save as the next version. The
        faces call it directly (`services.applier.apply_workflow(...)`); this container only opens it."""
        return WorkflowApply(self.settings, self.store, self.clock)

    def workflow_of(self, version: VersionRecord) -> Workflow:
        """The parsed spec of a stored version, parsed once per process (versions never change; the
        run service shares this cache; the webhook intake asks on every delivery)."""
        if version.id not in self._parsed:
            self._parsed[version.id] = _parse(version)
        return self._parsed[version.id]


def _parse(version: VersionRecord) -> Workflow:
    from mwo.spec import parse_workflow

    return parse_workflow(version.spec_yaml)

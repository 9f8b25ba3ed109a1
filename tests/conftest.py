"""Shared fixtures: real objects on a fresh MWO_HOME per test; the clock is a parameter."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from mwo.engine.executor import StepContext
from mwo.settings import Settings
from mwo.spec import Templates, Workflow, workflow_from_data
from mwo.store.records import LogLevel
from tests.clocks import ManualClock


@pytest.fixture
def clock() -> ManualClock:
    """The wall clock to pass to what a test builds; it stands still until the test moves it."""
    return ManualClock()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(home=tmp_path / "mwo-home", secret_key=None, _env_file=None)  # type: ignore[call-arg]


@pytest.fixture
def store(settings: Settings) -> Iterator[Any]:
    from mwo.store import open_store

    opened = open_store(settings)
    yield opened
    opened.close()


def minimal_workflow(**settings_overrides: Any) -> Workflow:
    data: dict[str, Any] = {
        "name": "test-wf",
        "steps": [{"id": "noop", "type": "APPROVAL"}],
        "settings": settings_overrides,
    }
    return workflow_from_data(data)


@pytest.fixture
def make_ctx(settings: Settings, store: Any, clock: ManualClock) -> Callable[..., StepContext]:
    """Build a StepContext over a real store, reading the `clock` fixture's time; `logs` collects
    (level, message) pairs."""

    def build(
        scope: dict[str, Any] | None = None,
        workflow: Workflow | None = None,
        logs: list[tuple[LogLevel, str]] | None = None,
    ) -> StepContext:
        sink = logs if logs is not None else []
        return StepContext(
            run_id="run-test",
            workflow=workflow or minimal_workflow(),
            attempt=1,
            scope=scope or {"inputs": {}, "steps": {}, "secrets": {}},
            templates=Templates(),
            settings=settings,
            inbox=store,
            log=lambda level, message: sink.append((level, message)),
            now=clock,
        )

    return build

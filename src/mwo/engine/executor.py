"""The executor interface: one executor per step type, plugged in through an ExecutorRegistry.

An executor gets the step (its parsed config, templates not yet rendered) and a StepContext, renders
what it needs through the context, does the work, and returns the step's output (JSON-able). It
raises StepFailed for any failure it understands. It never touches the store or the graph: the
engine records rows before and after, applies retries and routes. New step types (PYTHON_SCRIPT,
LLM_CALL) plug in by registering an executor; the engine does not change.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from mwo.engine.failures import StepFailed
from mwo.errors import FailureKind
from mwo.settings import Settings
from mwo.spec import NetworkPolicy, StepBase, StepType, TemplateError, Templates, Workflow
from mwo.store.abc import InboxStore
from mwo.store.records import LogLevel


@dataclass
class StepContext:
    """What an executor may use while running one attempt of one step."""

    run_id: str
    workflow: Workflow
    attempt: int
    scope: Mapping[str, Any]
    """Template variables: inputs, steps (id -> {output}), secrets (revealed on access), run."""
    templates: Templates
    settings: Settings
    inbox: InboxStore
    log: Callable[[LogLevel, str], None]
    """Writes a step log line; secret values are masked by the engine."""
    now: Callable[[], datetime]
    is_cancelled: Callable[[], bool] = field(default=lambda: False)
    """Reads the run's cancel flag (a database read: long steps poll it, rate-limited, to stop early)."""
    deadline: datetime | None = None
    """When the run's time limit (workflow settings.timeout_s) ends; long steps stop by then."""
    redact: Callable[[str], str] = field(default=lambda text: text)
    """Masks the run's secret values in text an executor stores itself (e.g. LLM call traces)."""
    rendered_input: Any = None
    """Set by the executor to what it actually used (rendered config); recorded, redacted, on the step run."""

    @property
    def network(self) -> NetworkPolicy:
        return self.workflow.settings.network

    @property
    def idempotency_key(self) -> str:
        """Stable across retries and crash-resumes of the same step in the same run."""
        return f"{self.run_id}:{self.current_step_id}"

    current_step_id: str = ""

    def render(self, value: Any, extra: Mapping[str, Any] | None = None) -> Any:
        """Render templates in `value` (strings in nested dicts/lists); failures become StepFailed."""
        scope = {**self.scope, **extra} if extra else self.scope
        try:
            return self.templates.render_tree(value, scope)
        except TemplateError as exc:
            raise StepFailed(FailureKind.TEMPLATE, str(exc), exc.fix) from exc

    def evaluate(self, expression: str, extra: Mapping[str, Any] | None = None) -> Any:
        """Evaluate a sandboxed expression; failures become StepFailed."""
        scope = {**self.scope, **extra} if extra else self.scope
        try:
            return self.templates.evaluate(expression, scope)
        except TemplateError as exc:
            raise StepFailed(FailureKind.TEMPLATE, str(exc), exc.fix) from exc


class StepExecutor(Protocol):
    """Runs one step type."""

    step_type: StepType
    side_effects: bool
    """False for steps that only compute (no I/O): their attempt row is written once, after they
    run, instead of before and after (nothing outside can have happened if the process dies)."""

    def execute(self, step: StepBase, ctx: StepContext) -> Any:
        """Do the step's work and return its output; raise StepFailed on failure."""
        ...


class ExecutorRegistry:
    """Which executor runs which step type; a spec using an unregistered type fails before running."""

    def __init__(self, executors: list[StepExecutor] | None = None) -> None:
        self._by_type: dict[StepType, StepExecutor] = {}
        for executor in executors or []:
            self.register(executor)

    def register(self, executor: StepExecutor) -> None:
        self._by_type[executor.step_type] = executor

    def get(self, step_type: StepType) -> StepExecutor:
        try:
            return self._by_type[step_type]
        except KeyError:
            raise StepFailed(
                FailureKind.UNSUPPORTED,
                f"no executor is installed for {step_type.value} steps",
                "this step type arrives with its own component (see `mwo doctor`); "
                "remove the step or install the component",
            ) from None

    def supported(self) -> set[StepType]:
        return set(self._by_type)

    def close(self) -> None:
        """Release what executors hold (the sandbox's warm pool); executors without `close` hold nothing."""
        for executor in self._by_type.values():
            close = getattr(executor, "close", None)
            if callable(close):
                close()

"""The executor interface: one executor per step type, plugged in through an ExecutorRegistry.

An executor gets the step (its parsed config, templates not yet rendered) and a StepContext, renders
what it needs through the context, does the work, and returns the step's output (JSON-able). It
raises StepFailed for any failure it understands. It never touches the run's rows or the graph: the
engine records rows before and after, applies retries and routes (what an executor stores itself,
an approval request, carries the run's lease, `StepContext.lease`). New step types (PYTHON_SCRIPT,
LLM_CALL) plug in by registering an executor; the engine does not change.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol, TypeVar

from mwo.engine.failures import StepFailed
from mwo.errors import FailureKind
from mwo.settings import Settings
from mwo.spec import NetworkPolicy, StepBase, StepType, TemplateError, Templates, Workflow
from mwo.store.abc import InboxStore
from mwo.store.records import InboxMessage, LogLevel, RunLease


class Delivery(Protocol):
    """The outbox row of this attempt (`mwo.engine.delivery.StepDelivery`), for steps whose outside
    effect is tracked: the idempotency key to send with, and the inbox post that records the
    delivery in the same transaction."""

    @property
    def key(self) -> str: ...

    def post_inbox(self, title: str, body: str, receipt_of: Callable[[InboxMessage], Any]) -> InboxMessage:
        """Post the message and mark the delivery delivered with `receipt_of(message)`, atomically."""
        ...


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
    delivery: Delivery | None = None
    """The attempt's outbox row when its effect is tracked (API_CALL, NOTIFICATION); None otherwise."""
    lease: RunLease | None = None
    """The engine's hold on the run. A write an executor makes to the store itself for its run (an
    approval request) carries it, so a process that lost the run writes nothing (LeaseLost); None
    outside the engine (tests, dry runs)."""

    @property
    def network(self) -> NetworkPolicy:
        return self.workflow.settings.network

    @property
    def idempotency_key(self) -> str:
        """Stable across retries and crash-resumes of the same step in the same run; a new one only
        when a person sends again a delivery whose fate was unknown (`mwo.engine.delivery`)."""
        if self.delivery is not None:
            return self.delivery.key
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


StepT = TypeVar("StepT", bound=StepBase)


class StepExecutor(Protocol[StepT]):
    """Runs one step type. `execute` takes its own step class: the registry checks the class once
    (`for_step`) so no executor narrows its argument itself."""

    step_type: StepType
    step_class: type[StepT]
    side_effects: bool
    """False for steps that only compute (no I/O): their attempt row is written once, after they
    run, instead of before and after (nothing outside can have happened if the process dies)."""

    def execute(self, step: StepT, ctx: StepContext) -> Any:
        """Do the step's work and return its output; raise StepFailed on failure."""
        ...


class ExecutorRegistry:
    """Which executor runs which step type; a spec using an unregistered type fails before running."""

    def __init__(self, executors: list[StepExecutor[Any]] | None = None) -> None:
        self._by_type: dict[StepType, StepExecutor[Any]] = {}
        for executor in executors or []:
            self.register(executor)

    def register(self, executor: StepExecutor[Any]) -> None:
        self._by_type[executor.step_type] = executor

    def for_step(self, step: StepBase) -> StepExecutor[Any]:
        """The executor of `step`'s type, once the step is checked to be the class it runs (the one
        place steps are narrowed; an `assert` would vanish under `python -O`)."""
        executor = self.get(step.type)
        if not isinstance(step, executor.step_class):
            raise StepFailed(
                FailureKind.INTERNAL,
                f"the {step.type.value} executor runs {executor.step_class.__name__} steps, "
                f"not {type(step).__name__}",
                "this is a bug in MWO; please report it with `mwo logs RUN`",
            )
        return executor

    def get(self, step_type: StepType) -> StepExecutor[Any]:
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

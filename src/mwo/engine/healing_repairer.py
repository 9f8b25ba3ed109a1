"""The real repairer of failed steps: `mwo.healing`'s repair loops (deterministic fixers, then the
model), run on the step's failing input.

PYTHON_SCRIPT steps are repaired by `ScriptHealer`, DATA_TRANSFORM steps by `TransformHealer`. The
failing input is rebuilt from the run's records (`RecordedScope`): prompts, stored attempts and the
proposal see it with secret values masked; the dry run (the sandbox for a script, the engine's own
DATA_TRANSFORM executor for a transform) sees the real values, its results masked again.
`mwo.healing` is imported on the first repair, so a run that never fails never loads it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol, cast

from mwo.clock import utc_now
from mwo.engine.recorded_scope import RecordedScope, RevealingSandbox, RunsSecretsAndInbox
from mwo.engine.repair import RepairOutcome, RepairRequest, RepairWiring, SaveVersion
from mwo.spec import DataTransformStep, PythonScriptStep
from mwo.store.abc import HealingStore, InboxStore, RunStore, SecretStore, TraceStore

if TYPE_CHECKING:
    from mwo.llm.service import LlmService
    from mwo.sandbox import Sandbox
    from mwo.settings import Settings

ALREADY_OK_NOTE = (
    "the script succeeds on the failing input when run again, so its code is not what failed; "
    "retry the run with `mwo retry RUN --from-failed`"
)
TRANSFORM_ALREADY_OK_NOTE = (
    "the step succeeds on the failing input when run again, so its configuration is not what failed; "
    "retry the run with `mwo retry RUN --from-failed`"
)


class HealingRepairer:
    """Repairs PYTHON_SCRIPT steps with a ScriptHealer and DATA_TRANSFORM steps with a TransformHealer,
    made on first use by `make_healer(sandbox)` and `make_transform_healer()`. With a `store`, the
    failing input is rebuilt from the run (secrets revealed for the dry run only)."""

    def __init__(
        self,
        make_healer: Callable[..., Any],
        *,
        make_transform_healer: Callable[[], Any] | None = None,
        store: RunsSecretsAndInbox | None = None,
        settings: Settings | None = None,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self._make_healer = make_healer
        self._clock = clock
        self._make_transform_healer = make_transform_healer
        self._store = store
        self._settings = settings
        self._healer: Any = None
        self._transform_healer: Any = None

    def repair(self, request: RepairRequest, keep_going: Callable[[], None]) -> RepairOutcome:
        step = request.step
        if isinstance(step, DataTransformStep) and self._make_transform_healer is not None:
            return self._repair_transform(step, request, keep_going)
        if not isinstance(step, PythonScriptStep):
            return RepairOutcome(
                None,
                note=f"repair of {step.type.value} steps is not available; change the step by hand",
            )
        from mwo.healing import ScriptRepairRequest

        inputs = request.failing_input if isinstance(request.failing_input, dict) else {}
        healer = self._script_healer(step, request, inputs)
        result = healer.repair(
            ScriptRepairRequest(
                code=step.code,
                inputs=inputs,
                goal=step.description or "",
                error=str(request.error.get("message") or ""),
                allow_net=step.allow_net,
                secrets=tuple(step.secrets),
                output_schema=step.output,
                subject=request.subject,
                step=step.id,
            ),
            on_event=lambda _event: keep_going(),
        )
        return _outcome(step, result)

    def _script_healer(self, step: PythonScriptStep, request: RepairRequest, masked: dict[str, Any]) -> Any:
        """The process's healer, or, when the step's inputs read secrets, one whose dry runs see the
        real values behind the masks (and whose results are masked again)."""
        if self._healer is None:
            self._healer = self._make_healer(None)
        if self._store is None or self._settings is None or not _reads_secrets(step):
            return self._healer
        scope = self._recorded(request)
        real = scope.script_inputs(step, masked)
        if real == masked:
            return self._healer
        return self._make_healer(lambda sandbox: RevealingSandbox(sandbox, masked, real, scope.redactor))

    def _repair_transform(
        self, step: DataTransformStep, request: RepairRequest, keep_going: Callable[[], None]
    ) -> RepairOutcome:
        from mwo.healing.transform import TransformRepairRequest

        if self._store is None or self._settings is None:
            return RepairOutcome(None, note="repair of DATA_TRANSFORM steps needs the run's records")
        if self._transform_healer is None:
            assert self._make_transform_healer is not None
            self._transform_healer = self._make_transform_healer()
        scope = self._recorded(request)
        result = self._transform_healer.repair(
            TransformRepairRequest(
                workflow=request.workflow,
                step=step,
                trial=scope.transform,
                goal=step.description or "",
                error=str(request.error.get("message") or ""),
                subject=request.subject,
            ),
            on_event=lambda _event: keep_going(),
        )
        common = _common(result)
        if result.status == "fixed":
            note = (
                "; ".join(result.assumptions)
                or "the repaired step passes the checks and runs on the failing input"
            )
            return RepairOutcome(result.step, note=note, **common)
        if result.status == "already_ok":
            return RepairOutcome(None, note=TRANSFORM_ALREADY_OK_NOTE, **common)
        return RepairOutcome(
            None,
            note=result.stopped or "no candidate passed the checks and the run on the failing input",
            **common,
        )

    def _recorded(self, request: RepairRequest) -> RecordedScope:
        assert self._store is not None and self._settings is not None
        return RecordedScope(self._store, self._settings, request.run_id, request.workflow, self._clock)


def _reads_secrets(step: PythonScriptStep) -> bool:
    return "secrets" in str(step.inputs)


def _common(result: Any) -> dict[str, Any]:
    return {
        "findings": [f.as_dict() for f in result.findings],
        "attempts": len(result.attempts),
        "seconds": float(result.seconds),
        "repair_id": result.repair_id,
    }


def _outcome(step: PythonScriptStep, result: Any) -> RepairOutcome:
    """RepairResult (mwo.healing) -> RepairOutcome: a fixed step only for status `fixed`."""
    common = _common(result)
    if result.status == "fixed":
        note = "; ".join(result.assumptions) or "the repaired script passes the checks and the dry run"
        return RepairOutcome(step.model_copy(update={"code": result.code}), note=note, **common)
    if result.status == "already_ok":
        return RepairOutcome(None, note=ALREADY_OK_NOTE, **common)
    return RepairOutcome(
        None, note=result.stopped or "no candidate passed the checks and the dry run", **common
    )


class HealingWiringStore(RunStore, SecretStore, InboxStore, TraceStore, HealingStore, Protocol):
    """What the repair wiring hands on: the run's records to rebuild the failing input from
    (`RecordedScope`), secrets and traces to the model's service, and the healers' attempts."""


def healing_wiring(
    settings: Settings,
    store: HealingWiringStore,
    sandbox: Callable[[], Sandbox],
    save_version: SaveVersion,
    llm: LlmService | None = None,
    clock: Callable[[], datetime] = utc_now,
) -> RepairWiring:
    """The repair wiring of a process: the healers ask `llm` (default: the model of `settings`), dry
    run scripts in `sandbox()` (the PYTHON_SCRIPT executor's) and transforms in-process with the
    engine's executor, and store their attempts in `store`, stamped by `clock`."""
    made: dict[str, LlmService] = {}

    def model() -> LlmService:
        from mwo.llm.service import LlmService

        if "llm" not in made:
            made["llm"] = llm or LlmService(settings.llm, store, clock=clock)
        return made["llm"]

    def make_healer(wrap: Callable[[Sandbox], Any] | None = None) -> Any:
        from mwo.healing import ScriptHealer

        used = sandbox() if wrap is None else cast("Sandbox", wrap(sandbox()))
        return ScriptHealer(settings, model(), used, store=store, clock=clock)

    def make_transform_healer() -> Any:
        from mwo.healing.transform import TransformHealer

        return TransformHealer(settings, model(), store=store, clock=clock)

    repairer = HealingRepairer(
        make_healer,
        make_transform_healer=make_transform_healer,
        store=store,
        settings=settings,
        clock=clock,
    )
    return RepairWiring(repairer, save_version)


__all__ = ["ALREADY_OK_NOTE", "TRANSFORM_ALREADY_OK_NOTE", "HealingRepairer", "healing_wiring"]

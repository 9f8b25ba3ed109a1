"""The real repairer of failed steps: `mwo.healing`'s repair loop (deterministic fixers, then the
model), run on the step's failing input.

PYTHON_SCRIPT steps are repaired by `ScriptHealer`. DATA_TRANSFORM steps are not yet: the healing
package repairs scripts only, so their failure is reported with a note and the run fails as before.
`mwo.healing` is imported on the first repair, so a run that never fails never loads it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from mwo.engine.repair import RepairOutcome, RepairRequest, RepairWiring, SaveVersion
from mwo.spec import PythonScriptStep
from mwo.store.abc import Store

if TYPE_CHECKING:
    from mwo.llm.service import LlmService
    from mwo.sandbox import Sandbox
    from mwo.settings import Settings

ALREADY_OK_NOTE = (
    "the script succeeds on the failing input when run again, so its code is not what failed; "
    "retry the run with `mwo retry RUN --from-failed`"
)


class HealingRepairer:
    """Repairs PYTHON_SCRIPT steps with a ScriptHealer made on first use by `make_healer`."""

    def __init__(self, make_healer: Callable[[], Any]) -> None:
        self._make_healer = make_healer
        self._healer: Any = None

    def repair(self, request: RepairRequest, keep_going: Callable[[], None]) -> RepairOutcome:
        step = request.step
        if not isinstance(step, PythonScriptStep):
            return RepairOutcome(
                None,
                note=f"repair of {step.type.value} steps is not available yet; change the step by hand",
            )
        from mwo.healing import ScriptRepairRequest

        if self._healer is None:
            self._healer = self._make_healer()
        inputs = request.failing_input if isinstance(request.failing_input, dict) else {}
        result = self._healer.repair(
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


def _outcome(step: PythonScriptStep, result: Any) -> RepairOutcome:
    """RepairResult (mwo.healing) -> RepairOutcome: a fixed step only for status `fixed`."""
    findings = [f.as_dict() for f in result.findings]
    common: dict[str, Any] = {
        "findings": findings,
        "attempts": len(result.attempts),
        "seconds": float(result.seconds),
        "repair_id": result.repair_id,
    }
    if result.status == "fixed":
        note = "; ".join(result.assumptions) or "the repaired script passes the checks and the dry run"
        return RepairOutcome(step.model_copy(update={"code": result.code}), note=note, **common)
    if result.status == "already_ok":
        return RepairOutcome(None, note=ALREADY_OK_NOTE, **common)
    return RepairOutcome(
        None, note=result.stopped or "no candidate passed the checks and the dry run", **common
    )


def healing_wiring(
    settings: Settings,
    store: Store,
    sandbox: Callable[[], Sandbox],
    save_version: SaveVersion,
    llm: LlmService | None = None,
) -> RepairWiring:
    """The repair wiring of a process: the healer asks `llm` (default: the model of `settings`), dry
    runs in `sandbox()` (the PYTHON_SCRIPT executor's), and stores its attempts in `store`."""

    def make_healer() -> Any:
        from mwo.healing import ScriptHealer
        from mwo.llm.service import LlmService

        return ScriptHealer(settings, llm or LlmService(settings, store), sandbox(), store=store)

    return RepairWiring(HealingRepairer(make_healer), save_version)


__all__ = ["ALREADY_OK_NOTE", "HealingRepairer", "healing_wiring"]

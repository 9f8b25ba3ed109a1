"""Validate a draft and repair only what failed: the slot the model filled, never the whole plan.

Round 1 checks the draft as built. Each later round changes only the steps with errors: a
PYTHON_SCRIPT goes to the healer (H2's ScriptHealer, on the validator's findings), a step whose
wording the model wrote gets its rule-made default back. A round that changes nothing, or whose
errors equal the previous round's, stops the loop: nothing is saved until the validator passes.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from mwo.authoring.result import Attempt
from mwo.authoring.step_builders import Draft
from mwo.settings import Settings
from mwo.spec import SpecError, Workflow, workflow_from_data
from mwo.validation import Finding, Report, Severity

if TYPE_CHECKING:
    from mwo.llm import LlmService
    from mwo.sandbox import Sandbox

Emit = Callable[..., Any]


@dataclass
class Checked:
    """The outcome of the loop: the valid workflow (or None), the last report and every round."""

    workflow: Workflow | None
    report: Report
    attempts: list[Attempt] = field(default_factory=list)


class DraftChecker:
    """Validates drafts with the CodeValidator and repairs failing slots, within `healing_rounds`."""

    def __init__(
        self,
        settings: Settings,
        llm: LlmService,
        known_secrets: list[str],
        *,
        sandbox: Sandbox | None = None,
        subject: str = "authoring",
    ) -> None:
        self._settings = settings
        self._llm = llm
        self._known = known_secrets
        self._sandbox = sandbox
        self._subject = subject

    def validate(self, data: dict[str, Any]) -> tuple[Workflow | None, Report]:
        """Parse and check one candidate spec; schema errors become findings like the validator's."""
        try:
            workflow = workflow_from_data(data)
        except SpecError as exc:
            return None, Report.of(_from_spec(f) for f in exc.findings)
        from mwo.validation import CodeValidator

        # A script the model wrote is run on sample inputs before anything is saved: one that raises
        # there would fail its first real run, so the finding goes to the healer like any other.
        scripts = any(s.get("type") == "PYTHON_SCRIPT" for s in data.get("steps", []))
        sandbox = self._script_sandbox() if scripts else self._sandbox
        validator = CodeValidator(self._settings, known_secrets=self._known, sandbox=sandbox)
        return workflow, validator.validate(workflow, dry_run=scripts)

    def _script_sandbox(self) -> Sandbox:
        from mwo.sandbox import Sandbox, config_from_settings

        if self._sandbox is None:  # made once, when the first draft with a script is checked
            self._sandbox = Sandbox(config_from_settings(self._settings.sandbox))
        return self._sandbox

    def check(self, spec: dict[str, Any], draft: Draft, emit: Emit) -> Checked:
        attempts: list[Attempt] = []
        previous: list[str] | None = None
        candidate = copy.deepcopy(spec)
        for round_no in range(1, self._settings.healing_rounds + 2):
            emit("validating", f"round {round_no}", round=round_no)
            workflow, report = self.validate(candidate)
            candidates = 1 if round_no == 1 else max(1, len({f.step for f in report.errors}))
            attempts.append(Attempt(round_no, candidates, [f.as_dict() for f in report.findings]))
            if report.ok and workflow is not None:
                return Checked(workflow, report, attempts)
            signature = sorted(f.render() for f in report.errors)
            if signature == previous or round_no > self._settings.healing_rounds:
                break
            previous = signature
            if not self._repair(candidate, draft, report.errors, round_no + 1, emit):
                break
        return Checked(None, report, attempts)

    def _repair(
        self, candidate: dict[str, Any], draft: Draft, errors: list[Finding], round_no: int, emit: Emit
    ) -> bool:
        """Change only the failing steps; False when none of them can be changed."""
        changed = False
        for step_id in dict.fromkeys(f.step for f in errors if f.step):
            step = next((s for s in candidate["steps"] if s["id"] == step_id), None)
            if step is None:
                continue
            first = next(f for f in errors if f.step == step_id)
            emit(
                "repairing",
                f"repair round {round_no} fixing step {step_id}: {first.message}",
                step=step_id,
                round=round_no,
            )
            if step["type"] == "PYTHON_SCRIPT" and self._heal_script(
                step, [f for f in errors if f.step == step_id]
            ):
                changed = True
            elif step_id in draft.defaults and any(
                step.get(k) != v for k, v in draft.defaults[step_id].items()
            ):
                step.update(copy.deepcopy(draft.defaults[step_id]))
                draft.model_filled.pop(step_id, None)
                changed = True
        return changed

    def _heal_script(self, step: dict[str, Any], findings: list[Finding]) -> bool:
        from mwo.healing import ScriptHealer, ScriptRepairRequest

        healer = ScriptHealer(self._settings, self._llm, self._script_sandbox())
        result = healer.repair(
            ScriptRepairRequest(
                code=step["code"],
                inputs={},
                goal=step.get("description") or "",
                error="\n".join(f.render() for f in findings),
                allow_net=bool(step.get("allow_net")),
                subject=f"{self._subject}:{step['id']}",
                step=step["id"],
            )
        )
        if result.code and result.code != step["code"]:
            step["code"] = result.code
            return True
        return False


def _from_spec(finding: Any) -> Finding:
    return Finding(
        code=f"spec.{finding.code.value}",
        severity=Severity.ERROR,
        message=finding.message,
        hint=finding.fix,
        step=finding.step,
        field=finding.field,
    )

"""The failing input of a failed step, rebuilt for its repair from what the run recorded.

A repair runs after the run's execution has stopped, so the step's template scope is rebuilt from the
store: the run's inputs, each earlier step's output as recorded on its last successful step run
(secret values already masked there), the run's facts, and the secrets themselves, revealed only
where the step reads them. Everything that leaves this module for the repair loop (a transform's
output or error, a script's dry-run result) is masked with the same redactor: secret values never
reach a prompt, the HealingStore or a proposal, while the dry run itself sees real values, so it
does not fail because of a mask (`***` is no token, no number, no date).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

from mwo.engine.executor import StepContext
from mwo.engine.executors.data_transform import DataTransformExecutor
from mwo.engine.failures import StepFailed
from mwo.engine.redaction import Redactor
from mwo.engine.scope import SecretsView, build_scope
from mwo.engine.step_runner import _check_output_shape
from mwo.errors import FailureKind
from mwo.settings import Settings
from mwo.spec import DataTransformStep, PythonScriptStep, TemplateError, Templates, Workflow
from mwo.store.abc import InboxStore, RunStore, SecretStore
from mwo.store.records import StepStatus

if TYPE_CHECKING:
    from mwo.healing.transform import TrialOutcome
    from mwo.sandbox import Limits, NetAccess, Sandbox, SandboxResult


class RunsSecretsAndInbox(RunStore, SecretStore, InboxStore, Protocol):
    """What a recorded scope reads: the run and its step runs, the secrets the step reads, and the
    inbox of the step context a transform is tried in."""


class RecordedScope:
    """The template scope a failed step of `run_id` ran with, rebuilt from the store."""

    def __init__(
        self,
        store: RunsSecretsAndInbox,
        settings: Settings,
        run_id: str,
        workflow: Workflow,
        clock: Callable[[], datetime],
    ) -> None:
        self._store = store
        self._settings = settings
        self._workflow = workflow
        self._clock = clock
        self.run = store.get_run(run_id)
        self.redactor = Redactor()
        self._templates = Templates()
        outputs: dict[str, Any] = {}
        for row in store.list_step_runs(run_id):
            if row.status is StepStatus.SUCCEEDED:
                outputs[row.step_id] = row.output
        run = self.run
        facts = {
            "id": run.id,
            "workflow": run.workflow_name,
            "version": run.version_number,
            "now": clock().isoformat(),
        }
        self.scope = build_scope(run.inputs, outputs, SecretsView(store, self.redactor), facts)

    def transform(self, step: DataTransformStep) -> TrialOutcome:
        """`step` run by the engine's own DATA_TRANSFORM executor on this scope, its declared `output`
        checked as the step runner checks it; the outcome masked."""
        from mwo.healing.transform import TrialOutcome

        ctx = StepContext(
            run_id=self.run.id,
            workflow=self._workflow,
            attempt=0,
            scope=self.scope,
            templates=self._templates,
            settings=self._settings,
            inbox=self._store,
            log=lambda _level, _message: None,
            now=self._clock,
            redact=self.redactor.text,
        )
        ctx.current_step_id = step.id
        try:
            output = DataTransformExecutor().execute(step, ctx)
            _check_output_shape(step, output)
        except StepFailed as failure:
            return TrialOutcome(None, self.redactor.tree(failure.as_dict()))
        except Exception as exc:  # a candidate must never break the repair: it is only a failed trial
            return TrialOutcome(None, self.redactor.tree(_internal(exc).as_dict()))
        return TrialOutcome(self.redactor.tree(output), None)

    def script_inputs(self, step: PythonScriptStep, recorded: dict[str, Any]) -> dict[str, Any]:
        """The real inputs of a script: each recorded value whose template reads a secret rendered
        again with the secret revealed (the rest as recorded). Falls back to the recorded value."""
        real = dict(recorded)
        for name, template in step.inputs.items():
            if not _reads_secrets(self._templates, template):
                continue
            try:
                real[name] = self._templates.render_tree(template, self.scope)
            except (TemplateError, StepFailed):
                continue
        return real


class RevealingSandbox:
    """A sandbox for one script repair's dry runs: the masked failing input handed in by the repair
    loop is swapped for the real one, and what comes back is masked again."""

    def __init__(self, sandbox: Sandbox, masked: dict[str, Any], real: dict[str, Any], redactor: Redactor):
        self._sandbox = sandbox
        self._masked = masked
        self._real = real
        self._redactor = redactor

    def run(
        self,
        code: str,
        inputs: dict[str, Any],
        secrets: dict[str, str],
        limits: Limits,
        net: NetAccess,
        cancelled: Callable[[], bool] = lambda: False,
    ) -> SandboxResult:
        used = self._real if inputs == self._masked else inputs
        return self.masked(self._sandbox.run(code, used, secrets, limits, net, cancelled))

    def masked(self, result: SandboxResult) -> SandboxResult:
        redact = self._redactor
        error = result.error
        if error is not None:
            from mwo.sandbox import SandboxError

            error = SandboxError(
                error.type, redact.text(error.message), error.fix, redact.text(error.traceback)
            )
        return replace(result, output=redact.tree(result.output), error=error, log=redact.text(result.log))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._sandbox, name)


def _reads_secrets(templates: Templates, value: Any) -> bool:
    if isinstance(value, str):
        try:
            return any(ref.root == "secrets" for ref in templates.references(value))
        except TemplateError:
            return "secrets" in value
    if isinstance(value, dict):
        return any(_reads_secrets(templates, v) for v in value.values())
    if isinstance(value, list):
        return any(_reads_secrets(templates, v) for v in value)
    return False


def _internal(exc: Exception) -> StepFailed:
    return StepFailed(FailureKind.INTERNAL, f"{type(exc).__name__}: {exc}", "change the step")


__all__ = ["RecordedScope", "RevealingSandbox"]

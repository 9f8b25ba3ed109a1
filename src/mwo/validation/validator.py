"""CodeValidator: runs the ordered checks on a workflow (or its YAML text) and returns one Report.

`validate` never raises for a bad workflow: everything wrong is a finding. Saving is the caller's
decision (`Report.ok`: no errors; warnings alone do not stop a save).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from mwo.clock import utc_now
from mwo.settings import Settings
from mwo.spec import SpecError, Workflow, parse_workflow, workflow_from_data
from mwo.validation.checks import DEFAULT_CHECKS, Check, Context, wrap_spec_finding
from mwo.validation.findings import Report

if TYPE_CHECKING:
    from mwo.sandbox import Sandbox


class CodeValidator:
    """The checks of DEFAULT_CHECKS (or `checks`), with this installation's settings and secrets.

    `known_secrets=None` skips the secrets check; `sandbox` serves dry runs (one is opened for the
    duration of a `validate(dry_run=True)` when none is given, and closed after).
    """

    def __init__(
        self,
        settings: Settings,
        *,
        known_secrets: Collection[str] | None = None,
        sandbox: Sandbox | None = None,
        checks: Sequence[Check] = DEFAULT_CHECKS,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self._settings = settings
        self._known_secrets = known_secrets
        self._sandbox = sandbox
        self._checks = tuple(checks)
        self._clock = clock

    def validate(self, workflow: Workflow, *, dry_run: bool = False) -> Report:
        """Every finding of every check, in check order."""
        ctx = Context(
            workflow=workflow,
            language=self._settings.language,
            now=self._clock(),
            known_secrets=self._known_secrets,
            dry_run=dry_run,
            dry_run_timeout_s=self._settings.dry_run_timeout_s,
            sandbox=self._sandbox,
        )
        if dry_run and ctx.sandbox is None:
            from mwo.sandbox import Sandbox, config_from_settings

            ctx.sandbox = Sandbox(config_from_settings(self._settings.sandbox))
            try:
                return self._run(ctx)
            finally:
                ctx.sandbox.close()
        return self._run(ctx)

    def validate_text(self, yaml_text: str, *, dry_run: bool = False) -> tuple[Workflow | None, Report]:
        """Parse, then validate; YAML and schema errors are findings (`spec.yaml_syntax`, `spec.schema`)."""
        try:
            workflow = parse_workflow(yaml_text)
        except SpecError as exc:
            return None, self._unparsed(exc)
        return workflow, self.validate(workflow, dry_run=dry_run)

    def validate_data(self, data: dict[str, Any], *, dry_run: bool = False) -> tuple[Workflow | None, Report]:
        """`validate_text` for a spec already loaded as data (a model's JSON answer, an API body)."""
        try:
            workflow = workflow_from_data(data)
        except SpecError as exc:
            return None, self._unparsed(exc)
        return workflow, self.validate(workflow, dry_run=dry_run)

    def _unparsed(self, error: SpecError) -> Report:
        return Report.of(wrap_spec_finding(f, self._settings.language) for f in error.findings)

    def _run(self, ctx: Context) -> Report:
        for check in self._checks:
            ctx.found.extend(check.run(ctx))
        return Report.of(ctx.found)

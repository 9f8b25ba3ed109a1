"""Applying a workflow: validate it, then save it as the workflow's next version.

The one use case behind `mwo apply`, `PUT /workflows/{name}`, the UI's save, a rollback and a repair
that saves a fixed version. Saving also keeps what a version's triggers need in step: a cron trigger
(un)registers its schedule, a webhook trigger gets its secret. It lives here rather than in the
services container, which only opens things and hands them out.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from mwo.clock import utc_now
from mwo.settings import Settings
from mwo.spec import SpecError, SpecErrorCode, SpecFinding, Workflow, dump_workflow
from mwo.store.abc import ScheduleStore, SecretStore, WebhookStore, WorkflowStore
from mwo.store.records import RunLease, VersionRecord
from mwo.triggers.registration import sync_schedule
from mwo.triggers.webhooks import ensure_webhook_secret

if TYPE_CHECKING:
    from mwo.validation import CodeValidator, Report

__all__ = ["ApplyStore", "WorkflowApply"]


class ApplyStore(WorkflowStore, SecretStore, ScheduleStore, WebhookStore, Protocol):
    """What applying reads and writes: versions, the secret names the validator knows, and the
    schedule and webhook secret a version's trigger needs."""


class WorkflowApply:
    """Validate-then-save over one store; `clock` stamps schedule and webhook registrations."""

    def __init__(
        self, settings: Settings, store: ApplyStore, clock: Callable[[], datetime] = utc_now
    ) -> None:
        self.settings = settings
        self.store = store
        self._clock = clock

    def validator(self) -> CodeValidator:
        """The CodeValidator with this store's secrets (an unset secret is a warning, not an error)."""
        from mwo.validation import CodeValidator

        return CodeValidator(self.settings, known_secrets=set(self.store.list_secret_names()))

    def check_file(self, path: str | Path, *, dry_run: bool = False) -> tuple[Workflow | None, Report]:
        """Every finding of a spec file, errors and warnings; nothing raised for a bad spec, nothing
        saved. The workflow is None when the file does not parse."""
        try:
            text = Path(path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) else "it is not UTF-8 text"
            raise SpecError(
                [SpecFinding(SpecErrorCode.SCHEMA, f"cannot read the file: {reason}", "check the path")],
                file=str(path),
            ) from exc
        return self.validator().validate_text(text, dry_run=dry_run)

    def validate_file(self, path: str | Path) -> tuple[Workflow, Report]:
        """The parsed spec and its (warnings-only) report; ValidationFailed lists every error."""
        from mwo.validation import ValidationFailed

        workflow, report = self.check_file(path)
        if workflow is None or not report.ok:
            raise ValidationFailed(report, file=str(path))
        return workflow, report

    def apply_file_with_report(
        self, path: str | Path, message: str = ""
    ) -> tuple[VersionRecord, bool, Report]:
        """Validate, then save as the workflow's next version (nothing saved when invalid); also the
        report (its warnings: secrets not set yet, lint...)."""
        workflow, report = self.validate_file(path)
        version, created = self._save(workflow, message)  # validated once, above
        return version, created, report

    def apply_workflow(
        self, workflow: Workflow, message: str = "", *, lease: RunLease | None = None
    ) -> tuple[VersionRecord, bool]:
        """Validate, then save; ValidationFailed (nothing saved) when the validator finds errors.
        With `lease`, saved only while that run's lease holds (LeaseLost): a fix `repair: auto`
        saves for the run it drives."""
        from mwo.validation import ValidationFailed

        report = self.validator().validate(workflow)
        if not report.ok:
            raise ValidationFailed(report)
        return self._save(workflow, message, lease)

    def save_fix(self, workflow: Workflow, message: str, lease: RunLease | None) -> VersionRecord:
        """A run-time repair's fix through the same checks (the engine's `SaveVersion`): fenced by
        the run's lease when the executor saves it (`repair: auto`), not when a person approved it."""
        return self.apply_workflow(workflow, message, lease=lease)[0]

    def _save(
        self, workflow: Workflow, message: str, lease: RunLease | None = None
    ) -> tuple[VersionRecord, bool]:
        saved = self.store.save_version(workflow, dump_workflow(workflow), message, lease=lease)
        sync_schedule(self.store, workflow, self._clock())  # a cron trigger (un)registers its schedule
        ensure_webhook_secret(self.store, workflow, self._clock())  # a webhook trigger gets its secret
        return saved

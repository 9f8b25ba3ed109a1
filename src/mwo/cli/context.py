"""Opening services for one CLI command, and turning known errors into one-line messages.

Nothing heavy is imported here at start-up (every command module imports this one, and `mwo --help`
imports them all): the services when a command opens them, the error classes when an error is seen.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import typer

from mwo.cli.output import fail

if TYPE_CHECKING:
    from mwo.services import Services


@contextmanager
def services(as_json: bool = False) -> Iterator[Services]:
    """Services for the duration of a command; MWO's own errors end the command cleanly."""
    with reporting_errors(as_json):
        from mwo.services import Services
        from mwo.settings import Settings

        opened = Services.open(Settings())
        try:
            yield opened
        finally:
            opened.close()


@contextmanager
def reporting_errors(as_json: bool = False) -> Iterator[None]:
    try:
        yield
    except typer.Exit:
        raise  # the command's own ending (`fail` included): nothing to report
    except Exception as exc:
        _report(exc, as_json)
        raise


def _report(exc: Exception, as_json: bool) -> None:
    """End the command with `exc` as one line plus its fix when it is one of MWO's errors; return
    for any other exception (the caller re-raises it). The classes are imported only now."""
    from pydantic import ValidationError

    from mwo.engine.errors import RunError
    from mwo.engine.failures import StepFailed
    from mwo.settings import Settings
    from mwo.settings_file import SettingsFileError
    from mwo.spec import SpecError
    from mwo.store.errors import StoreError
    from mwo.validation.errors import ValidationFailed

    if isinstance(exc, SpecError):
        lines = [f.render(exc.file) for f in exc.findings]
        if len(lines) == 1:  # the fix goes on its own line below, not twice
            only = exc.findings[0]
            lines = [f"{only.location(exc.file)}: {only.message}"]
        message = lines[0] if len(lines) == 1 else f"{len(lines)} problems:\n  " + "\n  ".join(lines)
        fail(
            message,
            "" if len(lines) > 1 else exc.fix,
            code="spec_invalid",
            as_json=as_json,
            details=[f.as_dict() for f in exc.findings],
        )
    elif isinstance(exc, ValidationFailed):
        errors = exc.report.errors
        where = f"{exc.file}: " if exc.file else ""
        lines = [f"{where}{f.path}: {f.message}" for f in errors]
        if len(lines) > 1:
            lines = [f"{where}{f.path}: {f.message} (fix: {f.hint})" for f in errors]
        message = lines[0] if len(lines) == 1 else f"{len(lines)} problems:\n  " + "\n  ".join(lines)
        fail(
            message,
            exc.fix if len(lines) == 1 else "",
            code=exc.code,
            as_json=as_json,
            details=[f.as_dict() for f in errors],
        )
    elif isinstance(exc, (StoreError, RunError, SettingsFileError)):
        fail(str(exc), exc.fix, code=exc.code, as_json=as_json)
    elif isinstance(exc, StepFailed):
        fail(exc.message, exc.fix, code=exc.kind.value, as_json=as_json)
    elif isinstance(exc, ValidationError) and exc.title == Settings.__name__:
        first = exc.errors()[0]
        name = "MWO_" + "_".join(str(p) for p in first["loc"]).upper()
        fail(
            f"setting {name} is invalid: {first['msg']}",
            f"fix or unset {name} (environment, .env or <home>/settings.yaml)",
            code="settings",
            as_json=as_json,
        )

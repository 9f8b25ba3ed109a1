"""Opening services for one CLI command, and turning known errors into one-line messages."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from pydantic import ValidationError

from mwo.cli.output import fail
from mwo.engine.errors import RunError
from mwo.engine.failures import StepFailed
from mwo.services import Services
from mwo.settings import Settings
from mwo.spec import SpecError
from mwo.store.errors import StoreError
from mwo.validation.errors import ValidationFailed


@contextmanager
def services(as_json: bool = False) -> Iterator[Services]:
    """Services for the duration of a command; MWO's own errors end the command cleanly."""
    with reporting_errors(as_json):
        opened = Services.open(Settings())
        try:
            yield opened
        finally:
            opened.close()


@contextmanager
def reporting_errors(as_json: bool = False) -> Iterator[None]:
    try:
        yield
    except SpecError as exc:
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
    except ValidationFailed as exc:
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
    except (StoreError, RunError) as exc:
        fail(str(exc), exc.fix, code=exc.code, as_json=as_json)
    except StepFailed as exc:
        fail(exc.message, exc.fix, code=exc.kind.value, as_json=as_json)
    except ValidationError as exc:
        if exc.title != Settings.__name__:
            raise
        first = exc.errors()[0]
        name = "MWO_" + "_".join(str(p) for p in first["loc"]).upper()
        fail(
            f"setting {name} is invalid: {first['msg']}",
            f"fix or unset {name} (environment or .env)",
            code="settings",
            as_json=as_json,
        )

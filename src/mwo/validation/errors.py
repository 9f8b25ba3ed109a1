"""ValidationFailed: a workflow the validator refuses to save, carrying the whole report."""

from __future__ import annotations

from mwo.errors import FixableError
from mwo.validation.findings import Report


class ValidationFailed(FixableError, ValueError):
    """The report has errors: nothing was saved. `report` holds the errors and the warnings."""

    code = "spec_invalid"

    def __init__(self, report: Report, file: str | None = None) -> None:
        errors = report.errors
        where = f"{file}: " if file else ""
        lines = [f"{where}{f.path}: {f.message}" for f in errors]
        if len(lines) == 1:
            super().__init__(lines[0], errors[0].hint)
        else:
            message = f"{len(lines)} problems:\n  " + "\n  ".join(lines)
            super().__init__(message, "fix each problem as its hint says")
        self.report = report
        self.file = file

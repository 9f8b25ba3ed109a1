"""Printing validator findings for people: one line per finding (where, what, its code), then the fix.

Errors go to stderr, warnings to stdout, so `mwo validate FILE 2>/dev/null` shows what was kept.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from mwo.cli.output import console, err_console

if TYPE_CHECKING:
    from mwo.validation import Finding, Report


def print_report(report: Report, file: str | None = None) -> None:
    """Every finding of `report`, errors first; `file` prefixes each path."""
    for finding in [*report.errors, *report.warnings]:
        print_finding(finding, file)


def print_finding(finding: Finding, file: str | None = None) -> None:
    out = err_console if finding.is_error else console
    style = "bold red" if finding.is_error else "yellow"
    where = f"{file}: {finding.path}" if file else finding.path
    out.print(f"[{style}]{finding.severity.value}:[/] ", end="", soft_wrap=True)
    out.print(f"{where}: {finding.message} [{finding.code}]", markup=False, highlight=False, soft_wrap=True)
    if finding.got is not None and finding.code == "dryrun.exception":
        out.print(str(finding.got), markup=False, highlight=False, soft_wrap=True)
    out.print("  [yellow]fix:[/] ", end="", soft_wrap=True)
    out.print(finding.hint, markup=False, highlight=False, soft_wrap=True)

"""`mwo script check|fix FILE`: the validator's findings for one PYTHON_SCRIPT file, and its repair.

`check` is static (no sandbox): syntax, the `main(inputs) -> dict` contract, ruff's lint, the
forbidden-call policy and error handling, exactly what `mwo validate` reports for a script step.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from mwo.cli.output import console, fail, print_json

script_app = typer.Typer(help="Check (and repair) one PYTHON_SCRIPT file.", no_args_is_help=True)


@script_app.command("check")
def check(
    file: Annotated[Path, typer.Argument(help="A script defining `def main(inputs: dict) -> dict`.")],
    allow_net: Annotated[
        bool, typer.Option("--allow-net", help="The step may reach the network (as a step's allow_net).")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Report every finding of FILE (errors and warnings apart); exit status 1 when there are errors."""
    from mwo.settings import Settings
    from mwo.validation import Report, check_script

    try:
        code = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        fail(f"cannot read {file}: {exc}", "give the path of a UTF-8 Python file", as_json=as_json)
    report = Report.of(check_script(code, allow_net=allow_net, field=file.name, language=Settings().language))
    if as_json:
        print_json(report.as_dict())
    else:
        for finding in report.findings:
            style = "red" if finding.is_error else "yellow"
            console.print(
                f"[{style}]{finding.severity.value}[/] {finding.code}: {finding.path}", soft_wrap=True
            )
            console.print(f"  {finding.message}", soft_wrap=True, markup=False)
            console.print(f"  fix: {finding.hint}", soft_wrap=True, markup=False)
        if report.ok:
            console.print(f"[green]ok:[/] {file} ({len(report.warnings)} warnings)")
    if not report.ok:
        raise typer.Exit(1)


# `mwo script fix` (the repair loop) is added below by the healing part.

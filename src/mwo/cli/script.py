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
    from mwo.cli.context import reporting_errors
    from mwo.cli.findings import print_report
    from mwo.settings import Settings
    from mwo.validation import Report, check_script

    try:
        code = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        fail(f"cannot read {file}: {exc}", "give the path of a UTF-8 Python file", as_json=as_json)
    with reporting_errors(as_json):
        language = Settings().language
    report = Report.of(check_script(code, allow_net=allow_net, field=file.name, language=language))
    if as_json:
        print_json(report.as_dict())
    else:
        print_report(report)
        if report.ok:
            console.print(f"[green]ok:[/] {file} ({len(report.warnings)} warnings)")
    if not report.ok:
        raise typer.Exit(1)


# `mwo script fix` (the repair loop) is added below by the healing part.


@script_app.command("fix")
def fix(
    file: Annotated[Path, typer.Argument(help="A script defining `def main(inputs: dict) -> dict`.")],
    input_: Annotated[
        str, typer.Option("--input", help="The input main must succeed on: a JSON object, or @file.json.")
    ],
    goal: Annotated[
        str, typer.Option("--goal", help="What the script is for (the step's description).")
    ] = "",
    rounds: Annotated[
        int | None,
        typer.Option("--rounds", min=1, max=10, help="Rounds of repair (default MWO_HEALING_ROUNDS)."),
    ] = None,
    allow_net: Annotated[
        bool, typer.Option("--allow-net", help="The step may reach the network (as a step's allow_net).")
    ] = False,
    write: Annotated[
        bool, typer.Option("--write", help="Save the fixed script to FILE (the original to FILE.orig).")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Repair FILE so that main(inputs) succeeds on --input and serves --goal: fixers first, then the
    model; exit status 0 when fixed or already ok, 1 when not."""
    from mwo.cli.context import services
    from mwo.cli.healing_view import read_inputs, show_event, show_result
    from mwo.healing import ScriptHealer, ScriptRepairRequest
    from mwo.llm.service import LlmService
    from mwo.sandbox import Sandbox, config_from_settings

    try:
        code = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        fail(f"cannot read {file}: {exc}", "give the path of a UTF-8 Python file", as_json=as_json)
    inputs = read_inputs(input_, as_json=as_json)
    request = ScriptRepairRequest(
        code=code, inputs=inputs, goal=goal, allow_net=allow_net, subject=f"script:{file.name}", step=None
    )
    with services(as_json) as opened:
        llm = LlmService(opened.settings.llm, opened.store)
        sandbox = Sandbox(config_from_settings(opened.settings.sandbox))
        try:
            healer = ScriptHealer(opened.settings, llm, sandbox, opened.store)
            result = healer.repair(request, on_event=None if as_json else show_event, rounds=rounds)
        finally:
            sandbox.close()
            llm.close()
    written = write and result.status == "fixed"
    if written:
        file.with_name(file.name + ".orig").write_text(code, encoding="utf-8")
        file.write_text(result.code, encoding="utf-8")
    if as_json:
        print_json({**result.as_dict(), "written": written})
    else:
        show_result(result, file, written)
    if result.status == "failed":
        raise typer.Exit(1)

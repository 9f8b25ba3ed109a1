"""`mwo event emit NAME --data '{...}'`: start the workflows listening to a named event."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer

from mwo.cli.context import services
from mwo.cli.output import console, fail, print_json, status_style

events_app = typer.Typer(
    help="Named events that start workflows with `trigger: {type: event}`.", no_args_is_help=True
)


@events_app.command("emit")
def emit(
    name: Annotated[str, typer.Argument(help="Event name, e.g. invoice.received.")],
    data: Annotated[str, typer.Option(help="Event data as a JSON object.")] = "{}",
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Emit an event: every enabled workflow listening to it (and whose filter matches) runs now."""
    payload = _parse_data(data, as_json)
    with services(as_json) as s:
        outcome = s.events.emit(name, payload)
    if as_json:
        from mwo.views import RunRecordView

        runs = [RunRecordView.of(r) for r in outcome.runs]
        print_json({"ok": True, "event": name, "runs": runs, "filter_errors": outcome.filter_errors})
        return
    for run in outcome.runs:
        style = status_style(run.status.value)
        console.print(f"{run.workflow_name}: run {run.id[:8]} [{style}]{run.status.value}[/]")
    for workflow, error in outcome.filter_errors.items():
        console.print(f"[red]{workflow}[/]: filter failed: {error}")
    if not outcome.runs and not outcome.filter_errors:
        console.print(f"no enabled workflow listens to '{name}'")


def _parse_data(data: str, as_json: bool) -> dict[str, Any]:
    try:
        value = json.loads(data)
    except json.JSONDecodeError as exc:
        fail(
            f"--data is not JSON: {exc.msg}",
            """pass a JSON object, e.g. --data '{"amount": 3}'""",
            as_json=as_json,
        )
    if not isinstance(value, dict):
        fail(
            "--data must be a JSON object", """wrap the value, e.g. --data '{"value": 3}'""", as_json=as_json
        )
    return value

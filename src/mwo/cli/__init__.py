"""The `mwo` command line (Typer): every command has --help, errors are one line plus the fix."""

from __future__ import annotations

import typer

from mwo.cli import runs, workflows
from mwo.cli.doctor import doctor
from mwo.cli.secrets import secrets_app

app = typer.Typer(
    name="mwo",
    help="MWO, the Meta Workflow Orchestrator: describe a job, get a workflow that runs every day.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
workflows.register(app)
runs.register(app)
app.add_typer(secrets_app, name="secrets")
app.command()(doctor)


def main() -> None:
    app()

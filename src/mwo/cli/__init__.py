"""The `mwo` command line (Typer): every command has --help, errors are one line plus the fix."""

from __future__ import annotations

from typing import Annotated

# Ctrl-C while the commands load (seconds on a busy machine) ends the command as interrupted, like
# Ctrl-C anywhere else (exit 130), not with a traceback of the import that was running.
try:
    import typer

    from mwo.cli import author, manage, repair, runs, workflows
    from mwo.cli.config import config_app
    from mwo.cli.doctor import doctor
    from mwo.cli.events import events_app
    from mwo.cli.kb import kb_app
    from mwo.cli.llm import llm_app
    from mwo.cli.migrate_store import migrate_store
    from mwo.cli.sandbox import sandbox_app
    from mwo.cli.schedules import schedule_app
    from mwo.cli.script import script_app
    from mwo.cli.secrets import secrets_app
    from mwo.cli.serve import serve
    from mwo.cli.tokens import tokens_app
    from mwo.cli.ui import ui_command
    from mwo.cli.webhooks import webhooks_app
    from mwo.cli.worker import worker
except KeyboardInterrupt:
    raise SystemExit(130) from None

app = typer.Typer(
    name="mwo",
    help="MWO, the Meta Workflow Orchestrator: describe a job, get a workflow that runs every day.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


def _print_version(value: bool) -> None:
    if value:
        from importlib.metadata import PackageNotFoundError, version

        try:
            typer.echo(f"mwo {version('mwo')}")
        except PackageNotFoundError:  # run from a source tree that is not installed
            typer.echo("mwo (not installed)")
        raise typer.Exit()


@app.callback()
def _options(
    show_version: Annotated[
        bool,
        typer.Option("--version", help="Print the version and exit.", callback=_print_version, is_eager=True),
    ] = False,
) -> None:
    """MWO, the Meta Workflow Orchestrator: describe a job, get a workflow that runs every day."""


workflows.register(app)
author.register(app)
runs.register(app)
repair.register(app)
manage.register(app)
app.add_typer(secrets_app, name="secrets")
app.add_typer(schedule_app, name="schedule")
app.add_typer(sandbox_app, name="sandbox")
app.add_typer(script_app, name="script")
app.add_typer(llm_app, name="llm")
app.add_typer(kb_app, name="kb")
app.add_typer(events_app, name="event")
app.add_typer(webhooks_app, name="webhooks")
app.add_typer(tokens_app, name="tokens")
app.add_typer(config_app, name="config")
app.command()(doctor)
app.command()(serve)
app.command()(worker)
app.command("ui")(ui_command)
app.command("migrate-store")(migrate_store)


def main() -> None:
    app()

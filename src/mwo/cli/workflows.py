"""Commands about workflow specs: init, validate, apply, list, show, delete, schema."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from mwo.cli.context import reporting_errors, services
from mwo.cli.findings import print_report
from mwo.cli.output import console, fail, print_json, to_jsonable

if TYPE_CHECKING:
    from mwo.services import Services
    from mwo.spec import Workflow

JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON object.")]


def register(app: typer.Typer) -> None:
    app.command()(init)
    app.command()(validate)
    app.command()(apply)
    app.command("list")(list_workflows)
    app.command()(show)
    app.command()(delete)
    app.command()(schema)


def init(as_json: JsonOpt = False) -> None:
    """Create MWO's home (database, secrets key, checkpoints) and say where it is."""
    with services(as_json) as s:
        home = s.settings.resolved_home()
        s.store.list_secret_names()
        payload = {
            "ok": True,
            "home": str(home),
            "database": s.settings.resolved_database_url(),
            "checkpoints": str(s.settings.resolved_checkpoint_path()),
        }
    if as_json:
        print_json(payload)
        return
    console.print(f"MWO home: [bold]{home}[/]\ndatabase: {payload['database']}")
    console.print(
        "next: [bold]mwo apply examples/daily-digest.mwo.yaml[/] then [bold]mwo run daily-digest[/]"
    )


def validate(
    file: Annotated[Path, typer.Argument(help="A *.mwo.yaml spec file.")],
    dry_run: Annotated[
        bool,
        typer.Option(
            "--dry-run", help="Also run each PYTHON_SCRIPT in the sandbox on sample inputs (no network)."
        ),
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """Check a spec file, saving nothing: every finding, errors and warnings apart; exit 1 on errors."""
    with services(as_json) as s:
        workflow, report = s.applier.check_file(file, dry_run=dry_run)
    payload: dict[str, Any] = {
        "ok": report.ok,
        "name": workflow.name if workflow else None,
        "steps": len(workflow.steps) if workflow else None,
        "content_hash": workflow.content_hash() if workflow else None,
        **report.as_dict(),
    }
    if not report.ok:
        from mwo.validation import ValidationFailed

        failed = ValidationFailed(report, file=str(file))
        payload["error"] = {
            "code": failed.code,
            "message": str(failed),
            "fix": failed.fix,
            "details": payload["errors"],
        }
    if as_json:
        print_json(payload)
    else:
        print_report(report, str(file))
        if workflow and report.ok:
            console.print(
                f"[green]valid:[/] {file} ({workflow.name}, {len(workflow.steps)} steps, "
                f"{len(report.warnings)} warnings)"
            )
    if not report.ok:
        raise typer.Exit(1)


def apply(
    file: Annotated[Path, typer.Argument(help="A *.mwo.yaml spec file.")],
    message: Annotated[str, typer.Option("--message", "-m", help="Why this version.")] = "",
    folder: Annotated[str | None, typer.Option(help="Put the workflow in this folder (a/b/c).")] = None,
    tag: Annotated[list[str] | None, typer.Option(help="Add a tag (repeatable).")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Validate a spec file and save it as the workflow's next version (unchanged content: no new version).

    Errors stop the save; warnings (a secret not set yet, lint) are printed and the spec is saved."""
    with services(as_json) as s:
        version, created, report = s.applier.apply_file_with_report(file, message)
        if folder is not None:
            s.store.move_to_folder(version.workflow_name, folder)
        if tag:
            s.store.tag_workflow(version.workflow_name, add=tag)
        missing = _needs_secrets(s, s.workflow_of(version))
    if as_json:
        print_json(
            {
                "ok": True,
                "name": version.workflow_name,
                "version": version.number,
                "created": created,
                "content_hash": version.content_hash,
                "warnings": [f.as_dict() for f in report.warnings],
                "missing_secrets": missing,
            }
        )
        return
    print_report(report, str(file))
    verb = "saved as version" if created else "unchanged, still version"
    console.print(f"[green]{version.workflow_name}[/]: {verb} {version.number} ({version.content_hash[:12]})")
    if missing:
        _print_needs_secrets(missing)


def _needs_secrets(s: Services, workflow: Workflow) -> list[str]:
    """The secrets `workflow` uses that are not set: it is saved, but a run cannot start."""
    from mwo.engine.preflight import missing_secrets

    return missing_secrets(workflow, set(s.store.list_secret_names()))


def _print_needs_secrets(missing: list[str]) -> None:
    console.print(f"[yellow]needs secrets:[/] {', '.join(missing)} (a run cannot start without them)")
    for name in missing:
        console.print(f"  fix: mwo secrets set {name}", markup=False)


def list_workflows(
    folder: Annotated[str | None, typer.Option(help="Only this folder.")] = None,
    tag: Annotated[str | None, typer.Option(help="Only workflows with this tag.")] = None,
    search: Annotated[str | None, typer.Option(help="Text in the name or description.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """List saved workflows."""
    with services(as_json) as s:
        rows = s.store.list_workflows(folder=folder, tag=tag, search=search)
        needs = {w.name: _needs_secrets(s, s.workflow_of(s.store.get_version(w.name))) for w in rows}
    if as_json:
        print_json(
            {"ok": True, "workflows": [{**to_jsonable(w), "missing_secrets": needs[w.name]} for w in rows]}
        )
        return
    table = Table("name", "version", "enabled", "folder", "tags", "description")
    for w in rows:
        table.add_row(
            w.name,
            str(w.latest_version),
            "yes" if w.enabled else "no",
            w.folder or "",
            ", ".join(w.tags),
            w.description[:60],
        )
    console.print(table if rows else "no workflows yet: `mwo apply FILE` saves one")
    for name, missing in needs.items():
        if missing:
            names = ", ".join(missing)
            fixes = "; ".join(f"mwo secrets set {secret}" for secret in missing)
            console.print(f"[yellow]{name}[/] needs secrets: {names} (fix: {fixes})", soft_wrap=True)


def show(
    name: str,
    version: Annotated[int | None, typer.Option(help="A version number (default: latest).")] = None,
    yaml: Annotated[bool, typer.Option("--yaml", help="Print the spec as YAML only.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Show a workflow: its latest (or given) version, steps and edges."""
    with services(as_json) as s:
        record = s.store.get_version(name, version)
        workflow = s.workflow_of(record)
        meta = s.store.get_workflow(name)
        missing = _needs_secrets(s, workflow)
    if as_json:
        print_json(
            {
                "ok": True,
                "workflow": meta,
                "version": record.number,
                "content_hash": record.content_hash,
                "spec": workflow.canonical_dict(),
                "missing_secrets": missing,
            }
        )
        return
    if yaml:
        typer.echo(record.spec_yaml, nl=False)
        return
    console.print(f"[bold]{name}[/] v{record.number}  {workflow.description}")
    if missing:
        _print_needs_secrets(missing)
    from rich.syntax import Syntax

    from mwo.spec import StepGraph

    table = Table("step", "type", "goes to")
    graph = StepGraph(workflow.steps)
    for step in workflow.steps:
        targets = [
            f"{e.target} (if {e.when})" if e.when else e.target for e in graph.edges if e.source == step.id
        ]
        table.add_row(step.id, step.type.value, ", ".join(targets))
    console.print(table)
    if console.is_terminal:
        console.print(Syntax(record.spec_yaml, "yaml", theme="ansi_dark"))
    else:  # piped or redirected: the spec exactly as saved, never cut to the console's width
        typer.echo(record.spec_yaml, nl=False)


def delete(
    name: str,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Delete a workflow with all its versions, runs and schedule (asks first unless --yes)."""
    with services(as_json) as s:
        meta = s.store.get_workflow(name)  # NotFound before asking
        if not yes:
            if as_json:
                fail(
                    f"deleting {name!r} needs a confirmation",
                    f"run `mwo delete {name} --yes` to delete it without asking",
                    code="confirmation_needed",
                    as_json=as_json,
                )
            question = f"Delete {name!r} (v{meta.latest_version}) with all its versions and runs?"
            if not typer.confirm(question, default=False):
                console.print("nothing deleted")
                raise typer.Exit(1)
        s.store.delete_workflow(name)
    if as_json:
        print_json({"ok": True, "deleted": name})
    else:
        console.print(f"{name}: deleted")


def schema(
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write to a file.")] = None,
) -> None:
    """Print the JSON Schema of the whole workflow language."""
    with reporting_errors():
        from mwo.spec import workflow_json_schema

        text = json.dumps(workflow_json_schema(), ensure_ascii=False, indent=2)
    if output:
        output.write_text(text + "\n", encoding="utf-8")
    else:
        typer.echo(text)

"""Commands about workflow specs: init, validate, apply, list, show, schema."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.syntax import Syntax
from rich.table import Table

from mwo.cli.context import reporting_errors, services
from mwo.cli.output import console, print_json
from mwo.spec import StepGraph, workflow_json_schema

JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON object.")]


def register(app: typer.Typer) -> None:
    app.command()(init)
    app.command()(validate)
    app.command()(apply)
    app.command("list")(list_workflows)
    app.command()(show)
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
    file: Annotated[Path, typer.Argument(help="A *.mwo.yaml spec file.")], as_json: JsonOpt = False
) -> None:
    """Check a spec file (schema, graph, references, secrets) without saving anything."""
    with services(as_json) as s:
        workflow = s.validate_file(file)
    if as_json:
        print_json(
            {
                "ok": True,
                "name": workflow.name,
                "steps": len(workflow.steps),
                "content_hash": workflow.content_hash(),
            }
        )
        return
    console.print(f"[green]valid:[/] {file} ({workflow.name}, {len(workflow.steps)} steps)")


def apply(
    file: Annotated[Path, typer.Argument(help="A *.mwo.yaml spec file.")],
    message: Annotated[str, typer.Option("--message", "-m", help="Why this version.")] = "",
    folder: Annotated[str | None, typer.Option(help="Put the workflow in this folder (a/b/c).")] = None,
    tag: Annotated[list[str] | None, typer.Option(help="Add a tag (repeatable).")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Validate a spec file and save it as the workflow's next version (unchanged content: no new version)."""
    with services(as_json) as s:
        version, created = s.apply_file(file, message)
        if folder is not None:
            s.store.move_to_folder(version.workflow_name, folder)
        if tag:
            s.store.tag_workflow(version.workflow_name, add=tag)
    if as_json:
        print_json(
            {
                "ok": True,
                "name": version.workflow_name,
                "version": version.number,
                "created": created,
                "content_hash": version.content_hash,
            }
        )
        return
    verb = "saved as version" if created else "unchanged, still version"
    console.print(f"[green]{version.workflow_name}[/]: {verb} {version.number} ({version.content_hash[:12]})")


def list_workflows(
    folder: Annotated[str | None, typer.Option(help="Only this folder.")] = None,
    tag: Annotated[str | None, typer.Option(help="Only workflows with this tag.")] = None,
    search: Annotated[str | None, typer.Option(help="Text in the name or description.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """List saved workflows."""
    with services(as_json) as s:
        rows = s.store.list_workflows(folder=folder, tag=tag, search=search)
    if as_json:
        print_json({"ok": True, "workflows": rows})
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
    if as_json:
        print_json(
            {
                "ok": True,
                "workflow": meta,
                "version": record.number,
                "content_hash": record.content_hash,
                "spec": workflow.canonical_dict(),
            }
        )
        return
    if yaml:
        typer.echo(record.spec_yaml, nl=False)
        return
    console.print(f"[bold]{name}[/] v{record.number}  {workflow.description}")
    table = Table("step", "type", "goes to")
    graph = StepGraph(workflow.steps)
    for step in workflow.steps:
        targets = [
            f"{e.target} (if {e.when})" if e.when else e.target for e in graph.edges if e.source == step.id
        ]
        table.add_row(step.id, step.type.value, ", ".join(targets))
    console.print(table)
    console.print(Syntax(record.spec_yaml, "yaml", theme="ansi_dark"))


def schema(
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write to a file.")] = None,
) -> None:
    """Print the JSON Schema of the whole workflow language."""
    with reporting_errors():
        text = json.dumps(workflow_json_schema(), ensure_ascii=False, indent=2)
    if output:
        output.write_text(text + "\n", encoding="utf-8")
    else:
        typer.echo(text)

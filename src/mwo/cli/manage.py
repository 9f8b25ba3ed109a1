"""Commands that manage saved workflows: versions, diff, rollback, enable/disable, folders, tags, stats."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from mwo.cli.context import services
from mwo.cli.output import console, fail, print_json, to_jsonable
from mwo.clock import utc_now

if TYPE_CHECKING:
    from mwo.management import RunStatistics
    from mwo.store.records import VersionRecord

JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON object.")]
_RELATIVE = re.compile(r"^(\d+)([mhdw])$")
_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def register(app: typer.Typer) -> None:
    app.command()(versions)
    app.command()(diff)
    app.command("rollback")(rollback_command)
    app.command()(enable)
    app.command()(disable)
    app.command()(move)
    app.command()(tag)
    app.command()(folders)
    app.command()(stats)


def versions(name: str, as_json: JsonOpt = False) -> None:
    """List a workflow's versions, oldest first."""
    with services(as_json) as s:
        rows = s.store.list_versions(name)
    if as_json:
        print_json({"ok": True, "name": name, "versions": [_version_json(v) for v in rows]})
        return
    table = Table("version", "created", "hash", "message")
    for v in rows:
        table.add_row(str(v.number), f"{v.created_at:%Y-%m-%d %H:%M}", v.content_hash[:12], v.message)
    console.print(table)


def diff(
    name: str,
    from_version: Annotated[int, typer.Argument(help="The older version.")],
    to_version: Annotated[int | None, typer.Argument(help="The newer version (default: latest).")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Show what changed between two versions of a workflow (steps added, removed, changed; YAML diff)."""
    from rich.syntax import Syntax

    from mwo.management import diff_versions

    with services(as_json) as s:
        result = diff_versions(s.store, name, from_version, to_version)
    if as_json:
        print_json({"ok": True, **result.model_dump()})
        return
    if not result.changed:
        console.print(f"{name}: v{result.from_version} and v{result.to_version} are the same")
        return
    for change in result.steps:
        style = {"added": "green", "removed": "red", "changed": "yellow"}[change.change]
        console.print(f"[{style}]{change.change:8}[/] {change.step}")
    console.print(Syntax(result.diff, "diff", theme="ansi_dark"))


def rollback_command(
    name: str,
    version: Annotated[int, typer.Argument(help="The version to bring back.")],
    message: Annotated[str, typer.Option("--message", "-m", help="Why.")] = "",
    as_json: JsonOpt = False,
) -> None:
    """Bring back an earlier version: its spec is saved again as the newest version (history is kept)."""
    from mwo.management import rollback

    with services(as_json) as s:
        saved, created = rollback(s.applier, name, version, message)
    if as_json:
        print_json({"ok": True, "name": name, "version": saved.number, "created": created, "from": version})
        return
    if created:
        console.print(f"[green]{name}[/]: version {version} restored as version {saved.number}")
    else:
        console.print(f"{name}: the latest version {saved.number} already has version {version}'s content")


def enable(name: str, as_json: JsonOpt = False) -> None:
    """Let the workflow's trigger (schedule, events, webhook) start runs again."""
    _set_enabled(name, True, as_json)


def disable(name: str, as_json: JsonOpt = False) -> None:
    """Stop the workflow's trigger from starting runs (it can still be run by hand)."""
    _set_enabled(name, False, as_json)


def _set_enabled(name: str, enabled: bool, as_json: bool) -> None:
    with services(as_json) as s:
        record = s.store.set_enabled(name, enabled)
    if as_json:
        print_json({"ok": True, "workflow": record})
        return
    console.print(f"{name}: {'enabled' if record.enabled else 'disabled'}")


def move(
    name: str,
    folder: Annotated[
        str | None, typer.Argument(help="A folder path such as team/reports; omit for none.")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Put a workflow in a folder (created as needed), or take it out of any."""
    with services(as_json) as s:
        record = s.store.move_to_folder(name, folder)
    if as_json:
        print_json({"ok": True, "workflow": record})
        return
    console.print(f"{name}: in folder {record.folder}" if record.folder else f"{name}: in no folder")


def tag(
    name: str,
    add: Annotated[list[str] | None, typer.Option("--add", help="Tag to add (repeatable).")] = None,
    remove: Annotated[list[str] | None, typer.Option("--remove", help="Tag to remove (repeatable).")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Add or remove tags of a workflow."""
    with services(as_json) as s:
        record = s.store.tag_workflow(name, add=add or (), remove=remove or ())
    if as_json:
        print_json({"ok": True, "workflow": record})
        return
    console.print(f"{name}: tags {', '.join(record.tags) or '(none)'}")


def folders(as_json: JsonOpt = False) -> None:
    """List folders."""
    with services(as_json) as s:
        rows = s.store.list_folders()
    if as_json:
        print_json({"ok": True, "folders": rows})
        return
    console.print("\n".join(f.path for f in rows) if rows else "no folders yet: `mwo move NAME FOLDER`")


def stats(
    name: Annotated[str | None, typer.Argument(help="One workflow (default: all).")] = None,
    since: Annotated[
        str | None, typer.Option(help="Only runs since: 24h, 7d, 4w, or an ISO date/instant.")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Run statistics: success rate, mean and 95th-percentile duration, failure causes by step."""
    from mwo.management import run_statistics

    start = _parse_since(since, as_json) if since else None
    with services(as_json) as s:
        result = run_statistics(s.store, name, start)
    if as_json:
        print_json({"ok": True, **result.model_dump(mode="json")})
        return
    _print_stats(result)


def _parse_since(text: str, as_json: bool) -> datetime:
    relative = _RELATIVE.match(text.strip())
    if relative:
        amount, unit = int(relative.group(1)), _UNITS[relative.group(2)]
        return utc_now() - timedelta(**{unit: amount})
    try:
        instant = datetime.fromisoformat(text)
    except ValueError:
        fail(
            f"--since {text!r} is neither a duration nor an ISO date",
            "use e.g. --since 7d, --since 24h or --since 2026-11-01",
            code="bad_option",
            as_json=as_json,
        )
    return instant if instant.tzinfo else instant.replace(tzinfo=timezone.utc)


def _print_stats(result: RunStatistics) -> None:
    table = Table("workflow", "runs", "succeeded", "failed", "success", "mean s", "p95 s")
    for row in [*result.workflows, result.overall] if len(result.workflows) != 1 else result.workflows:
        rate = f"{row.success_rate:.0%}" if row.success_rate is not None else "-"
        table.add_row(
            row.workflow or "[bold]all[/]",
            str(row.total),
            str(row.by_status.get("succeeded", 0)),
            str(row.by_status.get("failed", 0)),
            rate,
            _seconds(row.duration.mean_s),
            _seconds(row.duration.p95_s),
        )
    console.print(table if result.overall.total else "no runs yet")
    if result.failure_causes:
        causes = Table("workflow", "failed at step", "error type", "runs", title="why runs failed")
        for cause in result.failure_causes:
            causes.add_row(cause.workflow, cause.step or "-", cause.error_type, str(cause.runs))
        console.print(causes)


def _seconds(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def _version_json(v: VersionRecord) -> dict[str, Any]:
    """A version without its spec text (`mwo show NAME --version N --yaml` prints that)."""
    return {key: value for key, value in to_jsonable(v).items() if key != "spec_yaml"}

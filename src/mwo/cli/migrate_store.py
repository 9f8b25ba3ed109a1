"""`mwo migrate-store --to postgresql+psycopg://...`: move this embedded SQLite install to PostgreSQL."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from mwo.cli.context import reporting_errors
from mwo.cli.output import console, fail, print_json

if TYPE_CHECKING:
    from mwo.management.checkpoint_copy import CheckpointCounts
    from mwo.management.store_migration import MigrationReport

SECRETS_NOTE = (
    "secrets and webhook secrets are copied still encrypted (never decrypted): every process on "
    "PostgreSQL must use the same key ({key})"
)


def migrate_store(
    to: Annotated[
        str, typer.Option("--to", help="Target database, e.g. postgresql+psycopg://mwo@db-host:5432/mwo.")
    ],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Only count what would be copied; write nothing.")
    ] = False,
    batch_size: Annotated[int, typer.Option(help="Rows inserted per statement.", min=1)] = 500,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Copy this install's store (MWO_HOME's SQLite database and checkpoints) into an empty PostgreSQL
    database, then verify every table. Stop `mwo serve`, workers and schedulers first. Refuses a
    target that already holds MWO data."""
    from mwo.management.store_migration import StoreMigrationError
    from mwo.management.store_migration import migrate_store as run_migration
    from mwo.settings import Settings

    with reporting_errors(as_json):
        settings = Settings()
        try:
            report = run_migration(settings, to, dry_run=dry_run, batch_size=batch_size)
        except StoreMigrationError as exc:
            fail(str(exc), exc.fix, code=exc.code, as_json=as_json)
    payload = _payload(report)
    if as_json:
        print_json(payload)
        return
    _print_report(report, payload)


def _payload(report: MigrationReport) -> dict[str, Any]:
    return {
        "ok": True,
        "dry_run": report.dry_run,
        "source": report.source,
        "target": report.target,
        "rows": report.rows,
        "tables": [
            {"table": t.table, "source": t.source, "target": t.target, "verified": t.verified}
            for t in report.tables
        ],
        "checkpoints": {
            "source": _checkpoint_counts(report.checkpoints),
            "target": _checkpoint_counts(report.checkpoints_copied),
        },
        "secrets": {"copied_encrypted": True, "key": report.secret_key_source},
        "knowledge": {
            "documents": report.knowledge_documents,
            "dir": str(report.knowledge_dir),
            "in_database": False,
        },
        "database_url": report.database_url_setting,
    }


def _checkpoint_counts(counts: CheckpointCounts | None) -> dict[str, int] | None:
    return None if counts is None else {"checkpoints": counts.checkpoints, "writes": counts.writes}


def _print_report(report: MigrationReport, payload: dict[str, Any]) -> None:
    from rich.table import Table

    console.print(f"from {report.source}\nto   {report.target}", soft_wrap=True)
    title = "would copy (dry run, nothing written)" if report.dry_run else "copied and verified"
    table = Table(title=title)
    table.add_column("table")
    table.add_column("source", justify="right")
    table.add_column("target", justify="right")
    for row in payload["tables"]:
        table.add_row(row["table"], str(row["source"]), "-" if row["target"] is None else str(row["target"]))
    checkpoints = payload["checkpoints"]
    target = checkpoints["target"]
    table.add_row(
        "checkpoints (LangGraph)",
        f"{checkpoints['source']['checkpoints']} (+{checkpoints['source']['writes']} writes)",
        "-" if target is None else f"{target['checkpoints']} (+{target['writes']} writes)",
    )
    console.print(table)
    console.print(SECRETS_NOTE.format(key=report.secret_key_source))
    console.print(
        f"the knowledge base ({report.knowledge_documents} documents) is not in the database: it stays in "
        f"{report.knowledge_dir}; copy that directory to the MWO_HOME of every host that searches it"
    )
    if report.dry_run:
        console.print(f"{report.rows} rows would be copied; run again without --dry-run to copy them")
    else:
        console.print(
            f"{report.rows} rows copied. Next: set MWO_DATABASE_URL={report.database_url_setting} "
            "(with its password) for every MWO process, and keep the secrets key"
        )

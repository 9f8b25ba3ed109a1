"""`mwo doctor`: what works on this machine, checked for real, each problem with its fix."""

from __future__ import annotations

import shutil
import socket
from dataclasses import dataclass
from typing import Annotated

import typer
from rich.table import Table

from mwo.cli.context import reporting_errors
from mwo.cli.output import console, print_json
from mwo.services import Services
from mwo.settings import Settings
from mwo.spec import StepType


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str
    fix: str = ""


def doctor(as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False) -> None:
    """Check the database, secrets key, checkpoints, step executors, sandbox, model and SMTP."""
    with reporting_errors(as_json):
        settings = Settings()
    checks: list[Check] = []
    try:
        s = Services.open(settings)
    except Exception as exc:  # doctor reports every failure instead of stopping at the first
        checks.append(
            Check(
                "database",
                False,
                f"{type(exc).__name__}: {exc}",
                "check MWO_DATABASE_URL / MWO_HOME and file permissions",
            )
        )
    else:
        try:
            checks.extend(_service_checks(s))
        finally:
            s.close()
    checks.extend(_host_checks(settings))
    healthy = all(c.ok for c in checks if c.name in ("database", "secrets key", "checkpoints"))
    if as_json:
        print_json({"ok": healthy, "checks": checks})
    else:
        table = Table("check", "ok", "detail", "fix")
        for c in checks:
            table.add_row(c.name, "[green]yes[/]" if c.ok else "[red]no[/]", c.detail, c.fix)
        console.print(table)
    if not healthy:
        raise typer.Exit(1)


def _service_checks(s: Services) -> list[Check]:
    checks = []
    url = s.settings.resolved_database_url()
    count = len(s.store.list_workflows())
    checks.append(Check("database", True, f"{_redact_url(url)} ({count} workflows)"))
    names = s.store.list_secret_names()
    checks.append(Check("secrets key", True, f"{len(names)} secret(s) readable"))
    checks.append(Check("checkpoints", True, str(s.settings.resolved_checkpoint_path())))
    supported = s.registry.supported()
    for step_type in StepType:
        ok = step_type in supported
        checks.append(
            Check(
                f"step {step_type.value}",
                ok,
                "ready" if ok else "not installed yet",
                "" if ok else "arrives with its component (sandbox / LLM layer)",
            )
        )
    return checks


def _host_checks(settings: Settings) -> list[Check]:
    bwrap = shutil.which("bwrap")
    checks = [
        Check(
            "sandbox",
            bwrap is not None,
            f"bubblewrap at {bwrap}" if bwrap else "bubblewrap not found",
            "" if bwrap else "run `make setup` (installs bubblewrap) or apt-get install bubblewrap",
        ),
        Check(
            "local model",
            False,
            "not assembled (the LLM layer is not installed yet)",
            "LLM_CALL steps arrive with the LLM layer",
        ),
    ]
    try:
        with socket.create_connection((settings.smtp_host, settings.smtp_port), timeout=1.0):
            checks.append(Check("smtp", True, f"{settings.smtp_host}:{settings.smtp_port} reachable"))
    except OSError as exc:
        checks.append(
            Check(
                "smtp",
                False,
                f"{settings.smtp_host}:{settings.smtp_port}: {exc.strerror or exc}",
                "set MWO_SMTP_HOST / MWO_SMTP_PORT for email notifications",
            )
        )
    return checks


def _redact_url(url: str) -> str:
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        return f"{scheme}://***@{rest.split('@', 1)[1]}"
    return url

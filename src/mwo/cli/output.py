"""How the CLI speaks: rich tables for people, one JSON object with --json, errors as one line + fix."""

from __future__ import annotations

import dataclasses
import json
from datetime import datetime
from enum import Enum
from typing import Any, NoReturn

import typer
from rich.console import Console

console = Console(highlight=False)
err_console = Console(stderr=True, highlight=False)


def to_jsonable(value: Any) -> Any:
    """`value` as plain JSON values. A view model (`mwo.views`: runs, step attempts, log lines) is
    encoded by pydantic, with timestamps in the CLI's form (`TimestampForm.ISOFORMAT`). The store's
    other records (workflows, versions, inbox messages, schedules, repair proposals, ...) are plain
    dataclasses converted here: pydantic would write their datetimes with `Z`, and the `--json`
    shapes have always had `datetime.isoformat()` (`+00:00`)."""
    from pydantic import BaseModel  # here: `mwo --help` and the commands without a store skip pydantic

    if isinstance(value, BaseModel):
        from mwo.views import TimestampForm

        return value.model_dump(mode="json", context=TimestampForm.ISOFORMAT)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_jsonable(v) for v in value]
    return value


def print_json(payload: dict[str, Any]) -> None:
    typer.echo(json.dumps(to_jsonable(payload), ensure_ascii=False, indent=2))


def fail(
    message: str,
    fix: str,
    *,
    code: str = "error",
    as_json: bool = False,
    exit_code: int = 1,
    details: Any = None,
) -> NoReturn:
    """Print an error (one line, then the fix) and exit non-zero."""
    if as_json:
        error: dict[str, Any] = {"code": code, "message": message, "fix": fix}
        if details is not None:
            error["details"] = details
        print_json({"ok": False, "error": error})
    else:
        err_console.print(f"[bold red]error:[/] {message}", markup=True, soft_wrap=True)
        if fix:
            err_console.print(f"[yellow]fix:[/] {fix}", soft_wrap=True)
    raise typer.Exit(exit_code)


def status_style(status: str) -> str:
    return {
        "succeeded": "green",
        "failed": "red",
        "cancelled": "yellow",
        "waiting_approval": "magenta",
        "waiting_repair": "magenta",
        "running": "cyan",
        "queued": "blue",
    }.get(status, "white")

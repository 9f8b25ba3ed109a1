"""`mwo tokens create|list|revoke`: API tokens for the REST API. A token is printed once, at
creation; afterwards only its name, id, scope and times are shown (the store keeps only a hash)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from mwo.cli.context import services
from mwo.cli.option_values import TokenScopeChoice
from mwo.cli.output import console, err_console, fail, print_json
from mwo.clock import utc_now

if TYPE_CHECKING:
    from mwo.store.records import ApiTokenRecord

tokens_app = typer.Typer(
    help="API tokens for the REST API (scopes: read < write < admin).", no_args_is_help=True
)
JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON object.")]


@contextmanager
def _token_errors(as_json: bool) -> Iterator[None]:
    from mwo.auth import TokenError

    try:
        yield
    except TokenError as exc:
        fail(str(exc), exc.fix, code=exc.code, as_json=as_json)


@tokens_app.command("create")
def create(
    name: Annotated[str, typer.Argument(help="A name for the token, e.g. ci-deploy.")],
    scope: Annotated[
        TokenScopeChoice,
        typer.Option(help="read: GETs; write: also change, run; admin: also tokens, secrets."),
    ] = TokenScopeChoice.READ,
    expires_days: Annotated[
        int | None, typer.Option("--expires-days", min=1, help="Expire after N days (default: never).")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Create a token and print it once: store it now, it cannot be shown again."""
    from mwo.auth import TokenService
    from mwo.store.records import TokenScope

    expires_in = timedelta(days=expires_days) if expires_days is not None else None
    with services(as_json) as s, _token_errors(as_json):
        issued = TokenService(s.store).issue(name, TokenScope(scope.value), expires_in)
    if as_json:
        print_json({"ok": True, "token": issued.token, "api_token": token_json(issued.record)})
        return
    typer.echo(issued.token)
    err_console.print(
        f"token [bold]{name}[/] ({scope.value}) created; this is the only time it is shown. "
        "Send it as `Authorization: Bearer <token>`."
    )


@tokens_app.command("list")
def list_tokens(as_json: JsonOpt = False) -> None:
    """Every token with its scope and state (never the token itself)."""
    from mwo.auth import TokenService

    with services(as_json) as s:
        rows = TokenService(s.store).list_tokens()
    if as_json:
        print_json({"ok": True, "tokens": [token_json(r) for r in rows]})
        return
    table = Table("name", "id", "scope", "state", "created", "last used", "expires")
    for r in rows:
        table.add_row(
            r.name,
            r.token_id,
            r.scope.value,
            token_state(r),
            f"{r.created_at:%Y-%m-%d %H:%M}",
            f"{r.last_used_at:%Y-%m-%d %H:%M}" if r.last_used_at else "never",
            f"{r.expires_at:%Y-%m-%d %H:%M}" if r.expires_at else "never",
        )
    console.print(table if rows else "no API tokens yet: `mwo tokens create NAME --scope read`")


@tokens_app.command("revoke")
def revoke(name: str, as_json: JsonOpt = False) -> None:
    """Revoke a token at once: requests with it are refused (401) from now on."""
    from mwo.auth import TokenService

    with services(as_json) as s:
        record = TokenService(s.store).revoke(name)
    if as_json:
        print_json({"ok": True, "api_token": token_json(record)})
        return
    console.print(f"token [bold]{record.name}[/] revoked")


def token_json(record: ApiTokenRecord) -> dict[str, Any]:
    """A token as --json shows it: the record (no secret, no hash) plus its state now."""
    return {
        "name": record.name,
        "token_id": record.token_id,
        "scope": record.scope,
        "state": token_state(record),
        "created_at": record.created_at,
        "last_used_at": record.last_used_at,
        "expires_at": record.expires_at,
        "revoked_at": record.revoked_at,
    }


def token_state(record: ApiTokenRecord) -> str:
    if record.revoked_at is not None:
        return "revoked"
    return "active" if record.is_active(utc_now()) else "expired"

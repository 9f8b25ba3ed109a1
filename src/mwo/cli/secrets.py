"""`mwo secrets set|list|delete`: values go in encrypted and never come out through the CLI."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from mwo.cli.context import services
from mwo.cli.output import console, print_json
from mwo.clock import utc_now

secrets_app = typer.Typer(help="Named secrets (API keys, tokens), encrypted at rest.", no_args_is_help=True)
JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON object.")]


@secrets_app.command("set")
def set_secret(
    name: Annotated[str, typer.Argument(help="UPPER_CASE name, used as {{ secrets.NAME }}.")],
    value: Annotated[
        str | None, typer.Option(help="The value (default: read from stdin or a prompt).")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Create or replace a secret. Prefer stdin or the prompt: --value lands in shell history."""
    if value is None:
        value = (
            sys.stdin.readline().rstrip("\n")
            if not sys.stdin.isatty()
            else typer.prompt(f"value of {name}", hide_input=True)
        )
    with services(as_json) as s:
        s.store.set_secret(name, value, utc_now())
    if as_json:
        print_json({"ok": True, "name": name})
    else:
        console.print(f"secret [bold]{name}[/] saved (encrypted)")


@secrets_app.command("list")
def list_secrets(as_json: JsonOpt = False) -> None:
    """Names of the stored secrets (never their values)."""
    with services(as_json) as s:
        names = s.store.list_secret_names()
    if as_json:
        print_json({"ok": True, "secrets": names})
        return
    console.print("\n".join(names) if names else "no secrets yet: `mwo secrets set NAME`")


@secrets_app.command("delete")
def delete_secret(name: str, as_json: JsonOpt = False) -> None:
    """Delete a secret."""
    with services(as_json) as s:
        s.store.delete_secret(name)
    if as_json:
        print_json({"ok": True, "name": name})
    else:
        console.print(f"secret [bold]{name}[/] deleted")

"""`mwo webhooks show|rotate NAME [--grace SECONDS]`: the URL a sender posts to and the secrets it
signs with, each with when it stops working."""

from __future__ import annotations

import os
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Annotated, Any

import typer

from mwo.cli.context import services
from mwo.cli.option_values import WEBHOOK_GRACE_S
from mwo.cli.output import console, fail, print_json
from mwo.clock import utc_now

if TYPE_CHECKING:
    from mwo.services import Services

webhooks_app = typer.Typer(help="Webhook triggers: URL and signing secrets.", no_args_is_help=True)
JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON object.")]
DEFAULT_BASE_URL = "http://127.0.0.1:8000"


def _base_url() -> str:
    """Where senders reach the API: MWO_PUBLIC_URL, else the local default of the API server."""
    return os.environ.get("MWO_PUBLIC_URL") or DEFAULT_BASE_URL


def _check_webhook(s: Services, name: str, as_json: bool) -> None:
    from mwo.triggers.webhooks import is_webhook_workflow

    workflow = s.workflow_of(s.store.get_version(name))
    if not is_webhook_workflow(workflow):
        fail(
            f"workflow {name!r} has no webhook trigger",
            "set `trigger: {type: webhook}` in its spec and apply it again",
            code="not_webhook",
            as_json=as_json,
        )


def _payload(name: str, ends: list[tuple[str, datetime | None]]) -> dict[str, Any]:
    """`secrets` newest first; `valid_until[i]` is when `secrets[i]` stops working (None: no end)."""
    from mwo.triggers.webhooks import webhook_url

    return {
        "ok": True,
        "workflow": name,
        "url": webhook_url(_base_url(), name),
        "secrets": [secret for secret, _ in ends],
        "valid_until": [end.isoformat() if end else None for _, end in ends],
    }


@webhooks_app.command("show")
def show(name: str, as_json: JsonOpt = False) -> None:
    """The URL to POST to and the active secrets (newest first), each with when it stops working."""
    with services(as_json) as s:
        _check_webhook(s, name, as_json)
        ends = s.store.list_webhook_secret_ends(name, utc_now())
    _print(_payload(name, ends), as_json)


GraceOpt = Annotated[
    int,
    typer.Option(
        "--grace",
        min=0,
        help="Seconds the previous secrets stay valid (senders switch over meanwhile); 0 revokes them now.",
    ),
]


@webhooks_app.command("rotate")
def rotate(name: str, grace: GraceOpt = WEBHOOK_GRACE_S, as_json: JsonOpt = False) -> None:
    """Add a new secret; the previous ones stay valid for --grace seconds (24 hours), then expire."""
    from mwo.triggers.webhooks import rotate_webhook_secret

    with services(as_json) as s:
        _check_webhook(s, name, as_json)
        now = utc_now()
        rotate_webhook_secret(s.store, name, now, grace=timedelta(seconds=grace))
        ends = s.store.list_webhook_secret_ends(name, now)
    until = now + timedelta(seconds=grace)
    payload = _payload(name, ends) | {"previous_valid_until": until.isoformat(), "grace_s": grace}
    _print(payload, as_json)


def _print(payload: dict[str, Any], as_json: bool) -> None:
    if as_json:
        print_json(payload)
        return
    console.print(f"url: {payload['url']}")
    secrets, ends = payload["secrets"], payload["valid_until"]
    for index, (secret, end) in enumerate(zip(secrets, ends, strict=True)):
        newest = " (newest)" if index == 0 and len(secrets) > 1 else ""
        console.print(f"secret: {secret}{newest}" + (f", valid until {end}" if end else ""), soft_wrap=True)
    if payload.get("grace_s") == 0:
        console.print("previous secrets are revoked now: deliveries signed with them are refused (401)")
    elif "previous_valid_until" in payload:
        console.print(f"previous secrets stay valid until {payload['previous_valid_until']}")

"""`mwo webhooks show|rotate NAME`: the URL a sender posts to and the secrets it signs with."""

from __future__ import annotations

import os
from typing import Annotated, Any

import typer

from mwo.cli.context import services
from mwo.cli.output import console, fail, print_json
from mwo.clock import utc_now
from mwo.services import Services
from mwo.triggers.webhooks import ROTATION_GRACE, is_webhook_workflow, rotate_webhook_secret, webhook_url

webhooks_app = typer.Typer(help="Webhook triggers: URL and signing secrets.", no_args_is_help=True)
JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON object.")]
DEFAULT_BASE_URL = "http://127.0.0.1:8000"


def _base_url() -> str:
    """Where senders reach the API: MWO_PUBLIC_URL, else the local default of the API server."""
    return os.environ.get("MWO_PUBLIC_URL") or DEFAULT_BASE_URL


def _check_webhook(s: Services, name: str, as_json: bool) -> None:
    workflow = s.workflow_of(s.store.get_version(name))
    if not is_webhook_workflow(workflow):
        fail(
            f"workflow {name!r} has no webhook trigger",
            "set `trigger: {type: webhook}` in its spec and apply it again",
            code="not_webhook",
            as_json=as_json,
        )


def _payload(name: str, secrets: list[str]) -> dict[str, Any]:
    return {"ok": True, "workflow": name, "url": webhook_url(_base_url(), name), "secrets": secrets}


@webhooks_app.command("show")
def show(name: str, as_json: JsonOpt = False) -> None:
    """The URL to POST to and the active secrets (newest first) to sign deliveries with."""
    with services(as_json) as s:
        _check_webhook(s, name, as_json)
        secrets = s.store.list_webhook_secrets(name, utc_now())
    _print(_payload(name, secrets), as_json)


@webhooks_app.command("rotate")
def rotate(name: str, as_json: JsonOpt = False) -> None:
    """Add a new secret; the previous ones stay valid for 24 hours, then expire."""
    with services(as_json) as s:
        _check_webhook(s, name, as_json)
        now = utc_now()
        rotate_webhook_secret(s.store, name, now)
        secrets = s.store.list_webhook_secrets(name, now)
    payload = _payload(name, secrets) | {"previous_valid_until": (now + ROTATION_GRACE).isoformat()}
    _print(payload, as_json)


def _print(payload: dict[str, Any], as_json: bool) -> None:
    if as_json:
        print_json(payload)
        return
    console.print(f"url: {payload['url']}")
    for index, secret in enumerate(payload["secrets"]):
        console.print(
            f"secret: {secret}" + (" (newest)" if index == 0 and len(payload["secrets"]) > 1 else "")
        )
    if "previous_valid_until" in payload:
        console.print(f"previous secrets stay valid until {payload['previous_valid_until']}")

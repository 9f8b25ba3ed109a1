"""Webhook triggers: per-workflow signing secrets (generated on apply, rotated with a grace period)
and Standard Webhooks verification that never lets a malformed request become a server error.

Verification follows https://www.standardwebhooks.com (the `standardwebhooks` package): HMAC-SHA256
over `webhook-id.webhook-timestamp.body`, a timestamp within +-5 minutes, any active secret.
"""

from __future__ import annotations

import base64
import json
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from mwo.errors import FixableError
from mwo.spec import Workflow
from mwo.spec.triggers import WebhookTrigger
from mwo.store.abc import WebhookStore

SECRET_PREFIX = "whsec_"
ROTATION_GRACE = timedelta(hours=24)
"""How long the previous secrets stay valid after `mwo webhooks rotate` by default (`--grace`)."""
MAX_WEBHOOK_ID_LENGTH = 200
"""The dedupe column's width; a longer id is refused (400) rather than truncated."""
REQUIRED_HEADERS = ("webhook-id", "webhook-timestamp", "webhook-signature")


def new_secret() -> str:
    """A Standard Webhooks secret: `whsec_` and 24 random bytes in base64."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(24)).decode()


def is_webhook_workflow(workflow: Workflow) -> bool:
    return isinstance(workflow.trigger, WebhookTrigger)


def ensure_webhook_secret(store: WebhookStore, workflow: Workflow, now: datetime) -> None:
    """Give a workflow with a webhook trigger its first secret (nothing when it has one or no webhook)."""
    if is_webhook_workflow(workflow) and not store.list_webhook_secrets(workflow.name, now):
        store.add_webhook_secret(workflow.name, new_secret(), now)


def rotate_webhook_secret(
    store: WebhookStore, workflow_name: str, now: datetime, grace: timedelta = ROTATION_GRACE
) -> str:
    """Add a new secret; the ones active now stay valid for `grace` at most (senders switch over
    meanwhile); a zero grace revokes them at once, after a leak. Returns the new secret."""
    if grace < timedelta(0):
        raise ValueError("the grace period cannot be negative")
    secret = new_secret()
    store.add_webhook_secret(workflow_name, secret, now, retire_others_at=now + grace)
    return secret


def webhook_url(base_url: str, workflow_name: str) -> str:
    return f"{base_url.rstrip('/')}/hooks/{workflow_name}"


class WebhookRejected(FixableError):
    """A delivery that is refused: `title` is the short answer, the message the detail; the two
    subclasses say why (the API maps them to 401 and 400 in api/errors.py)."""

    code = "webhook_rejected"

    def __init__(self, title: str, message: str, fix: str) -> None:
        super().__init__(message, fix)
        self.title = title


class WebhookUnauthenticated(WebhookRejected):
    """No signature to check, or none that an active secret made."""

    code = "webhook_unauthenticated"

    def __init__(self, title: str, message: str) -> None:
        super().__init__(title, message, _SIGN_FIX)


class WebhookMalformed(WebhookRejected):
    """A header or the body cannot be read."""

    code = "webhook_malformed"

    def __init__(self, title: str, message: str) -> None:
        super().__init__(title, message, _FORMAT_FIX)


_SIGN_FIX = (
    "sign each delivery with the workflow's secret (`mwo webhooks show WORKFLOW`), as Standard Webhooks do"
)
_FORMAT_FIX = "send the webhook-id, webhook-timestamp and webhook-signature headers and a JSON body"


@dataclass(frozen=True)
class Delivery:
    """A verified delivery: its id (for dedupe) and its JSON body."""

    webhook_id: str
    payload: Any


def verify_delivery(body: bytes, headers: Mapping[str, str], active_secrets: Sequence[str]) -> Delivery:
    """Check the signature with each active secret; raises WebhookUnauthenticated when a signing
    header is missing or no secret matches, WebhookMalformed when a header or the body is unreadable."""
    lowered = {key.lower(): value for key, value in headers.items()}
    missing = [name for name in REQUIRED_HEADERS if not lowered.get(name)]
    if missing:  # no signature to check: authentication missing (401), as the reference library has it
        raise WebhookUnauthenticated(
            "Missing webhook signature", f"missing header(s): {', '.join(missing)}; sign the delivery"
        )
    wanted = {name: lowered[name] for name in REQUIRED_HEADERS}
    if len(wanted["webhook-id"]) > MAX_WEBHOOK_ID_LENGTH:
        raise WebhookMalformed(
            "Malformed webhook headers", f"webhook-id is longer than {MAX_WEBHOOK_ID_LENGTH} characters"
        )
    if not active_secrets:
        raise WebhookUnauthenticated("Invalid signature", "this workflow has no active webhook secret")
    last_error = "no matching signature found"
    for secret in active_secrets:
        try:
            Webhook(secret).verify(body, wanted, json_parse=False)
        except WebhookVerificationError as exc:
            last_error = str(exc)
            if "timestamp" in last_error.lower() or "header" in last_error.lower():
                break  # the same for every secret: the timestamp is stale or unreadable
            continue
        except ValueError as exc:  # a signature entry without a comma, bad base64, a non-UTF-8 body
            raise WebhookMalformed("Malformed webhook request", f"cannot read the request: {exc}") from exc
        return Delivery(wanted["webhook-id"], _json(body))
    if "headers" in last_error.lower() and "signature" in last_error.lower():
        raise WebhookMalformed("Malformed webhook headers", "webhook-timestamp is not a number")
    raise WebhookUnauthenticated("Invalid signature", last_error)


def _json(body: bytes) -> Any:
    try:
        return json.loads(body)
    except (ValueError, RecursionError) as exc:  # RecursionError: nested too deep to parse
        raise WebhookMalformed("Body is not JSON", f"the body must be JSON: {exc}") from exc

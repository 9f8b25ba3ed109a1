"""The shared base of the notification channels: one rendered message (`Outbox`) and its helpers.

A channel module gets an Outbox and returns the output's `detail`; the Outbox renders fields, POSTs
through the network guard with the channel's failure typing, and records what was used. Failures are
typed for the retry policy: a refused message (4xx, bad login) is DELIVERY and is not retried, since
sending it again changes nothing; a server error or an unreachable server may pass, so those are
HTTP_STATUS (5xx, 429) or CONNECTION.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from mwo.engine.executor import StepContext
from mwo.engine.failures import StepFailed
from mwo.engine.guarded_http import GuardedHttp, describe_origin
from mwo.errors import FailureKind
from mwo.spec import NotificationStep
from mwo.store.records import LogLevel
from mwo.text import as_text

__all__ = [
    "HTTP_TIMEOUT_S",
    "Outbox",
    "Sender",
    "delivered_output",
    "render_text",
    "truncate",
    "webhook_fix",
    "with_subject",
]

HTTP_TIMEOUT_S = 30.0
"""Time limit of an HTTP channel's request when the step sets no timeout_s."""


@dataclass
class Outbox:
    """One rendered message and what a sender may use to deliver it."""

    step: NotificationStep
    ctx: StepContext
    subject: str | None
    body: str
    http: GuardedHttp
    record: dict[str, Any] = field(default_factory=dict)
    """The rendered input recorded on the step run; senders add what they used."""

    @property
    def timeout_s(self) -> float:
        return self.step.timeout_s or HTTP_TIMEOUT_S

    def text(self, template: str | None, what: str) -> str:
        """Render one field of the step to text."""
        return render_text(self.ctx, template, what)

    def secret_behind(self, template: str | None, default: str) -> str:
        """The secret a field's template reads, for a fix that names it (e.g. KAKAO_ACCESS_TOKEN)."""
        if template is None:
            return default
        names = [ref.name for ref in self.ctx.templates.references(template) if ref.root == "secrets"]
        return next((name for name in names if name), default)

    def post(self, url: str, rejected_fix: Callable[[int], str], **content: Any) -> httpx.Response:
        """POST through the guard; 4xx -> DELIVERY, 429 and 5xx -> HTTP_STATUS (retryable)."""
        channel = self.step.channel.value
        headers = {"User-Agent": self.ctx.settings.http_user_agent, **content.pop("headers", {})}
        try:
            request = self.http.client.build_request("POST", url, headers=headers, **content)
        except httpx.InvalidURL as exc:
            raise StepFailed(
                FailureKind.CONFIG,
                f"the {channel} URL is not valid: {exc}",
                "check the URL (or the secret that holds it)",
            ) from exc
        exchange = self.http.send(request, self.timeout_s)
        response = exchange.response
        if response.is_success:
            return response
        status = response.status_code
        excerpt = " ".join(response.text[:200].split())
        message = (
            f"{channel} notification to {describe_origin(exchange.url)} was answered {status} "
            f"{response.reason_phrase}" + (f": {excerpt}" if excerpt else "")
        )
        if status == 429 or status >= 500:
            fix = "the service is busy or failing; the retry policy retries 429 and 5xx answers"
            raise StepFailed(FailureKind.HTTP_STATUS, message, fix, status=status)
        raise StepFailed(FailureKind.DELIVERY, message, rejected_fix(status), status=status)


Sender = Callable[[Outbox], dict[str, Any]]
"""Delivers one message over one channel and returns the output's `detail`."""


def delivered_output(step: NotificationStep, detail: dict[str, Any]) -> dict[str, Any]:
    """The step's output (and the outbox's receipt) once the channel accepted the message."""
    return {"channel": step.channel.value, "delivered": True, "detail": detail}


def render_text(ctx: StepContext, template: str | None, what: str) -> str:
    """Render one field to stripped, non-empty text (secrets often carry a trailing newline)."""
    text = as_text(ctx.render(template or ""))
    if not text.strip():
        raise StepFailed(
            FailureKind.CONFIG,
            f"`{what}` rendered to an empty value",
            f"check the template or secret behind `{what}`",
        )
    return text.strip()


def truncate(box: Outbox, text: str, limit: int, where: str) -> tuple[str, bool]:
    """Cut `text` to `limit` characters (ending in an ellipsis) and say so in the step log."""
    if len(text) <= limit:
        return text, False
    box.ctx.log(
        LogLevel.WARNING,
        f"the message has {len(text)} characters; {where} allows {limit}, so it was shortened",
    )
    return text[: limit - 1] + "…", True


def with_subject(box: Outbox, bold: str) -> str:
    return f"{bold}{box.subject}{bold}\n{box.body}" if box.subject else box.body


def webhook_fix(box: Outbox, service: str) -> Callable[[int], str]:
    secret = box.secret_behind(box.step.webhook_url, "the webhook URL")

    def fix(status: int) -> str:
        if status in (401, 403, 404, 410):
            return (
                f"the {service} webhook URL is no longer valid (removed, or the channel is gone): create "
                f"a new one and store it in {secret}"
            )
        return f"{service} refused the message: read its answer above and check the message content"

    return fix

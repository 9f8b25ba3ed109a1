"""NOTIFICATION: sends the step's message over one channel; one small sender per channel.

Output: `{"channel", "delivered": true, "detail": {...}}`; the detail says what the far end gave back
(message id, status code, inbox message id). Failures are typed for the retry policy: a refused
message (4xx, bad login) is DELIVERY and is not retried, since sending it again changes nothing; a
server error or an unreachable server may pass, so those are HTTP_STATUS (5xx, 429) or CONNECTION.

Every HTTP channel goes through the network guard: Slack, Discord and webhook URLs usually come from
secrets, which a workflow author controls as much as any other URL. Those URLs' paths are the
credentials themselves, so messages and log lines name only their scheme and host.
"""

from __future__ import annotations

import hashlib
import json
import smtplib
import ssl
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from types import MappingProxyType
from typing import Any

import httpx

from mwo.engine.executor import StepContext
from mwo.engine.failures import StepFailed
from mwo.engine.net_guard import (
    GuardedHttp,
    NetGuard,
    Resolver,
    client_scope,
    describe_origin,
    system_resolver,
)
from mwo.errors import FailureKind
from mwo.settings import Settings
from mwo.spec import Channel, NotificationStep, StepBase, StepType
from mwo.store.records import LogLevel

__all__ = ["DISCORD_MAX_CHARS", "KAKAO_MAX_CHARS", "NotificationExecutor"]

DISCORD_MAX_CHARS = 2000
"""Discord rejects a webhook message whose content is longer."""
KAKAO_MAX_CHARS = 200
"""Kakao's text template shows at most this many characters."""
HTTP_TIMEOUT_S = 30.0
"""Time limit of an HTTP channel's request when the step sets no timeout_s."""


@dataclass
class _Outbox:
    """One rendered message and what a sender may use to deliver it."""

    step: NotificationStep
    ctx: StepContext
    subject: str | None
    body: str
    http: GuardedHttp
    client: httpx.Client
    record: dict[str, Any] = field(default_factory=dict)
    """The rendered input recorded on the step run; senders add what they used."""

    @property
    def timeout_s(self) -> float:
        return self.step.timeout_s or HTTP_TIMEOUT_S

    def text(self, template: str | None, what: str) -> str:
        """Render one field of the step to text."""
        return _render_text(self.ctx, template, what)

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
            request = self.client.build_request("POST", url, headers=headers, **content)
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


Sender = Callable[[_Outbox], dict[str, Any]]
"""Delivers one message over one channel and returns the output's `detail`."""


class NotificationExecutor:
    """Runs NOTIFICATION steps.

    `client`: an httpx.Client to share (the caller closes it); by default one is opened per attempt.
    `resolver`: how host names become addresses for the SSRF check (tests inject a fake DNS).
    """

    step_type = StepType.NOTIFICATION
    side_effects = True

    def __init__(self, client: httpx.Client | None = None, resolver: Resolver = system_resolver) -> None:
        self._client = client
        self._resolver = resolver

    def execute(self, step: StepBase, ctx: StepContext) -> dict[str, Any]:
        """Render subject and body, hand them to the channel's sender, and report what it delivered."""
        if not isinstance(step, NotificationStep):
            raise TypeError(f"NotificationExecutor got a {type(step).__name__}")
        with client_scope(self._client) as client:
            http = GuardedHttp(
                NetGuard(ctx.network, self._resolver), client, ctx.log, describe=describe_origin
            )
            box = _Outbox(
                step, ctx, _render_subject(step, ctx), _render_text(ctx, step.body, "body"), http, client
            )
            box.record.update(channel=step.channel.value, subject=box.subject, body=box.body)
            ctx.rendered_input = box.record
            detail = _SENDERS[step.channel](box)
        return {"channel": step.channel.value, "delivered": True, "detail": detail}


def _render_text(ctx: StepContext, template: str | None, what: str) -> str:
    """Render one field to stripped, non-empty text (secrets often carry a trailing newline)."""
    value = ctx.render(template or "")
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    if not text.strip():
        raise StepFailed(
            FailureKind.CONFIG,
            f"`{what}` rendered to an empty value",
            f"check the template or secret behind `{what}`",
        )
    return text.strip()


def _render_subject(step: NotificationStep, ctx: StepContext) -> str | None:
    """The subject on one line: a header cannot hold line breaks, and chat titles read better so."""
    if step.subject is None:
        return None
    value = ctx.render(step.subject)
    return " ".join(str(value).split()) or None


def _truncate(box: _Outbox, text: str, limit: int, where: str) -> tuple[str, bool]:
    """Cut `text` to `limit` characters (ending in an ellipsis) and say so in the step log."""
    if len(text) <= limit:
        return text, False
    box.ctx.log(
        LogLevel.WARNING,
        f"the message has {len(text)} characters; {where} allows {limit}, so it was shortened",
    )
    return text[: limit - 1] + "…", True


def _with_subject(box: _Outbox, bold: str) -> str:
    return f"{bold}{box.subject}{bold}\n{box.body}" if box.subject else box.body


# --- email ----------------------------------------------------------------------------------------


def _send_email(box: _Outbox) -> dict[str, Any]:
    """SMTP with the server settings (MWO_SMTP_*); the Message-ID is stable across retries."""
    settings = box.ctx.settings
    recipients = _recipients(box)
    message = _email_message(box, recipients)
    box.record["to"] = recipients
    try:
        with _smtp_session(settings, _smtp_password(box.ctx), box.step.timeout_s) as smtp:
            refused = smtp.send_message(message)
    except (smtplib.SMTPException, OSError) as exc:
        raise _smtp_failure(exc, settings) from exc
    if refused:
        box.ctx.log(LogLevel.WARNING, f"the SMTP server refused some recipients: {sorted(refused)}")
    accepted = [address for address in recipients if address not in refused]
    return {"message_id": message["Message-ID"], "recipients": accepted, "refused": sorted(refused)}


def _recipients(box: _Outbox) -> list[str]:
    addresses: list[str] = []
    for entry in box.step.to:
        value = box.ctx.render(entry)
        for item in value if isinstance(value, list) else [value]:
            address = str(item).strip()
            if "@" not in address or any(ch in address for ch in "\r\n"):
                raise StepFailed(
                    FailureKind.CONFIG,
                    f"'{address}' in `to` is not an email address",
                    "write addresses like me@example.com in the step's `to` list",
                )
            addresses.append(address)
    return addresses


def _email_message(box: _Outbox, recipients: list[str]) -> EmailMessage:
    settings = box.ctx.settings
    message = EmailMessage()  # the default policy writes non-ASCII (Korean) headers as UTF-8 words
    message["Subject"] = box.subject or box.ctx.workflow.name
    message["From"] = settings.smtp_from
    message["To"] = ", ".join(recipients)
    message["Date"] = format_datetime(box.ctx.now())
    message["Message-ID"] = _message_id(box.ctx.idempotency_key, settings.smtp_from)
    message.set_content(box.body, cte="base64")  # 7-bit safe through servers without 8BITMIME
    return message


def _message_id(idempotency_key: str, sender: str) -> str:
    """Same step in the same run -> same Message-ID, so a mail system can drop a resent duplicate."""
    domain = parseaddr(sender)[1].rpartition("@")[2] or "mwo.localhost"
    return f"<{hashlib.sha256(idempotency_key.encode()).hexdigest()[:32]}@{domain}>"


def _smtp_password(ctx: StepContext) -> str | None:
    """The SMTP password from its secret; None when no login is configured, an error when one is."""
    name = ctx.settings.smtp_password_secret
    secrets: Mapping[str, str] = ctx.scope.get("secrets", {})
    if name in secrets:
        return str(secrets[name])
    if ctx.settings.smtp_username:
        raise StepFailed(
            FailureKind.CONFIG,
            f"MWO_SMTP_USERNAME is set but the secret '{name}' is not",
            f"store the SMTP password with: mwo secrets set {name}",
        )
    return None


@contextmanager
def _smtp_session(
    settings: Settings, password: str | None, timeout_s: float | None
) -> Iterator[smtplib.SMTP]:
    """A connected, secured and logged-in SMTP session that is closed afterwards."""
    host, port, timeout = settings.smtp_host, settings.smtp_port, timeout_s or settings.smtp_timeout_s
    smtp = (
        smtplib.SMTP_SSL(host, port, timeout=timeout, context=ssl.create_default_context())
        if settings.smtp_ssl
        else smtplib.SMTP(host, port, timeout=timeout)
    )
    with smtp:
        if settings.smtp_starttls and not settings.smtp_ssl:
            smtp.starttls(context=ssl.create_default_context())
        if settings.smtp_username:
            smtp.login(settings.smtp_username, password or "")
        yield smtp


def _smtp_failure(exc: OSError, settings: Settings) -> StepFailed:
    """An SMTP or socket error as a typed failure; refusals are DELIVERY, reachability CONNECTION."""
    where = f"the SMTP server {settings.smtp_host}:{settings.smtp_port}"
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        secret = settings.smtp_password_secret
        return StepFailed(
            FailureKind.DELIVERY,
            f"{where} refused the login of '{settings.smtp_username}': {exc.smtp_code} {_smtp_text(exc)}",
            f"check MWO_SMTP_USERNAME and the password in the secret '{secret}' "
            f"(mwo secrets set {secret}); some providers need an app password",
        )
    if isinstance(exc, (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused)):
        return _smtp_address_refused(exc, where)
    if isinstance(exc, smtplib.SMTPNotSupportedError):
        return StepFailed(
            FailureKind.CONFIG,
            f"{where}: {exc}",
            "match MWO_SMTP_STARTTLS / MWO_SMTP_SSL / MWO_SMTP_USERNAME to what the server offers",
        )
    if isinstance(exc, smtplib.SMTPResponseException):
        return _smtp_answer(exc, where)
    return _smtp_unreachable(exc, where)


def _smtp_address_refused(
    exc: smtplib.SMTPRecipientsRefused | smtplib.SMTPSenderRefused, where: str
) -> StepFailed:
    if isinstance(exc, smtplib.SMTPSenderRefused):
        return StepFailed(
            FailureKind.DELIVERY,
            f"{where} refused the sender '{exc.sender}'",
            "set MWO_SMTP_FROM to an address this server lets you send from",
        )
    return StepFailed(
        FailureKind.DELIVERY,
        f"{where} refused every recipient: {sorted(exc.recipients)}",
        "check the addresses in the step's `to` list",
    )


def _smtp_answer(exc: smtplib.SMTPResponseException, where: str) -> StepFailed:
    """A 4xx answer is the server deferring (a retry may pass); a 5xx answer is final."""
    message = f"{where} answered {exc.smtp_code} {_smtp_text(exc)}"
    if 400 <= exc.smtp_code < 500:
        return StepFailed(
            FailureKind.CONNECTION, message, "the server deferred the message; a retry may pass"
        )
    return StepFailed(FailureKind.DELIVERY, message, "the server refused the message; read its answer above")


def _smtp_unreachable(exc: OSError, where: str) -> StepFailed:
    if isinstance(exc, ssl.SSLError):
        return StepFailed(
            FailureKind.CONFIG,
            f"TLS with {where} failed: {exc}",
            "use port 465 with MWO_SMTP_SSL=true or port 587 with MWO_SMTP_STARTTLS=true",
        )
    if isinstance(exc, TimeoutError):
        return StepFailed(
            FailureKind.TIMEOUT,
            f"{where} did not answer in time",
            "check MWO_SMTP_HOST and MWO_SMTP_PORT, or raise MWO_SMTP_TIMEOUT_S",
        )
    return StepFailed(
        FailureKind.CONNECTION,
        f"cannot reach {where}: {exc}",
        "check MWO_SMTP_HOST and MWO_SMTP_PORT, and that the mail server is running",
    )


def _smtp_text(exc: smtplib.SMTPResponseException) -> str:
    error = exc.smtp_error
    return error.decode("utf-8", "replace") if isinstance(error, bytes) else str(error)


# --- chat webhooks --------------------------------------------------------------------------------


def _webhook_fix(box: _Outbox, service: str) -> Callable[[int], str]:
    secret = box.secret_behind(box.step.webhook_url, "the webhook URL")

    def fix(status: int) -> str:
        if status in (401, 403, 404, 410):
            return (
                f"the {service} webhook URL is no longer valid (removed, or the channel is gone): create "
                f"a new one and store it in {secret}"
            )
        return f"{service} refused the message: read its answer above and check the message content"

    return fix


def _send_slack(box: _Outbox) -> dict[str, Any]:
    """Slack incoming webhook: {"text": ...}; the subject, if any, is the first line in bold."""
    url = box.text(box.step.webhook_url, "webhook_url")
    response = box.post(url, _webhook_fix(box, "Slack"), json={"text": _with_subject(box, "*")})
    return {"status": response.status_code}


def _send_discord(box: _Outbox) -> dict[str, Any]:
    """Discord webhook: {"content": ...}, shortened to Discord's 2000 characters."""
    url = box.text(box.step.webhook_url, "webhook_url")
    content, truncated = _truncate(box, _with_subject(box, "**"), DISCORD_MAX_CHARS, "Discord")
    response = box.post(url, _webhook_fix(box, "Discord"), json={"content": content})
    return {"status": response.status_code, "truncated": truncated}


def _send_webhook(box: _Outbox) -> dict[str, Any]:
    """Any HTTP endpoint: a JSON envelope, and an Idempotency-Key header stable across retries."""
    ctx = box.ctx
    url = box.text(box.step.webhook_url, "webhook_url")
    payload = {
        "subject": box.subject,
        "body": box.body,
        "workflow": ctx.workflow.name,
        "run_id": ctx.run_id,
        "step_id": ctx.current_step_id,
        "idempotency_key": ctx.idempotency_key,
        "sent_at": ctx.now().isoformat(),
    }
    response = box.post(
        url, _webhook_fix(box, "the webhook"), json=payload, headers={"Idempotency-Key": ctx.idempotency_key}
    )
    return {"status": response.status_code, "idempotency_key": ctx.idempotency_key}


# --- Kakao ----------------------------------------------------------------------------------------


def _send_kakao(box: _Outbox) -> dict[str, Any]:
    """KakaoTalk "send to me" (talk/memo) with a text template."""
    token = box.text(box.step.access_token, "access_token")
    url = f"{box.ctx.settings.kakao_api_base.rstrip('/')}/v2/api/talk/memo/default/send"
    template, truncated = _kakao_template(box)
    box.record["template_object"] = template
    response = box.post(
        url,
        _kakao_fix(box.secret_behind(box.step.access_token, "KAKAO_ACCESS_TOKEN")),
        data={"template_object": json.dumps(template, ensure_ascii=False)},
        headers={"Authorization": f"Bearer {token}"},
    )
    result_code = _json_field(response, "result_code")
    return {"status": response.status_code, "result_code": result_code, "truncated": truncated}


def _kakao_template(box: _Outbox) -> tuple[dict[str, Any], bool]:
    text, truncated = _truncate(box, _with_subject(box, ""), KAKAO_MAX_CHARS, "Kakao's text template")
    template: dict[str, Any] = {"object_type": "text", "text": text, "link": {}}
    if box.step.link_url:
        link = box.text(box.step.link_url, "link_url")
        template["link"] = {"web_url": link, "mobile_web_url": link}
        template["button_title"] = "자세히 보기"
    return template, truncated


def _kakao_fix(secret: str) -> Callable[[int], str]:
    def fix(status: int) -> str:
        if status == 401:
            return (
                "the Kakao access token expired or was revoked (they last a few hours): refresh it with "
                f"the refresh token and store the new one with: mwo secrets set {secret}"
            )
        if status == 403:
            return "the token lacks the talk_message permission: consent to it when issuing the token"
        return (
            "Kakao refused the message: check that the link's domain is registered for the Kakao app "
            "(Platform > Web) and read Kakao's answer above"
        )

    return fix


def _json_field(response: httpx.Response, name: str) -> Any:
    try:
        data = response.json()
    except ValueError:
        return None
    return data.get(name) if isinstance(data, dict) else None


# --- inbox ----------------------------------------------------------------------------------------


def _send_inbox(box: _Outbox) -> dict[str, Any]:
    """MWO's own inbox: always available, nothing leaves the machine."""
    ctx = box.ctx
    title = box.subject or ctx.workflow.name
    message = ctx.inbox.post_message(title=title, body=box.body, now=ctx.now(), run_id=ctx.run_id)
    return {"message_id": message.id}


_SENDERS: Mapping[Channel, Sender] = MappingProxyType(
    {
        Channel.EMAIL: _send_email,
        Channel.SLACK: _send_slack,
        Channel.DISCORD: _send_discord,
        Channel.WEBHOOK: _send_webhook,
        Channel.KAKAO: _send_kakao,
        Channel.INBOX: _send_inbox,
    }
)

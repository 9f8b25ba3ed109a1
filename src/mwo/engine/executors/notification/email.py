"""Email over SMTP with the server settings (MWO_SMTP_*); refusals typed for the retry policy."""

from __future__ import annotations

import hashlib
import smtplib
import ssl
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from typing import Any

from mwo.engine.executor import StepContext
from mwo.engine.executors.notification.base import Outbox
from mwo.engine.failures import StepFailed
from mwo.errors import FailureKind
from mwo.settings import SmtpSettings
from mwo.store.records import LogLevel

__all__ = ["send_email"]


def send_email(box: Outbox) -> dict[str, Any]:
    """SMTP with the server settings (MWO_SMTP_*); the Message-ID is stable across retries."""
    server = box.ctx.settings.smtp
    recipients = _recipients(box)
    message = _email_message(box, recipients, server.sender)
    box.record["to"] = recipients
    try:
        with _smtp_session(server, _smtp_password(box.ctx, server), box.step.timeout_s) as smtp:
            refused = smtp.send_message(message)
    except (smtplib.SMTPException, OSError) as exc:
        raise _smtp_failure(exc, server) from exc
    if refused:
        box.ctx.log(LogLevel.WARNING, f"the SMTP server refused some recipients: {sorted(refused)}")
    accepted = [address for address in recipients if address not in refused]
    return {"message_id": message["Message-ID"], "recipients": accepted, "refused": sorted(refused)}


def _recipients(box: Outbox) -> list[str]:
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


def _email_message(box: Outbox, recipients: list[str], sender: str) -> EmailMessage:
    message = EmailMessage()  # the default policy writes non-ASCII (Korean) headers as UTF-8 words
    message["Subject"] = box.subject or box.ctx.workflow.name
    message["From"] = sender
    message["To"] = ", ".join(recipients)
    message["Date"] = format_datetime(box.ctx.now())
    message["Message-ID"] = _message_id(box.ctx.idempotency_key, sender)
    message.set_content(box.body, cte="base64")  # 7-bit safe through servers without 8BITMIME
    return message


def _message_id(idempotency_key: str, sender: str) -> str:
    """Same step in the same run -> same Message-ID, so a mail system can drop a resent duplicate."""
    domain = parseaddr(sender)[1].rpartition("@")[2] or "mwo.localhost"
    return f"<{hashlib.sha256(idempotency_key.encode()).hexdigest()[:32]}@{domain}>"


def _smtp_password(ctx: StepContext, server: SmtpSettings) -> str | None:
    """The SMTP password from its secret; None when no login is configured, an error when one is."""
    name = server.password_secret
    secrets: Mapping[str, str] = ctx.scope.get("secrets", {})
    if name in secrets:
        return str(secrets[name])
    if server.username:
        raise StepFailed(
            FailureKind.CONFIG,
            f"MWO_SMTP_USERNAME is set but the secret '{name}' is not",
            f"store the SMTP password with: mwo secrets set {name}",
        )
    return None


@contextmanager
def _smtp_session(
    server: SmtpSettings, password: str | None, timeout_s: float | None
) -> Iterator[smtplib.SMTP]:
    """A connected, secured and logged-in SMTP session that is closed afterwards."""
    host, port, timeout = server.host, server.port, timeout_s or server.timeout_s
    smtp = (
        smtplib.SMTP_SSL(host, port, timeout=timeout, context=ssl.create_default_context())
        if server.ssl
        else smtplib.SMTP(host, port, timeout=timeout)
    )
    with smtp:
        if server.starttls and not server.ssl:
            smtp.starttls(context=ssl.create_default_context())
        if server.username:
            smtp.login(server.username, password or "")
        yield smtp


def _smtp_failure(exc: OSError, server: SmtpSettings) -> StepFailed:
    """An SMTP or socket error as a typed failure; refusals are DELIVERY, reachability CONNECTION."""
    where = f"the SMTP server {server.host}:{server.port}"
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        secret = server.password_secret
        return StepFailed(
            FailureKind.DELIVERY,
            f"{where} refused the login of '{server.username}': {exc.smtp_code} {_smtp_text(exc)}",
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

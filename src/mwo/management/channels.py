"""Notification channels: what each one needs, and "send test": one real message through it now.

A person who sets up Slack or email wants to know today, not at tomorrow's 9:00 run, whether the URL,
the token or the SMTP login works. The test builds the NOTIFICATION step a workflow would carry (with
the secrets the authoring service writes into such steps, e.g. `{{ secrets.SLACK_WEBHOOK_URL }}`)
and runs it through the NOTIFICATION executor itself: the same senders, the same network guard
(public addresses only, unless the caller allows more, as a workflow's `settings.network.allow`
does) and the same messages and fixes when it fails. Secret values never leave: what is returned or
raised passes the run's redactor, and webhook URLs are named by scheme and host only.

The UI's Settings page calls this; the CLI and the REST API can too (no page logic here).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from types import MappingProxyType
from typing import Any, Protocol

import httpx

from mwo.clock import utc_now
from mwo.engine.executor import StepContext
from mwo.engine.executors.notification import NotificationExecutor
from mwo.engine.failures import StepFailed
from mwo.engine.net_policy import Resolver, system_resolver
from mwo.engine.redaction import Redactor
from mwo.engine.scope import SecretsView, build_scope
from mwo.errors import FixableError
from mwo.settings import Settings
from mwo.spec import Channel, NotificationStep, Templates, workflow_from_data
from mwo.store.abc import InboxStore, SecretStore
from mwo.store.records import LogLevel

__all__ = [
    "CHANNEL_SECRETS",
    "ChannelSetup",
    "ChannelTestFailed",
    "ChannelTestResult",
    "ChannelTester",
]

CHANNEL_SECRETS: Mapping[Channel, str] = MappingProxyType(
    {
        Channel.SLACK: "SLACK_WEBHOOK_URL",
        Channel.DISCORD: "DISCORD_WEBHOOK_URL",
        Channel.WEBHOOK: "WEBHOOK_URL",
        Channel.KAKAO: "KAKAO_ACCESS_TOKEN",
    }
)
"""The secret each channel reads: the names the authoring service puts in the steps it writes."""

_WHERE_TO_GET = MappingProxyType(
    {
        Channel.SLACK: "a Slack incoming-webhook URL (Slack app > Incoming Webhooks > Add New Webhook)",
        Channel.DISCORD: "a Discord webhook URL (channel settings > Integrations > Webhooks)",
        Channel.WEBHOOK: "the URL of the endpoint that receives the JSON notifications",
        Channel.KAKAO: "a Kakao access token with the talk_message permission (Kakao Developers)",
    }
)
TEST_WORKFLOW = "mwo-channel-test"
"""The workflow name the test message carries (the email's default subject, the webhook's envelope)."""
DEFAULT_SUBJECT = "MWO test message"
DEFAULT_BODY = "This is a test from MWO: notifications over this channel work."


class ChannelTestFailed(FixableError):
    """The test message did not get through: the executor's message and fix, secrets masked.

    `kind` is the step failure type a workflow's step would record (delivery, connection,
    refused_address, config, ...), `status` the far end's HTTP status if it answered."""

    code = "channel_test_failed"

    def __init__(
        self, channel: Channel | None, kind: str, message: str, fix: str, status: int | None = None
    ) -> None:
        super().__init__(message, fix)
        self.channel = channel
        self.kind = kind
        self.status = status
        self.message = message

    def as_dict(self) -> dict[str, Any]:
        return {
            "channel": self.channel.value if self.channel else None,
            "delivered": False,
            "type": self.kind,
            "message": self.message,
            "fix": self.fix,
            "status": self.status,
        }


@dataclass(frozen=True)
class ChannelSetup:
    """One channel and whether what it needs is there (never a secret's value)."""

    channel: Channel
    ready: bool
    """Its secret is set (email and the inbox have nothing to set here: they are always ready)."""
    secret: str | None
    """The secret the channel reads, if it reads one."""
    summary: str
    """What it uses, for people: the SMTP server and sender, or the secret's name and state."""


@dataclass(frozen=True)
class ChannelTestResult:
    """The test message got through: what the far end gave back, and how long it took."""

    channel: Channel
    detail: dict[str, Any]
    """The NOTIFICATION step's output detail (message id, HTTP status, recipients...), masked."""
    seconds: float

    def as_dict(self) -> dict[str, Any]:
        return {
            "channel": self.channel.value,
            "delivered": True,
            "detail": self.detail,
            "seconds": round(self.seconds, 3),
        }


class SecretsAndInbox(SecretStore, InboxStore, Protocol):
    """What a channel test reads: the channel's secrets, and the inbox (the offline channel)."""


class ChannelTester:
    """Sends test messages over the channels, with the secrets and settings workflows use.

    `client` and `resolver` are the NOTIFICATION executor's (tests inject a fake DNS); `clock`
    stamps the message (the email's Date, the webhook's sent_at)."""

    def __init__(
        self,
        settings: Settings,
        store: SecretsAndInbox,
        *,
        client: httpx.Client | None = None,
        resolver: Resolver = system_resolver,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self._settings = settings
        self._store = store
        self._executor = NotificationExecutor(client, resolver)
        self._clock = clock

    def setups(self) -> list[ChannelSetup]:
        """Every channel, in the order of the `Channel` enum, with what it needs."""
        known = set(self._store.list_secret_names())
        return [self._setup(channel, known) for channel in Channel]

    def _setup(self, channel: Channel, known: set[str]) -> ChannelSetup:
        s = self._settings
        if channel is Channel.INBOX:
            return ChannelSetup(channel, True, None, "MWO's own inbox (nothing leaves this machine)")
        if channel is Channel.EMAIL:
            login = f", login {s.smtp_username}" if s.smtp_username else ""
            summary = f"SMTP {s.smtp_host}:{s.smtp_port} from {s.smtp_from}{login} (MWO_SMTP_*)"
            return ChannelSetup(channel, True, None, summary)
        secret = CHANNEL_SECRETS[channel]
        state = "set" if secret in known else "not set"
        return ChannelSetup(channel, secret in known, secret, f"secret {secret} ({state})")

    def send_test(
        self,
        channel: Channel | str,
        *,
        to: Sequence[str] = (),
        allow: Sequence[str] = (),
        subject: str = DEFAULT_SUBJECT,
        body: str = DEFAULT_BODY,
    ) -> ChannelTestResult:
        """Send one message over `channel` now; raise ChannelTestFailed with the fix if it fails.

        `to`: email recipients (default: the sender address, MWO_SMTP_FROM). `allow`: private or
        loopback hosts the message may go to, as in a workflow's settings.network.allow."""
        channel = _channel(channel)
        self._require_secret(channel)
        step = _test_step(channel, list(to) or [self._settings.smtp_from], subject, body)
        redactor = Redactor()
        ctx = self._context(step, allow, redactor)
        started = time.perf_counter()
        try:
            output = self._executor.execute(step, ctx)
        except StepFailed as failure:
            raise ChannelTestFailed(
                channel,
                failure.kind.value,
                redactor.text(failure.message),
                redactor.text(failure.fix),
                failure.status,
            ) from None  # the cause may carry the secret (a URL in an httpx error)
        detail = redactor.tree(dict(output.get("detail", {})))
        return ChannelTestResult(channel, detail, time.perf_counter() - started)

    def _require_secret(self, channel: Channel) -> None:
        secret = CHANNEL_SECRETS.get(channel)
        if secret is None or secret in self._store.list_secret_names():
            return
        raise ChannelTestFailed(
            channel,
            "config",
            f"the {channel.value} channel is not set up: the secret '{secret}' is not set",
            f"store {_WHERE_TO_GET[channel]} with: mwo secrets set {secret} (or under Settings > Secrets)",
        )

    def _context(self, step: NotificationStep, allow: Sequence[str], redactor: Redactor) -> StepContext:
        workflow = workflow_from_data(
            {
                "name": TEST_WORKFLOW,
                "steps": [step.model_dump(mode="json", exclude_none=True)],
                "settings": {"network": {"allow": [host.strip() for host in allow if host.strip()]}},
            }
        )
        run_id = f"test-{uuid.uuid4().hex[:12]}"  # a fresh Message-ID / Idempotency-Key each test
        now = self._clock()
        scope = build_scope(
            {},
            {},
            SecretsView(self._store, redactor),
            {"id": run_id, "workflow": TEST_WORKFLOW, "version": 0, "now": now.isoformat()},
        )
        ctx = StepContext(
            run_id=run_id,
            workflow=workflow,
            attempt=1,
            scope=scope,
            templates=Templates(),
            settings=self._settings,
            inbox=self._store,
            log=_no_log,
            now=self._clock,
            redact=redactor.text,
        )
        ctx.current_step_id = step.id
        return ctx


def _channel(channel: Channel | str) -> Channel:
    if isinstance(channel, Channel):
        return channel
    try:
        return Channel(channel.strip().lower())
    except ValueError:
        names = ", ".join(c.value for c in Channel)
        raise ChannelTestFailed(
            None, "config", f"there is no notification channel '{channel}'", f"use one of: {names}"
        ) from None


def _test_step(channel: Channel, to: list[str], subject: str, body: str) -> NotificationStep:
    """The step a workflow would carry for `channel`, reading the channel's secret."""
    data: dict[str, Any] = {
        "id": "test",
        "type": "NOTIFICATION",
        "channel": channel.value,
        "subject": subject,
        "body": body,
    }
    secret = CHANNEL_SECRETS.get(channel)
    if channel is Channel.EMAIL:
        data["to"] = to
    elif channel is Channel.KAKAO:
        data["access_token"] = f"{{{{ secrets.{secret} }}}}"
    elif secret is not None:
        data["webhook_url"] = f"{{{{ secrets.{secret} }}}}"
    return NotificationStep.model_validate(data)


def _no_log(level: LogLevel, message: str) -> None:
    """A test has no run to log to; what matters reaches the caller as the result or the error."""

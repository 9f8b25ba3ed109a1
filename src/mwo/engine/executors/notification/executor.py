"""NOTIFICATION: sends the step's message over one channel; one module per channel.

Output: `{"channel", "delivered": true, "detail": {...}}`; the detail says what the far end gave back
(message id, status code, inbox message id). Failures are typed for the retry policy: a refused
message (4xx, bad login) is DELIVERY and is not retried, since sending it again changes nothing; a
server error or an unreachable server may pass, so those are HTTP_STATUS (5xx, 429) or CONNECTION.

Every HTTP channel goes through the network guard: Slack, Discord and webhook URLs usually come from
secrets, which a workflow author controls as much as any other URL. Those URLs' paths are the
credentials themselves, so messages and log lines name only their scheme and host.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from mwo.engine.executor import StepContext
from mwo.engine.executors.http_base import HttpExecutor
from mwo.engine.executors.notification.base import Outbox, Sender, delivered_output, render_text
from mwo.engine.executors.notification.discord import DISCORD_MAX_CHARS, send_discord
from mwo.engine.executors.notification.email import send_email
from mwo.engine.executors.notification.inbox import send_inbox
from mwo.engine.executors.notification.kakao import KAKAO_MAX_CHARS, send_kakao
from mwo.engine.executors.notification.slack import send_slack
from mwo.engine.executors.notification.webhook import send_webhook
from mwo.engine.guarded_http import describe_origin
from mwo.spec import Channel, NotificationStep, StepType

__all__ = ["DISCORD_MAX_CHARS", "KAKAO_MAX_CHARS", "NotificationExecutor"]

_SENDERS: Mapping[Channel, Sender] = MappingProxyType(
    {
        Channel.EMAIL: send_email,
        Channel.SLACK: send_slack,
        Channel.DISCORD: send_discord,
        Channel.WEBHOOK: send_webhook,
        Channel.KAKAO: send_kakao,
        Channel.INBOX: send_inbox,
    }
)


class NotificationExecutor(HttpExecutor):
    """Runs NOTIFICATION steps (shared client and resolver: HttpExecutor)."""

    step_type = StepType.NOTIFICATION
    step_class = NotificationStep

    def execute(self, step: NotificationStep, ctx: StepContext) -> dict[str, Any]:
        """Render subject and body, hand them to the channel's sender, and report what it delivered."""
        with self.guarded(ctx, describe=describe_origin) as http:
            box = Outbox(step, ctx, _render_subject(step, ctx), render_text(ctx, step.body, "body"), http)
            box.record.update(channel=step.channel.value, subject=box.subject, body=box.body)
            ctx.rendered_input = box.record
            detail = _SENDERS[step.channel](box)
        return delivered_output(step, detail)


def _render_subject(step: NotificationStep, ctx: StepContext) -> str | None:
    """The subject on one line: a header cannot hold line breaks, and chat titles read better so."""
    if step.subject is None:
        return None
    value = ctx.render(step.subject)
    return " ".join(str(value).split()) or None

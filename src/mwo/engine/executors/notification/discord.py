"""Discord webhooks, shortened to what Discord accepts; only the URL's origin is shown."""

from __future__ import annotations

from typing import Any

from mwo.engine.executors.notification.base import Outbox, truncate, webhook_fix, with_subject

__all__ = ["DISCORD_MAX_CHARS", "send_discord"]

DISCORD_MAX_CHARS = 2000
"""Discord rejects a webhook message whose content is longer."""


def send_discord(box: Outbox) -> dict[str, Any]:
    """Discord webhook: {"content": ...}, shortened to Discord's 2000 characters."""
    url = box.text(box.step.webhook_url, "webhook_url")
    content, truncated = truncate(box, with_subject(box, "**"), DISCORD_MAX_CHARS, "Discord")
    response = box.post(url, webhook_fix(box, "Discord"), json={"content": content})
    return {"status": response.status_code, "truncated": truncated}

"""Slack incoming webhooks; the URL's path is the credential, so only its origin is shown."""

from __future__ import annotations

from typing import Any

from mwo.engine.executors.notification.base import Outbox, webhook_fix, with_subject

__all__ = ["send_slack"]


def send_slack(box: Outbox) -> dict[str, Any]:
    """Slack incoming webhook: {"text": ...}; the subject, if any, is the first line in bold."""
    url = box.text(box.step.webhook_url, "webhook_url")
    response = box.post(url, webhook_fix(box, "Slack"), json={"text": with_subject(box, "*")})
    return {"status": response.status_code}

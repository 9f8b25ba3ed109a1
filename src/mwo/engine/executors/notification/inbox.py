"""MWO's own inbox: always available, nothing leaves the machine."""

from __future__ import annotations

from typing import Any

from mwo.engine.executors.notification.base import Outbox

__all__ = ["send_inbox"]


def send_inbox(box: Outbox) -> dict[str, Any]:
    """MWO's own inbox: always available, nothing leaves the machine."""
    ctx = box.ctx
    title = box.subject or ctx.workflow.name
    message = ctx.inbox.post_message(title=title, body=box.body, now=ctx.now(), run_id=ctx.run_id)
    return {"message_id": message.id}

"""MWO's own inbox: always available, nothing leaves the machine."""

from __future__ import annotations

from typing import Any

from mwo.engine.executors.notification.base import Outbox, delivered_output
from mwo.store.records import InboxMessage

__all__ = ["send_inbox"]


def send_inbox(box: Outbox) -> dict[str, Any]:
    """MWO's own inbox, exactly once: under the engine the message and its delivery record are one
    transaction (`StepContext.delivery`), so a crash leaves both or neither."""
    ctx = box.ctx
    title = box.subject or ctx.workflow.name
    if ctx.delivery is None:  # an executor run outside a tracked attempt (tests, dry runs)
        message = ctx.inbox.post_message(title=title, body=box.body, now=ctx.now(), run_id=ctx.run_id)
    else:
        message = ctx.delivery.post_inbox(
            title, box.body, lambda posted: delivered_output(box.step, _detail(posted))
        )
    return _detail(message)


def _detail(message: InboxMessage) -> dict[str, Any]:
    return {"message_id": message.id}

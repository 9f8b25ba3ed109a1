"""Any HTTP endpoint: a JSON envelope with an Idempotency-Key stable across retries."""

from __future__ import annotations

from typing import Any

from mwo.engine.executors.notification.base import Outbox, webhook_fix

__all__ = ["send_webhook"]


def send_webhook(box: Outbox) -> dict[str, Any]:
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
        url, webhook_fix(box, "the webhook"), json=payload, headers={"Idempotency-Key": ctx.idempotency_key}
    )
    return {"status": response.status_code, "idempotency_key": ctx.idempotency_key}

"""Side effects exactly once where the receiver allows it: the outbox side of a step's attempt.

An API_CALL or NOTIFICATION attempt records its intent with its step-run row (one transaction,
`OutboxStore.start_delivery`) before anything is sent, and its receipt as soon as the executor
returns (the inbox: in the transaction that posts the message). A step run again after a crash
(a resumed run) first reads its last delivery in this run (`Deliveries.plan`):

- delivered: nothing is sent; the recorded receipt is the step's output;
- pending (the process died between sending and recording): `at_least_once` sends again under the
  same idempotency key, `at_most_once` sends nothing and fails the step as `delivery_unknown`;
- unknown (an `at_most_once` step failed so before): this run is a person's deliberate retry, so it
  sends under a new key (a receiver that drops repeats of the old key would drop it);
- failed, or none: sends, under the key the step had.

The policy of a step is `mwo.spec.delivery_policy` (its `delivery`, else the receiver's default).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from mwo.engine.failures import FailureRecord, StepFailed
from mwo.errors import FailureKind
from mwo.spec import ApiCallStep, Channel, DeliveryPolicy, NotificationStep, StepBase, delivery_policy
from mwo.store.abc import OutboxStore
from mwo.store.records import DeliveryIntent, DeliveryRecord, DeliveryState, InboxMessage, RunLease

__all__ = ["MAX_RECEIPT_CHARS", "Deliveries", "DeliveryPlan", "StepDelivery"]

MAX_RECEIPT_CHARS = 256_000
"""A receipt (the step's output) larger than this as JSON keeps only the first part of its `text`
and no `json`: an API answer can be a megabyte, and the full output is on the step run already."""
_TRUNCATED_TEXT_CHARS = 64_000


@dataclass(frozen=True)
class DeliveryPlan:
    """What one attempt does about its step's deliveries: send under `intent`, return `receipt`
    (delivered before), or fail with `refusal` (at_most_once after a crash). `intent` None and no
    receipt or refusal: the step is not tracked (its executor runs as always)."""

    intent: DeliveryIntent | None = None
    replayed: bool = False
    receipt: Any = None
    refusal: StepFailed | None = None
    note: str | None = None
    """A log line for the step saying what was decided and why (None when nothing special)."""


NOT_TRACKED = DeliveryPlan()


class Deliveries:
    """Plans each attempt's delivery from the outbox; the step runner opens and settles the rows."""

    def __init__(self, store: OutboxStore, clock: Callable[[], datetime]) -> None:
        self._store = store
        self._clock = clock

    def plan(self, step: StepBase, lease: RunLease, attempt: int, look_back: bool) -> DeliveryPlan:
        """The plan for `attempt` of `step` in the run `lease` holds. With `look_back` (a resumed run,
        or a retry attempt) the step's last delivery in this run decides, and a pending one left by a
        crash is closed here as its policy says, under `lease` (a process that lost the run closes
        nothing: the pending row may be the new holder's, in flight); without, nothing was sent yet
        (a fresh run's first attempt)."""
        policy = delivery_policy(step)
        if policy is None:
            return NOT_TRACKED
        run_id = lease.run_id
        base_key = f"{run_id}:{step.id}"
        last = self._store.last_delivery(run_id, step.id) if look_back else None
        if last is None:
            return DeliveryPlan(intent=_intent(step, policy, base_key))
        if last.state is DeliveryState.DELIVERED:
            cut = isinstance(last.receipt, dict) and last.receipt.get("receipt_truncated")
            return DeliveryPlan(
                replayed=True,
                receipt=last.receipt,
                note=f"already delivered to {last.target} (attempt {last.attempt}): not sent again; "
                "the recorded receipt is the output"
                + ("; it was too large to keep whole: `json` is null and `text` is cut" if cut else ""),
            )
        if last.state is DeliveryState.UNKNOWN:
            return DeliveryPlan(
                intent=_intent(step, policy, f"{base_key}:{attempt}"),
                note="sending again as asked, under a new idempotency key (the last delivery's fate "
                "was unknown)",
            )
        if last.state is DeliveryState.FAILED:
            return DeliveryPlan(intent=_intent(step, policy, last.idempotency_key))
        return self._after_crash(step, policy, last, lease)

    def _after_crash(
        self, step: StepBase, policy: DeliveryPolicy, last: DeliveryRecord, lease: RunLease
    ) -> DeliveryPlan:
        """`last` is still pending: its process stopped between sending and recording the answer."""
        if policy is DeliveryPolicy.AT_LEAST_ONCE:
            self._store.close_delivery(
                last.id,
                DeliveryState.FAILED,
                self._clock(),
                error=FailureRecord(
                    FailureKind.INTERRUPTED,
                    "the process stopped before the answer was recorded",
                    "none needed: sent again under the same idempotency key (at_least_once)",
                ).as_dict(),
                lease=lease,
            )
            return DeliveryPlan(
                intent=_intent(step, policy, last.idempotency_key),
                note=f"the process stopped while sending to {last.target}; sending again under the "
                f"same idempotency key {last.idempotency_key} (delivery: at_least_once)",
            )
        refusal = StepFailed(
            FailureKind.DELIVERY_UNKNOWN,
            f"step '{step.id}' may or may not have been delivered to {last.target}: the process stopped "
            "after it started sending and before the answer was recorded, and its delivery is "
            "at_most_once, so it was not sent again",
            f"check the receiver for it; to send it again on purpose run `mwo retry {last.run_id} "
            "--from-failed` (a new idempotency key), or set `delivery: at_least_once` on the step to "
            "send again by itself after a crash",
        )
        self._store.close_delivery(
            last.id, DeliveryState.UNKNOWN, self._clock(), error=refusal.as_dict(), lease=lease
        )
        return DeliveryPlan(refusal=refusal)


class StepDelivery:
    """The outbox row of one attempt, as the executor and the step runner use it: its idempotency
    key, the inbox post that settles it in the same transaction, and the settling itself."""

    def __init__(
        self,
        store: OutboxStore,
        record: DeliveryRecord,
        redact: Callable[[Any], Any],
        clock: Callable[[], datetime],
        lease: RunLease | None = None,
    ) -> None:
        self._store = store
        self._record = record
        self._redact = redact
        self._clock = clock
        self._lease = lease
        """The executor's hold on the run: every settling write is fenced by it."""
        self._settled = False

    @property
    def key(self) -> str:
        return self._record.idempotency_key

    def post_inbox(self, title: str, body: str, receipt_of: Callable[[InboxMessage], Any]) -> InboxMessage:
        """Post to the in-app inbox and mark this delivery delivered in one transaction."""
        message = self._store.post_delivered_message(
            self._record.id,
            title,
            body,
            self._clock(),
            receipt_of=lambda posted: self._redact(receipt_of(posted)),
            run_id=self._record.run_id,
            lease=self._lease,
        )
        self._settled = True
        return message

    def delivered(self, output: Any) -> None:
        """The executor returned: the receiver accepted it; its output is the receipt."""
        if not self._settled:
            receipt = _receipt(self._redact(output))
            self._store.mark_delivered(self._record.id, receipt, self._clock(), lease=self._lease)
            self._settled = True

    def failed(self, error: dict[str, Any] | None) -> None:
        """The attempt failed and said so: not delivered as far as MWO knows."""
        if not self._settled:
            self._store.close_delivery(
                self._record.id, DeliveryState.FAILED, self._clock(), error=error, lease=self._lease
            )
            self._settled = True


def _intent(step: StepBase, policy: DeliveryPolicy, key: str) -> DeliveryIntent:
    if isinstance(step, NotificationStep):
        return DeliveryIntent(key, policy, step.channel.value, _notification_target(step))
    if isinstance(step, ApiCallStep):
        request = step.request
        return DeliveryIntent(key, policy, "api_call", f"{request.method.value} {_safe_url(request.url)}")
    raise TypeError(f"{step.type.value} steps have no delivery to record")  # delivery_policy says None


def _notification_target(step: NotificationStep) -> str:
    """Who the message goes to, from the unrendered step: templates name secrets, never hold them."""
    if step.channel is Channel.EMAIL:
        return "email to " + ", ".join(step.to)
    if step.channel is Channel.KAKAO:
        return "KakaoTalk (send to me)"
    if step.channel is Channel.INBOX:
        return "the in-app inbox"
    return f"{step.channel.value} {_safe_url(step.webhook_url or '')}"


def _safe_url(url: str) -> str:
    """A URL's origin without its path and query (a Slack or Discord webhook path is its credential);
    a URL whose origin is itself a template as written (`{{ secrets.HOOK_URL }}` names the secret)."""
    parts = urlsplit(url)
    if parts.netloc and "{{" not in parts.netloc and "{{" not in parts.scheme:
        return f"{parts.scheme}://{parts.netloc}"
    return url


def _receipt(output: Any) -> Any:
    """The output as the receipt, its `text` cut and `json` left out when it is too large to keep
    twice (marked `receipt_truncated`)."""
    if not isinstance(output, dict) or len(json.dumps(output, default=str)) <= MAX_RECEIPT_CHARS:
        return output
    text = output.get("text")
    cut = dict(output, json=None, receipt_truncated=True)
    if isinstance(text, str):
        cut["text"] = text[:_TRUNCATED_TEXT_CHARS]
    return cut

"""The outbox in memory: an attempt's intent is written with its step-run row, and settled once."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from typing import Any, cast

from mwo.store.abc import OutboxStore, RunStore
from mwo.store.errors import Conflict, NotFound
from mwo.store.memory.state import MemoryBase, as_stored, utc
from mwo.store.records import (
    DeliveryIntent,
    DeliveryRecord,
    DeliveryState,
    InboxMessage,
    RunLease,
    StepRunRecord,
)

_CLOSED_STATES = (DeliveryState.FAILED, DeliveryState.UNKNOWN)


class MemoryOutboxStore(MemoryBase, OutboxStore):
    """Deliveries under the state's lock; the step-run row comes from the run store beside it
    (`MemoryStore` joins them), under the same reentrant lock, so both or neither are written."""

    def start_delivery(
        self,
        run_id: str,
        step_id: str,
        step_type: str,
        attempt: int,
        input: Any,
        now: datetime,
        intent: DeliveryIntent,
        *,
        version_id: int | None = None,
        lease: RunLease | None = None,
    ) -> tuple[StepRunRecord, DeliveryRecord]:
        with self._state.lock:
            runs = cast(RunStore, self)
            step = runs.start_step(
                run_id, step_id, step_type, attempt, input, now, version_id=version_id, lease=lease
            )
            record = DeliveryRecord(
                id=self._state.next_id("delivery"),
                run_id=run_id,
                step_id=step_id,
                attempt=attempt,
                step_run_id=step.id,
                idempotency_key=intent.idempotency_key,
                policy=intent.policy,
                channel=intent.channel,
                target=intent.target,
                state=DeliveryState.PENDING,
                receipt=None,
                error=None,
                created_at=utc(now),
                finished_at=None,
            )
            self._state.deliveries[record.id] = record
            return step, record

    def mark_delivered(
        self, delivery_id: int, receipt: Any, now: datetime, *, lease: RunLease | None = None
    ) -> DeliveryRecord:
        with self._state.lock:
            self._hold_lease(lease)
            return self._settle(self._pending(delivery_id), DeliveryState.DELIVERED, now, receipt=receipt)

    def post_delivered_message(
        self,
        delivery_id: int,
        title: str,
        body: str,
        now: datetime,
        receipt_of: Callable[[InboxMessage], Any],
        run_id: str | None = None,
        *,
        lease: RunLease | None = None,
    ) -> InboxMessage:
        with self._state.lock:
            self._hold_lease(lease)
            pending = self._pending(delivery_id)
            message = InboxMessage(self._state.next_id("message"), run_id, title, body, utc(now), None)
            receipt = receipt_of(message)  # may raise: then nothing is stored
            self._state.messages[message.id] = message
            self._settle(pending, DeliveryState.DELIVERED, now, receipt=receipt)
            return message

    def close_delivery(
        self,
        delivery_id: int,
        state: DeliveryState,
        now: datetime,
        error: dict[str, Any] | None = None,
        *,
        lease: RunLease | None = None,
    ) -> DeliveryRecord:
        if state not in _CLOSED_STATES:
            raise ValueError(f"close_delivery ends a delivery as failed or unknown, not {state.value}")
        with self._state.lock:
            self._hold_lease(lease)
            return self._settle(self._pending(delivery_id), state, now, error=error)

    def last_delivery(self, run_id: str, step_id: str) -> DeliveryRecord | None:
        with self._state.lock:
            found = [d for d in self._state.deliveries.values() if (d.run_id, d.step_id) == (run_id, step_id)]
        return max(found, key=lambda d: d.id, default=None)

    def list_deliveries(self, run_id: str) -> list[DeliveryRecord]:
        with self._state.lock:
            return sorted(
                (d for d in self._state.deliveries.values() if d.run_id == run_id), key=lambda d: d.id
            )

    def _hold_lease(self, lease: RunLease | None) -> None:
        """Under the state's lock: LeaseLost when `lease` is no longer its run's tenure."""
        if lease is not None:
            cast(RunStore, self).check_run_lease(lease)

    def _pending(self, delivery_id: int) -> DeliveryRecord:
        record = self._state.deliveries.get(delivery_id)
        if record is None:
            raise NotFound(f"no delivery with id {delivery_id}", fix="list a run's steps with `mwo logs RUN`")
        if record.state is not DeliveryState.PENDING:
            raise Conflict(
                f"the delivery of step {record.step_id!r} (attempt {record.attempt}) in run {record.run_id} "
                f"is already {record.state.value}",
                fix="a settled delivery is not changed; a new try is a new attempt",
            )
        return record

    def _settle(
        self,
        record: DeliveryRecord,
        state: DeliveryState,
        now: datetime,
        *,
        receipt: Any = None,
        error: dict[str, Any] | None = None,
    ) -> DeliveryRecord:
        settled = replace(
            record, state=state, receipt=as_stored(receipt), error=as_stored(error), finished_at=utc(now)
        )
        self._state.deliveries[record.id] = settled
        return settled

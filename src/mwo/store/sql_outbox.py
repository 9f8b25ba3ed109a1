"""The outbox in SQL: an attempt's intent is written with its step-run row, and settled once."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from mwo.store.abc import OutboxStore
from mwo.store.errors import Conflict, NotFound
from mwo.store.records import (
    DeliveryIntent,
    DeliveryRecord,
    DeliveryState,
    InboxMessage,
    StepRunRecord,
    StepStatus,
)
from mwo.store.sql_common import SqlBase, run_row, to_message, to_step_run
from mwo.store.tables import InboxMessageRow, OutboxRow, StepRunRow

_CLOSED_STATES = (DeliveryState.FAILED, DeliveryState.UNKNOWN)


class SqlOutboxStore(SqlBase, OutboxStore):
    """Deliveries of API_CALL and NOTIFICATION attempts; a settled row is never changed again."""

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
    ) -> tuple[StepRunRecord, DeliveryRecord]:
        try:
            with self._db.session_scope() as session:
                step = StepRunRow(
                    run_id=run_id,
                    step_id=step_id,
                    step_type=step_type,
                    attempt=attempt,
                    status=StepStatus.RUNNING,
                    input=input,
                    started_at=now,
                    version_id=version_id,
                )
                session.add(step)
                session.flush()
                row = OutboxRow(
                    run_id=run_id,
                    step_id=step_id,
                    attempt=attempt,
                    step_run_id=step.id,
                    idempotency_key=intent.idempotency_key,
                    policy=intent.policy,
                    channel=intent.channel,
                    target=intent.target,
                    state=DeliveryState.PENDING,
                    created_at=now,
                )
                session.add(row)
                session.flush()
                return to_step_run(step), _to_delivery(row)
        except IntegrityError as exc:
            with self._db.session_scope(read_only=True) as session:
                run_row(session, run_id)  # NotFound when the run is missing
            raise Conflict(
                f"attempt {attempt} of step {step_id!r} in run {run_id} was already started",
                fix="start the next attempt number",
            ) from exc

    def mark_delivered(self, delivery_id: int, receipt: Any, now: datetime) -> DeliveryRecord:
        with self._db.session_scope() as session:
            row = _pending(session, delivery_id)
            _settle(row, DeliveryState.DELIVERED, now, receipt=receipt)
            return _to_delivery(row)

    def post_delivered_message(
        self,
        delivery_id: int,
        title: str,
        body: str,
        now: datetime,
        receipt_of: Callable[[InboxMessage], Any],
        run_id: str | None = None,
    ) -> InboxMessage:
        with self._db.session_scope() as session:
            row = _pending(session, delivery_id)
            message_row = InboxMessageRow(run_id=run_id, title=title, body=body, created_at=now)
            session.add(message_row)
            session.flush()
            message = to_message(message_row)
            _settle(row, DeliveryState.DELIVERED, now, receipt=receipt_of(message))
            return message

    def close_delivery(
        self, delivery_id: int, state: DeliveryState, now: datetime, error: dict[str, Any] | None = None
    ) -> DeliveryRecord:
        if state not in _CLOSED_STATES:
            raise ValueError(f"close_delivery ends a delivery as failed or unknown, not {state.value}")
        with self._db.session_scope() as session:
            row = _pending(session, delivery_id)
            _settle(row, state, now, error=error)
            return _to_delivery(row)

    def last_delivery(self, run_id: str, step_id: str) -> DeliveryRecord | None:
        statement = (
            select(OutboxRow)
            .where(OutboxRow.run_id == run_id, OutboxRow.step_id == step_id)
            .order_by(OutboxRow.id.desc())
            .limit(1)
        )
        with self._db.session_scope(read_only=True) as session:
            row = session.scalars(statement).first()
            return None if row is None else _to_delivery(row)

    def list_deliveries(self, run_id: str) -> list[DeliveryRecord]:
        statement = select(OutboxRow).where(OutboxRow.run_id == run_id).order_by(OutboxRow.id)
        with self._db.session_scope(read_only=True) as session:
            return [_to_delivery(row) for row in session.scalars(statement)]


def _pending(session: Session, delivery_id: int) -> OutboxRow:
    """The row, locked for this transaction (FOR UPDATE on PostgreSQL; SQLite's write lock is taken
    at BEGIN), when it is still PENDING; NotFound or Conflict otherwise."""
    row = session.scalars(select(OutboxRow).where(OutboxRow.id == delivery_id).with_for_update()).first()
    if row is None:
        raise NotFound(f"no delivery with id {delivery_id}", fix="list a run's steps with `mwo logs RUN`")
    if row.state is not DeliveryState.PENDING:
        raise Conflict(
            f"the delivery of step {row.step_id!r} (attempt {row.attempt}) in run {row.run_id} is "
            f"already {row.state.value}",
            fix="a settled delivery is not changed; a new try is a new attempt",
        )
    return row


def _settle(
    row: OutboxRow,
    state: DeliveryState,
    now: datetime,
    *,
    receipt: Any = None,
    error: dict[str, Any] | None = None,
) -> None:
    row.state = state
    row.receipt = receipt
    row.error = error
    row.finished_at = now


def _to_delivery(row: OutboxRow) -> DeliveryRecord:
    return DeliveryRecord(
        id=row.id,
        run_id=row.run_id,
        step_id=row.step_id,
        attempt=row.attempt,
        step_run_id=row.step_run_id,
        idempotency_key=row.idempotency_key,
        policy=row.policy,
        channel=row.channel,
        target=row.target,
        state=row.state,
        receipt=row.receipt,
        error=row.error,
        created_at=row.created_at,
        finished_at=row.finished_at,
    )


__all__ = ["SqlOutboxStore"]

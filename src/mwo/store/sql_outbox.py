"""The outbox in SQL: an attempt's intent is written with its step-run row, and settled once.

The writes are Core statements built at import (as the step-run rows' in `sql_runs`): every API_CALL
and NOTIFICATION attempt passes here twice, so they cost one INSERT pair and one UPDATE.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Connection, Row, Table, bindparam, insert, select, update
from sqlalchemy.exc import IntegrityError

from mwo.store.abc import OutboxStore
from mwo.store.errors import Conflict, NotFound
from mwo.store.records import (
    DeliveryIntent,
    DeliveryRecord,
    DeliveryState,
    InboxMessage,
    RunLease,
    StepRunRecord,
    StepStatus,
)
from mwo.store.sql_common import SqlBase, run_row, to_message, to_step_run
from mwo.store.sql_run_rows import hold_lease, insert_step_row
from mwo.store.tables import InboxMessageRow, OutboxRow, StepRunRow

_CLOSED_STATES = (DeliveryState.FAILED, DeliveryState.UNKNOWN)
_OUTBOX = cast(Table, OutboxRow.__table__)
_INSERT_INTENT = insert(_OUTBOX).returning(*_OUTBOX.columns)
_INSERT_MESSAGE = insert(cast(Table, InboxMessageRow.__table__)).returning(
    *cast(Table, InboxMessageRow.__table__).columns
)
# Only a PENDING row is settled: the state guard in the WHERE makes "settled once" one statement.
_SETTLE = (
    update(_OUTBOX)
    .where(_OUTBOX.c.id == bindparam("b_id"), _OUTBOX.c.state == DeliveryState.PENDING)
    .values(
        state=bindparam("b_state"),
        receipt=bindparam("b_receipt"),
        error=bindparam("b_error"),
        finished_at=bindparam("b_now"),
    )
    .returning(*_OUTBOX.columns)
)
_BY_ID = select(OutboxRow.step_id, OutboxRow.attempt, OutboxRow.run_id, OutboxRow.state).where(
    OutboxRow.id == bindparam("b_id")
)


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
        lease: RunLease | None = None,
    ) -> tuple[StepRunRecord, DeliveryRecord]:
        step_values = {
            "run_id": run_id,
            "step_id": step_id,
            "step_type": step_type,
            "attempt": attempt,
            "status": StepStatus.RUNNING,
            "input": input,
            "output": None,
            "error": None,
            "started_at": now,
            "finished_at": None,
            "version_id": version_id,
        }
        try:
            with self._db.connection_scope() as connection:
                step = insert_step_row(connection, step_values, lease)
                intent_row = connection.execute(
                    _INSERT_INTENT,
                    {
                        "run_id": run_id,
                        "step_id": step_id,
                        "attempt": attempt,
                        "step_run_id": step.id,
                        "idempotency_key": intent.idempotency_key,
                        "policy": intent.policy,
                        "channel": intent.channel,
                        "target": intent.target,
                        "state": DeliveryState.PENDING,
                        "receipt": None,
                        "error": None,
                        "created_at": now,
                        "finished_at": None,
                    },
                ).one()
        except IntegrityError as exc:
            with self._db.session_scope(read_only=True) as session:
                run_row(session, run_id)  # NotFound when the run is missing
            raise Conflict(
                f"attempt {attempt} of step {step_id!r} in run {run_id} was already started",
                fix="start the next attempt number",
            ) from exc
        return to_step_run(cast(StepRunRow, step)), _to_delivery(intent_row)

    def mark_delivered(
        self, delivery_id: int, receipt: Any, now: datetime, *, lease: RunLease | None = None
    ) -> DeliveryRecord:
        with self._db.connection_scope() as connection:
            _hold(connection, lease)
            return _settle(connection, delivery_id, DeliveryState.DELIVERED, now, receipt=receipt)

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
        with self._db.connection_scope() as connection:
            _hold(connection, lease)
            row = connection.execute(
                _INSERT_MESSAGE,
                {"run_id": run_id, "title": title, "body": body, "created_at": now, "read_at": None},
            ).one()
            message = to_message(cast(InboxMessageRow, row))
            _settle(connection, delivery_id, DeliveryState.DELIVERED, now, receipt=receipt_of(message))
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
        with self._db.connection_scope() as connection:
            _hold(connection, lease)
            return _settle(connection, delivery_id, state, now, error=error)

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


def _settle(
    connection: Connection,
    delivery_id: int,
    state: DeliveryState,
    now: datetime,
    *,
    receipt: Any = None,
    error: dict[str, Any] | None = None,
) -> DeliveryRecord:
    """Settle a PENDING row in the caller's transaction; NotFound or Conflict (the caller's
    transaction is then rolled back: nothing it wrote stays)."""
    row = connection.execute(
        _SETTLE, {"b_id": delivery_id, "b_state": state, "b_receipt": receipt, "b_error": error, "b_now": now}
    ).one_or_none()
    if row is not None:
        return _to_delivery(row)
    existing = connection.execute(_BY_ID, {"b_id": delivery_id}).one_or_none()
    if existing is None:
        raise NotFound(f"no delivery with id {delivery_id}", fix="list a run's steps with `mwo logs RUN`")
    raise Conflict(
        f"the delivery of step {existing.step_id!r} (attempt {existing.attempt}) in run {existing.run_id} "
        f"is already {existing.state.value}",
        fix="a settled delivery is not changed; a new try is a new attempt",
    )


def _to_delivery(row: OutboxRow | Row[Any]) -> DeliveryRecord:
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


def _hold(connection: Connection, lease: RunLease | None) -> None:
    """The executor's lease checked in the settling write's transaction (the run row share-locked on
    PostgreSQL until it commits), so a process that lost the run settles nothing."""
    if lease is not None:
        hold_lease(connection, lease)


__all__ = ["SqlOutboxStore"]

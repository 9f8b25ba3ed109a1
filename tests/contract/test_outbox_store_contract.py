"""The OutboxStore contract on every backend: an attempt's intent is written with its step-run row or
not at all, a delivery is settled once (delivered with its receipt, failed or unknown), the inbox
message and its delivered mark are one transaction, and a step's newest delivery is found again."""

from __future__ import annotations

from dataclasses import replace

import pytest

from mwo.spec import DeliveryPolicy
from mwo.store import (
    Conflict,
    DeliveryIntent,
    DeliveryRecord,
    DeliveryState,
    InboxMessage,
    NotFound,
    StepStatus,
    Store,
)
from mwo.store.abc import OutboxStore
from tests.contract.support import at, new_run

CONTRACT = OutboxStore

INTENT = DeliveryIntent(
    idempotency_key="run:tell",
    policy=DeliveryPolicy.AT_MOST_ONCE,
    channel="webhook",
    target="webhook {{ secrets.HOOK_URL }}",
)
CONFIG = {"type": "NOTIFICATION", "channel": "webhook", "body": "hi"}


def start(
    store: Store, run_id: str, attempt: int = 1, step_id: str = "tell", **intent: object
) -> DeliveryRecord:
    step_run, delivery = store.start_delivery(
        run_id, step_id, "NOTIFICATION", attempt, CONFIG, at(attempt), replace(INTENT, **intent)
    )
    assert (step_run.id, step_run.status) == (delivery.step_run_id, StepStatus.RUNNING)
    return delivery


def test_the_intent_is_written_with_the_step_run_row(store: Store) -> None:
    run_id = new_run(store)

    step_run, delivery = store.start_delivery(run_id, "tell", "NOTIFICATION", 1, CONFIG, at(1), INTENT)

    assert store.list_step_runs(run_id) == [step_run]
    assert (step_run.step_id, step_run.attempt, step_run.input) == ("tell", 1, CONFIG)
    assert delivery == DeliveryRecord(
        id=delivery.id,
        run_id=run_id,
        step_id="tell",
        attempt=1,
        step_run_id=step_run.id,
        idempotency_key="run:tell",
        policy=DeliveryPolicy.AT_MOST_ONCE,
        channel="webhook",
        target="webhook {{ secrets.HOOK_URL }}",
        state=DeliveryState.PENDING,
        receipt=None,
        error=None,
        created_at=at(1),
        finished_at=None,
    )
    assert store.list_deliveries(run_id) == [delivery]
    assert store.last_delivery(run_id, "tell") == delivery


def test_an_attempt_started_twice_writes_no_second_intent(store: Store) -> None:
    run_id = new_run(store)
    first = start(store, run_id)

    with pytest.raises(Conflict):
        start(store, run_id, idempotency_key="other")
    with pytest.raises(NotFound):
        store.start_delivery("no-such-run", "tell", "NOTIFICATION", 1, CONFIG, at(1), INTENT)

    assert store.list_deliveries(run_id) == [first]
    assert len(store.list_step_runs(run_id)) == 1


def test_a_delivery_is_marked_delivered_once_with_its_receipt(store: Store) -> None:
    run_id = new_run(store)
    delivery = start(store, run_id)
    receipt = {"channel": "webhook", "delivered": True, "detail": {"status": 200}}

    marked = store.mark_delivered(delivery.id, receipt, at(5))

    assert marked == replace(delivery, state=DeliveryState.DELIVERED, receipt=receipt, finished_at=at(5))
    assert store.last_delivery(run_id, "tell") == marked
    with pytest.raises(Conflict):
        store.mark_delivered(delivery.id, {"other": True}, at(6))
    with pytest.raises(Conflict):
        store.close_delivery(delivery.id, DeliveryState.FAILED, at(6))
    assert store.last_delivery(run_id, "tell") == marked, "a receipt is never replaced"
    with pytest.raises(NotFound):
        store.mark_delivered(delivery.id + 1000, receipt, at(6))


@pytest.mark.parametrize("state", [DeliveryState.FAILED, DeliveryState.UNKNOWN])
def test_a_pending_delivery_is_closed_failed_or_unknown_with_its_error(
    store: Store, state: DeliveryState
) -> None:
    run_id = new_run(store)
    delivery = start(store, run_id)
    error = {"type": "delivery_unknown", "message": "may or may not", "fix": "check"}

    closed = store.close_delivery(delivery.id, state, at(7), error=error)

    assert closed == replace(delivery, state=state, error=error, finished_at=at(7))
    with pytest.raises(Conflict):
        store.mark_delivered(delivery.id, {"late": True}, at(8))


def test_close_delivery_takes_only_the_closing_states(store: Store) -> None:
    delivery = start(store, new_run(store))

    for state in (DeliveryState.DELIVERED, DeliveryState.PENDING):
        with pytest.raises(ValueError):
            store.close_delivery(delivery.id, state, at(2))

    assert store.last_delivery(delivery.run_id, "tell") == delivery


def test_the_inbox_message_and_its_delivered_mark_are_one_transaction(store: Store) -> None:
    run_id = new_run(store)
    delivery = start(store, run_id, channel="inbox", target="the in-app inbox")

    message = store.post_delivered_message(
        delivery.id, "title", "body", at(3), lambda posted: {"message_id": posted.id}, run_id=run_id
    )

    assert store.list_messages() == [
        InboxMessage(id=message.id, run_id=run_id, title="title", body="body", created_at=at(3), read_at=None)
    ]
    settled = store.last_delivery(run_id, "tell")
    assert settled is not None
    assert (settled.state, settled.receipt) == (DeliveryState.DELIVERED, {"message_id": message.id})

    with pytest.raises(Conflict):
        store.post_delivered_message(delivery.id, "again", "again", at(4), lambda posted: {}, run_id=run_id)
    assert [m.title for m in store.list_messages()] == ["title"], "a settled delivery posts nothing"


def test_a_failing_receipt_leaves_neither_the_message_nor_the_mark(store: Store) -> None:
    run_id = new_run(store)
    delivery = start(store, run_id, channel="inbox")

    def broken(posted: InboxMessage) -> object:
        raise RuntimeError("the process died here")

    with pytest.raises(RuntimeError):
        store.post_delivered_message(delivery.id, "title", "body", at(3), broken, run_id=run_id)

    assert store.list_messages() == []
    assert store.last_delivery(run_id, "tell") == delivery


def test_the_newest_delivery_of_a_step_is_found_per_run_and_step(store: Store) -> None:
    run_id, other_run = new_run(store), new_run(store)
    first = start(store, run_id, attempt=1)
    store.close_delivery(first.id, DeliveryState.FAILED, at(2))
    second = start(store, run_id, attempt=2)
    elsewhere = start(store, run_id, step_id="mail", channel="email")
    start(store, other_run, attempt=1)

    assert store.last_delivery(run_id, "tell") == second
    assert store.last_delivery(run_id, "mail") == elsewhere
    assert store.last_delivery(run_id, "nothing") is None
    assert [d.id for d in store.list_deliveries(run_id)] == [first.id, second.id, elsewhere.id]
    assert store.list_deliveries("no-such-run") == []

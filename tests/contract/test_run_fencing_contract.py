"""The run lease's fencing token on every backend: a new tenure of the lease (taken while free or
expired) gets the next token, its holder's renewals keep it, and every write an executor makes for a
run with a stale token is refused (LeaseLost) without writing anything, while the new holder's
writes, and the writes that carry no lease (people's), are accepted."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from sqlalchemy import Engine, event

from mwo.spec import DeliveryPolicy, workflow_from_data
from mwo.store import Store
from mwo.store.abc import RunStore
from mwo.store.errors import LeaseLost
from mwo.store.records import DeliveryIntent, DeliveryState, LogLevel, RunLease, RunStatus, StepStatus
from tests.contract.support import Backend

CONTRACT = RunStore

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=timezone.utc)


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def new_run(store: Store, name: str = "fenced") -> str:
    workflow = workflow_from_data({"name": name, "steps": [{"id": "noop", "type": "APPROVAL"}]})
    version, _ = store.save_version(workflow, f"name: {name}\n")
    return store.create_run(version.id, {}, "manual", T0).id


def taken(store: Store, run_id: str, owner: str, until: datetime, now: datetime) -> RunLease:
    lease = store.acquire_run_lease(run_id, owner, until, now)
    assert lease is not None, f"{owner} could not take run {run_id}"
    return lease


def taken_over(store: Store, run_id: str) -> tuple[RunLease, RunLease]:
    """worker-a holds the run until 30 s, then worker-b takes it over at 31 s."""
    stale = taken(store, run_id, "worker-a", at(30), T0)
    return stale, taken(store, run_id, "worker-b", at(90), at(31))


# --- the token -----------------------------------------------------------------------------------------


def test_a_new_tenure_gets_the_next_token_and_renewals_keep_it(store: Store) -> None:
    run_id = new_run(store)

    first = taken(store, run_id, "worker-a", at(30), T0)
    assert first == RunLease(run_id, "worker-a", 1)
    assert taken(store, run_id, "worker-a", at(60), at(20)) == first, "the holder renews: same token"
    assert store.extend_run_lease(first, at(80)) is True
    assert store.get_run(run_id).acquired_until == at(80)
    assert store.acquire_run_lease(run_id, "worker-b", at(90), at(50)) is None, "held live: no change"

    second = taken(store, run_id, "worker-b", at(120), at(81))
    assert second == RunLease(run_id, "worker-b", 2), "expired and taken by another: next token"
    store.release_run(run_id, "worker-b")
    third = taken(store, run_id, "worker-a", at(150), at(90))
    assert third.token == 3, "a released lease taken again starts a new tenure"


def test_the_holder_extends_its_expired_lease_while_nobody_took_it(store: Store) -> None:
    run_id = new_run(store)
    lease = taken(store, run_id, "worker-a", at(30), T0)

    assert store.extend_run_lease(lease, at(100)) is True  # late (past 30 s), but nobody took over
    store.check_run_lease(lease)
    assert taken(store, run_id, "worker-a", at(120), at(50)) == lease


def test_a_lost_lease_cannot_be_extended(store: Store) -> None:
    run_id = new_run(store)
    stale, current = taken_over(store, run_id)

    assert store.extend_run_lease(stale, at(200)) is False
    run = store.get_run(run_id)
    assert (run.acquired_by, run.acquired_until) == ("worker-b", at(90))
    assert store.extend_run_lease(current, at(200)) is True


def test_a_lost_tenure_never_releases_the_next_one(store: Store) -> None:
    """Even under the same owner name (two threads of one process): the one that lost the run
    releases only its own tenure."""
    run_id = new_run(store)
    old = taken(store, run_id, "worker-a", at(30), T0)
    new = taken(store, run_id, "worker-a", at(90), at(31))  # its own lease expired: a new tenure
    assert new.token == old.token + 1

    store.release_run(run_id, "worker-a", token=old.token)
    assert store.get_run(run_id).acquired_by == "worker-a"
    store.check_run_lease(new)
    store.release_run(run_id, "worker-a", token=new.token)
    assert store.get_run(run_id).acquired_by is None


def test_acquire_run_keeps_its_yes_or_no_answer(store: Store) -> None:
    run_id = new_run(store)
    assert store.acquire_run(run_id, "worker-a", at(30), T0) is True
    assert store.acquire_run(run_id, "worker-b", at(30), at(1)) is False
    assert taken(store, run_id, "worker-a", at(40), at(2)).token == 1


# --- fenced writes -------------------------------------------------------------------------------------


def test_a_stale_token_is_refused_on_every_fenced_write(store: Store) -> None:
    run_id = new_run(store)
    stale = taken(store, run_id, "worker-a", at(30), T0)
    store.set_run_status(run_id, RunStatus.RUNNING, at(1), lease=stale)
    opened = store.start_step(run_id, "noop", "APPROVAL", 1, {}, at(2), lease=stale)
    taken(store, run_id, "worker-b", at(90), at(31))
    before = (store.list_step_runs(run_id), store.list_logs(run_id))

    with pytest.raises(LeaseLost) as refused:
        store.check_run_lease(stale)
    assert refused.value.code == "lease_lost" and run_id in refused.value.message and refused.value.fix
    with pytest.raises(LeaseLost):
        store.start_step(run_id, "noop", "APPROVAL", 2, {}, at(40), lease=stale)
    with pytest.raises(LeaseLost):
        store.record_step(run_id, "noop", "APPROVAL", 3, StepStatus.SUCCEEDED, at(40), at(41), lease=stale)
    with pytest.raises(LeaseLost):
        store.finish_step(opened.id, StepStatus.SUCCEEDED, at(42), output={"late": True}, lease=stale)
    with pytest.raises(LeaseLost):
        store.add_log(run_id, "noop", LogLevel.INFO, "late line", at(43), lease=stale)
    with pytest.raises(LeaseLost):
        store.set_run_status(run_id, RunStatus.SUCCEEDED, at(44), output={"late": True}, lease=stale)

    assert (store.list_step_runs(run_id), store.list_logs(run_id)) == before, "nothing was written"
    run = store.get_run(run_id)
    assert (run.status, run.output, run.acquired_by) == (RunStatus.RUNNING, None, "worker-b")


def test_a_stale_token_starts_no_delivery(store: Store) -> None:
    """The outbox's step start (the step row and the intent in one transaction) is an executor's
    write like `start_step`: refused for a lost tenure, with neither row written."""
    run_id = new_run(store)
    stale = taken(store, run_id, "worker-a", at(30), T0)
    taken(store, run_id, "worker-b", at(90), at(31))
    intent = DeliveryIntent("run:tell", DeliveryPolicy.AT_MOST_ONCE, "webhook", "webhook example.org")

    with pytest.raises(LeaseLost):
        store.start_delivery(run_id, "tell", "NOTIFICATION", 1, {}, at(40), intent, lease=stale)

    assert store.list_step_runs(run_id) == [] and store.list_deliveries(run_id) == []


def test_a_stale_token_settles_no_delivery(store: Store) -> None:
    """A process that lost the run while sending marks nothing delivered, failed or posted: the new
    holder decides what the outbox row means (a late receipt would contradict it)."""
    run_id = new_run(store)
    stale = taken(store, run_id, "worker-a", at(30), T0)
    intent = DeliveryIntent("run:tell", DeliveryPolicy.AT_LEAST_ONCE, "inbox", "inbox")
    _, delivery = store.start_delivery(run_id, "tell", "NOTIFICATION", 1, {}, at(2), intent, lease=stale)
    taken(store, run_id, "worker-b", at(90), at(31))

    with pytest.raises(LeaseLost):
        store.mark_delivered(delivery.id, {"late": True}, at(40), lease=stale)
    with pytest.raises(LeaseLost):
        store.close_delivery(delivery.id, DeliveryState.FAILED, at(41), lease=stale)
    with pytest.raises(LeaseLost):
        store.post_delivered_message(
            delivery.id, "t", "late", at(42), lambda m: {"id": m.id}, run_id, lease=stale
        )

    [pending] = store.list_deliveries(run_id)
    assert (pending.state, pending.receipt) == (DeliveryState.PENDING, None)
    assert store.list_messages() == []


def test_the_new_holders_writes_are_accepted(store: Store) -> None:
    run_id = new_run(store)
    stale = taken(store, run_id, "worker-a", at(30), T0)
    store.set_run_status(run_id, RunStatus.RUNNING, at(1), lease=stale)
    interrupted = store.start_step(run_id, "noop", "APPROVAL", 1, {}, at(2), lease=stale)
    current = taken(store, run_id, "worker-b", at(90), at(31))

    store.finish_step(interrupted.id, StepStatus.FAILED, at(32), error={"type": "interrupted"}, lease=current)
    retried = store.start_step(run_id, "noop", "APPROVAL", 2, {}, at(33), lease=current)
    store.finish_step(retried.id, StepStatus.SUCCEEDED, at(34), output={"n": 1}, lease=current)
    store.record_step(
        run_id, "other", "DATA_TRANSFORM", 1, StepStatus.SUCCEEDED, at(35), at(35), lease=current
    )
    store.add_log(run_id, "noop", LogLevel.INFO, "done by b", at(36), lease=current)
    finished = store.set_run_status(run_id, RunStatus.SUCCEEDED, at(37), output={"by": "b"}, lease=current)

    assert (finished.status, finished.output) == (RunStatus.SUCCEEDED, {"by": "b"})
    steps = [(s.step_id, s.attempt, s.status) for s in store.list_step_runs(run_id)]
    assert steps == [
        ("noop", 1, StepStatus.FAILED),
        ("noop", 2, StepStatus.SUCCEEDED),
        ("other", 1, StepStatus.SUCCEEDED),
    ]
    assert [line.message for line in store.list_logs(run_id)] == ["done by b"]


def test_a_final_state_ends_the_tenure(store: Store) -> None:
    run_id = new_run(store)
    lease = taken(store, run_id, "worker-a", at(30), T0)
    store.set_run_status(run_id, RunStatus.FAILED, at(1), error={"type": "internal"}, lease=lease)

    with pytest.raises(LeaseLost):
        store.add_log(run_id, None, LogLevel.INFO, "after the end", at(2), lease=lease)
    assert store.get_run(run_id).acquired_by is None


def test_a_stale_final_state_is_refused_as_lease_lost_even_after_the_new_holder_finished(
    store: Store,
) -> None:
    run_id = new_run(store)
    stale, current = taken_over(store, run_id)
    store.set_run_status(run_id, RunStatus.SUCCEEDED, at(40), output={"by": "b"}, lease=current)

    with pytest.raises(LeaseLost):
        store.set_run_status(run_id, RunStatus.FAILED, at(41), error={"type": "late"}, lease=stale)
    assert store.get_run(run_id).output == {"by": "b"}


def test_writes_without_a_lease_are_not_fenced(store: Store) -> None:
    """People's writes (a cancel, a decided approval or repair) hold no lease and pass."""
    run_id = new_run(store)
    taken_over(store, run_id)

    store.add_log(run_id, None, LogLevel.INFO, "a person looked", at(40))
    assert store.request_cancel(run_id).cancel_requested
    cancelled = store.set_run_status(run_id, RunStatus.CANCELLED, at(41), error={"type": "cancelled"})
    assert cancelled.status is RunStatus.CANCELLED


def test_a_takeover_waits_for_a_fenced_write_in_flight(backend: Backend) -> None:
    """The stale writer is held between its lease check and its insert (a hook on the executed
    statements) while another owner takes the run over. The check and the write share one
    transaction with the run row locked, so the takeover waits for the write: the stale line is
    committed before the new holder's first line, never after it (where a check in a transaction of
    its own would let it land). SQL only (it hooks the executed statements; the memory store does
    the check and the write under one lock)."""
    store = backend.store
    run_id = new_run(store)
    stale = taken(store, run_id, "worker-a", at(30), T0)
    checked, go = threading.Event(), threading.Event()
    took: list[RunLease] = []

    def hold_after_the_check(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if threading.current_thread() is writer and "lease_token" in statement and not checked.is_set():
            checked.set()
            go.wait(60)

    def take_over() -> None:
        took.append(taken(store, run_id, "worker-b", at(90), at(31)))
        store.add_log(run_id, None, LogLevel.INFO, "b first", at(32), lease=took[0])

    writer = threading.Thread(
        target=store.add_log, args=(run_id, None, LogLevel.INFO, "a late", at(29)), kwargs={"lease": stale}
    )
    event.listen(Engine, "after_cursor_execute", hold_after_the_check)
    try:
        writer.start()
        assert checked.wait(60), "the stale writer never checked its lease"
        taker = threading.Thread(target=take_over)
        taker.start()
        taker.join(1)  # not asserted: only gives a takeover that would not wait the time to finish first
        go.set()
        writer.join(60)
        taker.join(60)
    finally:
        event.remove(Engine, "after_cursor_execute", hold_after_the_check)

    assert took and took[0].token == stale.token + 1
    messages = [line.message for line in store.list_logs(run_id)]
    assert messages == ["a late", "b first"]


def test_a_lease_fences_only_its_own_run(store: Store) -> None:
    run_id, other = new_run(store, "one"), new_run(store, "two")
    lease = taken(store, run_id, "worker-a", at(30), T0)

    with pytest.raises(ValueError):
        store.add_log(other, None, LogLevel.INFO, "wrong run", at(1), lease=lease)
    assert store.list_logs(other) == []

"""An APPROVAL step's request carries the run's lease on every backend: asked with a stale token (the
asking process lost the run to another) it is refused with LeaseLost and nothing is written, not
even when the new holder already asked (the stale process is told, not handed the row); asked with
the current token or with none, it behaves as `test_approval_store_contract.py` says."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from sqlalchemy import Engine, event

from mwo.store import Store
from mwo.store.abc import ApprovalStore
from mwo.store.errors import LeaseLost, NotFound
from mwo.store.records import ApprovalStatus, RunLease
from tests.contract.support import Backend, at, lease_taken, new_run

CONTRACT = ApprovalStore


def test_a_stale_token_asks_for_no_approval(store: Store) -> None:
    run_id = new_run(store)
    stale = lease_taken(store, run_id, "worker-a", 0)
    lease_taken(store, run_id, "worker-b", 31)

    with pytest.raises(LeaseLost) as refused:
        store.request_approval(run_id, "noop", "go on?", at(40), None, lease=stale)

    assert refused.value.code == "lease_lost" and run_id in refused.value.message
    assert store.list_pending_approvals() == []
    with pytest.raises(NotFound):
        store.get_approval(run_id, "noop")


def test_a_stale_token_is_refused_even_where_the_new_holder_already_asked(store: Store) -> None:
    run_id = new_run(store)
    stale = lease_taken(store, run_id, "worker-a", 0)
    current = lease_taken(store, run_id, "worker-b", 31)
    asked = store.request_approval(run_id, "noop", "asked by b", at(32), at(3600), lease=current)

    with pytest.raises(LeaseLost):
        store.request_approval(run_id, "noop", "asked by a", at(40), None, lease=stale)

    assert store.list_pending_approvals() == [asked]


def test_the_holder_asks_once_and_sees_the_decision_after(store: Store) -> None:
    run_id = new_run(store)
    lease = lease_taken(store, run_id, "worker-a", 0)

    asked = store.request_approval(run_id, "noop", "go on?", at(1), None, lease=lease)
    again = store.request_approval(run_id, "noop", "go on?", at(2), None, lease=lease)
    assert again == asked and asked.status is ApprovalStatus.PENDING
    store.decide_approval(run_id, ApprovalStatus.APPROVED, "kim", None, at(3))

    seen = store.request_approval(run_id, "noop", "go on?", at(4), None, lease=lease)
    assert (seen.id, seen.status, seen.decided_by) == (asked.id, ApprovalStatus.APPROVED, "kim")


def test_a_request_without_a_lease_is_not_fenced(store: Store) -> None:
    run_id = new_run(store)
    lease_taken(store, run_id, "worker-a", 0)
    lease_taken(store, run_id, "worker-b", 31)

    assert store.request_approval(run_id, "noop", "go on?", at(40), None).status is ApprovalStatus.PENDING


def test_a_lease_fences_only_its_own_run(store: Store) -> None:
    run_id, other = new_run(store, "one"), new_run(store, "two")
    lease = lease_taken(store, run_id, "worker-a", 0)

    with pytest.raises(ValueError):
        store.request_approval(other, "noop", "wrong run", at(1), None, lease=lease)
    assert store.list_pending_approvals() == []


def test_an_unknown_run_is_not_found_with_a_lease_too(store: Store) -> None:
    with pytest.raises(NotFound):
        store.request_approval(
            "no-such-run", "noop", "go on?", at(1), None, lease=RunLease("no-such-run", "worker-a", 1)
        )


def test_a_takeover_waits_for_a_request_in_flight(backend: Backend) -> None:
    """The stale asker is held between its lease check and its insert (a hook on the executed
    statements) while another owner takes the run over: the check and the insert share one
    transaction with the run row share-locked, so the takeover waits for the insert and the new
    holder finds the request there as soon as it holds the run, never landing after (where a check
    in a transaction of its own would let it). SQL only, as the run fencing contract's twin (the
    memory store checks and inserts under one lock)."""
    store = backend.store
    run_id = new_run(store)
    stale = lease_taken(store, run_id, "worker-a", 0)
    checked, go = threading.Event(), threading.Event()
    took: list[RunLease] = []
    seen_by_the_taker: list[list[str]] = []
    asked: list[Any] = []

    def hold_after_the_check(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if threading.current_thread() is asker and "lease_token" in statement and not checked.is_set():
            checked.set()
            go.wait(60)

    def take_over() -> None:
        took.append(lease_taken(store, run_id, "worker-b", 31))
        seen_by_the_taker.append([a.message for a in store.list_pending_approvals()])

    asker = threading.Thread(
        target=lambda: asked.append(
            store.request_approval(run_id, "noop", "asked by a", at(29), None, lease=stale)
        )
    )
    event.listen(Engine, "after_cursor_execute", hold_after_the_check)
    try:
        asker.start()
        assert checked.wait(60), "the stale asker never checked its lease"
        taker = threading.Thread(target=take_over)
        taker.start()
        taker.join(1)  # not asserted: only gives a takeover that would not wait the time to go first
        go.set()
        asker.join(60)
        taker.join(60)
    finally:
        event.remove(Engine, "after_cursor_execute", hold_after_the_check)

    assert took and took[0].token == stale.token + 1
    assert [a.message for a in asked] == ["asked by a"]
    assert seen_by_the_taker == [["asked by a"]], "the request committed before the new tenure began"

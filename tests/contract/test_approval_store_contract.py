"""The ApprovalStore contract on every backend: one pending approval per (run, step), decided once."""

from __future__ import annotations

from datetime import timedelta

import pytest

from mwo.store import (
    ApprovalStatus,
    Conflict,
    NotFound,
    Store,
)
from mwo.store.abc import ApprovalStore
from tests.contract.support import T0, at, new_run

CONTRACT = ApprovalStore


# --- approvals ------------------------------------------------------------------------------------


def test_requesting_an_approval_twice_returns_the_same_one(store: Store) -> None:
    run_id = new_run(store)
    expires = T0 + timedelta(hours=1)

    first = store.request_approval(run_id, "ask", "send the mail?", T0, expires)
    again = store.request_approval(run_id, "ask", "different text", at(300), None)

    assert again == first
    assert (first.status, first.message, first.expires_at) == (
        ApprovalStatus.PENDING,
        "send the mail?",
        expires,
    )
    assert store.list_pending_approvals() == [first]
    with pytest.raises(NotFound):
        store.request_approval("no-such-run", "ask", "x", T0, None)


def test_deciding_an_approval_once(store: Store) -> None:
    run_id = new_run(store)
    other = new_run(store, name="other")
    store.request_approval(run_id, "ask", "ok?", T0, None)
    store.request_approval(other, "ask", "ok?", at(1), None)

    decided = store.decide_approval(run_id, ApprovalStatus.APPROVED, "kim", "looks good", at(60))

    assert (decided.status, decided.decided_by, decided.comment) == (
        ApprovalStatus.APPROVED,
        "kim",
        "looks good",
    )
    assert decided.decided_at == at(60)
    assert store.get_approval(run_id, "ask") == decided
    assert [a.run_id for a in store.list_pending_approvals()] == [other]
    with pytest.raises(Conflict, match="already approved by kim"):
        store.decide_approval(run_id, ApprovalStatus.REJECTED, "lee", None, at(120))
    # a resumed run asking again sees the decision
    assert store.request_approval(run_id, "ask", "ok?", at(180), None) == decided
    with pytest.raises(NotFound, match="no approval waiting"):
        store.decide_approval(new_run(store), ApprovalStatus.APPROVED, "kim", None, T0)
    with pytest.raises(NotFound):
        store.get_approval(run_id, "other-step")
    with pytest.raises(ValueError):
        store.decide_approval(other, ApprovalStatus.PENDING, "kim", None, T0)

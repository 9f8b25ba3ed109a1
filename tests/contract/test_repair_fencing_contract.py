"""The repair desk's writes carry the run's lease on every backend: the proposal it records, the
fix `repair: auto` saves as a version and the decision that re-pins the run are refused with
LeaseLost, nothing written, once
another process took the run over; with the current token, or with none (a person's decision), they
behave as `test_repair_store_contract.py` says."""

from __future__ import annotations

import pytest

from mwo.store import NotFound, RepairStatus, Store
from mwo.store.abc import RepairStore
from mwo.store.errors import LeaseLost
from tests.contract.support import at, lease_taken, make_workflow, new_run
from tests.contract.test_repair_store_contract import proposal, second_version

CONTRACT = RepairStore


def test_a_stale_token_records_no_proposal(store: Store) -> None:
    run_id = new_run(store)
    stale = lease_taken(store, run_id, "worker-a", 0)
    lease_taken(store, run_id, "worker-b", 31)

    with pytest.raises(LeaseLost):
        store.create_repair_proposal(proposal(store, run_id), at(40), lease=stale)
    with pytest.raises(LeaseLost):
        store.create_repair_proposal(
            proposal(store, run_id, status=RepairStatus.NOT_FIXED), at(40), lease=stale
        )

    with pytest.raises(NotFound):
        store.get_repair_proposal(run_id)


def test_a_stale_token_neither_decides_nor_re_pins(store: Store) -> None:
    run_id = new_run(store)
    stale = lease_taken(store, run_id, "worker-a", 0)
    created = store.create_repair_proposal(proposal(store, run_id), at(1), lease=stale)
    fixed = second_version(store)
    before = store.get_run(run_id).version_id
    lease_taken(store, run_id, "worker-b", 31)

    with pytest.raises(LeaseLost):
        store.decide_repair(run_id, RepairStatus.AUTO_APPLIED, "auto", None, at(40), fixed, lease=stale)

    assert store.get_repair_proposal(run_id) == created, "still pending"
    assert store.get_run(run_id).version_id == before, "not re-pinned"


def test_a_stale_token_saves_no_fix(store: Store) -> None:
    run_id = new_run(store)
    stale = lease_taken(store, run_id, "worker-a", 0)
    lease_taken(store, run_id, "worker-b", 31)

    with pytest.raises(LeaseLost):
        store.save_version(make_workflow(step_id="fixed"), "name: daily-news\n# fixed\n", lease=stale)

    assert [v.number for v in store.list_versions("daily-news")] == [1]


def test_the_holder_saves_its_fix(store: Store) -> None:
    run_id = new_run(store)
    lease = lease_taken(store, run_id, "worker-a", 0)

    version, created = store.save_version(
        make_workflow(step_id="fixed"), "name: daily-news\n# fixed\n", "fix", lease=lease
    )

    assert created and version.number == 2
    assert store.get_version("daily-news").id == version.id


def test_the_holder_records_and_decides(store: Store) -> None:
    run_id = new_run(store)
    lease = lease_taken(store, run_id, "worker-a", 0)
    store.create_repair_proposal(proposal(store, run_id), at(1), lease=lease)
    fixed = second_version(store)

    decided = store.decide_repair(run_id, RepairStatus.AUTO_APPLIED, "auto", None, at(2), fixed, lease=lease)

    assert (decided.status, decided.new_version_id) == (RepairStatus.AUTO_APPLIED, fixed)
    assert store.get_run(run_id).version_id == fixed


def test_a_persons_decision_is_not_fenced(store: Store) -> None:
    run_id = new_run(store)
    store.create_repair_proposal(
        proposal(store, run_id), at(1), lease=lease_taken(store, run_id, "worker-a", 0)
    )
    lease_taken(store, run_id, "worker-b", 31)

    decided = store.decide_repair(run_id, RepairStatus.REJECTED, "kim", "no", at(40))
    assert decided.status is RepairStatus.REJECTED


def test_a_lease_fences_only_its_own_run(store: Store) -> None:
    run_id, other = new_run(store, "one"), new_run(store, "two")
    lease = lease_taken(store, run_id, "worker-a", 0)

    with pytest.raises(ValueError):
        store.create_repair_proposal(proposal(store, other), at(1), lease=lease)
    with pytest.raises(NotFound):
        store.get_repair_proposal(other)

"""The RepairStore contract on every backend: a run's newest proposal is the one shown, a run has one
pending proposal at a time, a decision is taken once, and an applied decision re-pins the run to the
saved fix in the same transaction. Step attempts record the version they ran with."""

from __future__ import annotations

from dataclasses import replace

import pytest

from mwo.store import (
    Conflict,
    NotFound,
    RepairProposalRecord,
    RepairStatus,
    RunStatus,
    StepStatus,
    Store,
)
from mwo.store.abc import RepairStore
from tests.contract.support import T0, at, make_workflow, new_run

CONTRACT = RepairStore

FINDING = {"code": "script.exception", "severity": "error", "message": "KeyError: 'titel'"}


def proposal(store: Store, run_id: str, **changes: object) -> RepairProposalRecord:
    base = RepairProposalRecord(
        run_id=run_id,
        step_id="clean",
        step_type="PYTHON_SCRIPT",
        status=RepairStatus.PENDING,
        base_version_id=store.get_run(run_id).version_id,
        error={"step": "clean", "type": "exception", "message": "KeyError: 'titel'", "fix": "..."},
        input={"items": [{"title": "a"}]},
        original="def main(inputs):\n    return {'t': inputs['items'][0]['titel']}\n",
        proposed="def main(inputs):\n    return {'t': inputs['items'][0]['title']}\n",
        proposed_spec="name: daily-news\n",
        diff="-titel\n+title\n",
        findings=[FINDING],
        attempts=2,
        seconds=1.5,
        note="renamed the key 'titel' to 'title' (the input has it)",
        repair_id="r-1",
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def second_version(store: Store) -> int:
    version, created = store.save_version(make_workflow(step_id="fixed"), "name: daily-news\n# fixed\n")
    assert created
    return version.id


def test_a_proposal_comes_back_whole_as_the_runs_newest(store: Store) -> None:
    run_id = new_run(store)
    stored = store.create_repair_proposal(proposal(store, run_id, id=99, decided_by="x"), at(5))

    assert stored.id is not None and stored.id != 99
    assert stored == replace(proposal(store, run_id), id=stored.id, created_at=at(5))
    assert store.get_repair_proposal(run_id) == stored


def test_a_run_without_proposals_and_an_unknown_run_are_not_found(store: Store) -> None:
    run_id = new_run(store)
    with pytest.raises(NotFound) as no_proposal:
        store.get_repair_proposal(run_id)
    assert no_proposal.value.fix
    with pytest.raises(NotFound):
        store.create_repair_proposal(replace(proposal(store, run_id), run_id="no-such-run"), T0)


def test_only_pending_or_not_fixed_proposals_are_created_and_one_pending_per_run(store: Store) -> None:
    run_id = new_run(store)
    with pytest.raises(ValueError):
        store.create_repair_proposal(proposal(store, run_id, status=RepairStatus.APPROVED), T0)
    store.create_repair_proposal(proposal(store, run_id), at(1))

    with pytest.raises(Conflict):
        store.create_repair_proposal(proposal(store, run_id, step_id="other"), at(2))
    not_fixed = store.create_repair_proposal(
        proposal(store, run_id, status=RepairStatus.NOT_FIXED, proposed=None, note="no candidate passed"),
        at(3),
    )
    assert store.get_repair_proposal(run_id) == not_fixed


def test_pending_repairs_are_those_of_waiting_runs_oldest_first(store: Store) -> None:
    first, second, cancelled = new_run(store), new_run(store), new_run(store)
    for n, run_id in enumerate((second, first, cancelled)):
        store.set_run_status(run_id, RunStatus.RUNNING, at(n))
        store.set_run_status(run_id, RunStatus.WAITING_REPAIR, at(n))
        store.create_repair_proposal(proposal(store, run_id), at(10 + n))
    store.set_run_status(cancelled, RunStatus.CANCELLED, at(20))

    assert [p.run_id for p in store.list_pending_repairs()] == [second, first]


def test_approving_re_pins_the_run_to_the_saved_fix(store: Store) -> None:
    run_id = new_run(store)
    store.create_repair_proposal(proposal(store, run_id), at(1))
    fixed = second_version(store)

    decided = store.decide_repair(run_id, RepairStatus.APPROVED, "kim", "looks right", at(2), fixed)

    assert (decided.status, decided.decided_by, decided.comment) == (
        RepairStatus.APPROVED,
        "kim",
        "looks right",
    )
    assert (decided.decided_at, decided.new_version_id) == (at(2), fixed)
    run = store.get_run(run_id)
    assert (run.version_id, run.version_number) == (fixed, 2)
    assert store.get_repair_proposal(run_id) == decided


def test_rejecting_keeps_the_runs_version(store: Store) -> None:
    run_id = new_run(store)
    pinned = store.get_run(run_id).version_id
    store.create_repair_proposal(proposal(store, run_id), at(1))

    decided = store.decide_repair(run_id, RepairStatus.REJECTED, "kim", None, at(2))

    assert (decided.status, decided.new_version_id) == (RepairStatus.REJECTED, None)
    assert store.get_run(run_id).version_id == pinned


def test_a_decision_is_taken_once_and_checked(store: Store) -> None:
    run_id = new_run(store)
    with pytest.raises(NotFound):
        store.decide_repair(run_id, RepairStatus.REJECTED, "kim", None, T0)
    store.create_repair_proposal(proposal(store, run_id), at(1))
    with pytest.raises(ValueError):
        store.decide_repair(run_id, RepairStatus.PENDING, "kim", None, at(2))
    with pytest.raises(ValueError):  # an applied decision names the saved fix
        store.decide_repair(run_id, RepairStatus.AUTO_APPLIED, "auto", None, at(2))
    other = store.save_version(make_workflow("other"), "name: other\n")[0]
    with pytest.raises(NotFound):  # a version of another workflow
        store.decide_repair(run_id, RepairStatus.APPROVED, "kim", None, at(2), other.id)
    assert store.get_repair_proposal(run_id).status is RepairStatus.PENDING

    store.decide_repair(run_id, RepairStatus.AUTO_APPLIED, "auto", None, at(3), second_version(store))
    with pytest.raises(Conflict) as twice:
        store.decide_repair(run_id, RepairStatus.REJECTED, "lee", None, at(4))
    assert "auto_applied" in str(twice.value)


def test_step_attempts_record_the_version_they_ran_with(store: Store) -> None:
    run_id = new_run(store)
    first = store.get_run(run_id).version_id
    fixed = second_version(store)

    started = store.start_step(run_id, "fetch", "API_CALL", 1, {}, T0, version_id=first)
    recorded = store.record_step(
        run_id, "clean", "PYTHON_SCRIPT", 1, StepStatus.SUCCEEDED, at(1), at(2), version_id=fixed
    )
    legacy = store.record_step(run_id, "mail", "NOTIFICATION", 1, StepStatus.SUCCEEDED, at(3), at(4))
    store.finish_step(started.id, StepStatus.SUCCEEDED, at(1))

    assert (started.version_id, recorded.version_id, legacy.version_id) == (first, fixed, None)
    assert [r.version_id for r in store.list_step_runs(run_id)] == [first, fixed, None]

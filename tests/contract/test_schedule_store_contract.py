"""The ScheduleStore contract on every backend (SQLite file, PostgreSQL schema): stored next fires,
the compare-and-set claim with UNIQUE(schedule_id, fire_time), fire leases and their reaping.

The backend fixtures are the store contract's own (via conftest.py), so both suites run on the same setups.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest

from mwo.store import (
    Conflict,
    FireClaim,
    FireOutcome,
    NotFound,
    RunFilter,
    RunStatus,
    ScheduleSpec,
    Store,
)
from mwo.store.abc import ScheduleStore
from mwo.store.rules_schedules import fire_trigger
from tests.contract.support import at, make_workflow

CONTRACT = ScheduleStore

SPEC = ScheduleSpec(
    cron="0 9 * * *",
    timezone="Asia/Seoul",
    misfire="run_once",
    overlap="skip",
    catch_up_window_s=3600,
    jitter_s=0,
)


def scheduled(store: Store, name: str = "daily-news", first: float = 60.0) -> int:
    store.save_version(make_workflow(name), "yaml")
    return store.save_schedule(name, SPEC, at(first), at(first), at(0)).id


def claim(store: Store, schedule_id: int, fire: float, nxt: float, owner: str = "a") -> list[int]:
    fires = store.claim_fires(
        schedule_id,
        at(fire),
        [FireClaim(at(fire), at(fire))],
        at(nxt),
        at(nxt),
        owner,
        at(fire + 30),
        at(fire),
    )
    return [f.id for f in fires]


def test_save_keeps_the_stored_next_fire_unless_the_timing_changes(store: Store) -> None:
    scheduled(store, first=60)
    again = store.save_schedule("daily-news", SPEC, at(999), at(999), at(1))
    assert again.next_fire_at == at(60)
    new_policy = store.save_schedule(
        "daily-news", ScheduleSpec(**{**SPEC.__dict__, "overlap": "allow"}), at(5), at(5), at(2)
    )
    assert (new_policy.next_fire_at, new_policy.spec.overlap) == (at(60), "allow")
    moved = store.save_schedule(
        "daily-news", ScheduleSpec(**{**SPEC.__dict__, "cron": "0 10 * * *"}), at(70), at(71), at(3)
    )
    assert (moved.next_fire_at, moved.next_due_at, moved.spec.cron) == (at(70), at(71), "0 10 * * *")
    assert [s.workflow_name for s in store.list_schedules()] == ["daily-news"]


def test_due_schedules_respect_time_pause_and_the_workflow_switch(store: Store) -> None:
    scheduled(store, "a", first=60)
    scheduled(store, "b", first=30)
    scheduled(store, "c", first=500)
    assert [s.workflow_name for s in store.due_schedules(at(100))] == ["b", "a"]
    store.set_schedule_paused("a", True, at(1))
    store.set_enabled("b", False)
    assert store.due_schedules(at(100)) == []
    resumed = store.set_schedule_paused("a", False, at(2), at(200), at(201))
    assert (resumed.paused, resumed.next_fire_at) == (False, at(200))
    assert [s.workflow_name for s in store.due_schedules(at(201))] == ["a"]


def test_a_fire_is_claimed_once_and_the_loser_gets_nothing(store: Store) -> None:
    schedule_id = scheduled(store, first=60)
    assert len(claim(store, schedule_id, 60, 120, owner="a")) == 1
    assert claim(store, schedule_id, 60, 120, owner="b") == []
    assert store.get_schedule("daily-news").next_fire_at == at(120)
    fires = store.list_fires("daily-news")
    assert [(f.fire_time, f.claimed_by, f.outcome) for f in fires] == [(at(60), "a", FireOutcome.PENDING)]


def test_a_fire_time_already_stored_is_never_inserted_twice(store: Store) -> None:
    schedule_id = scheduled(store, first=60)
    claim(store, schedule_id, 60, 120)
    store.save_schedule(
        "daily-news", ScheduleSpec(**{**SPEC.__dict__, "cron": "0 8 * * *"}), at(60), at(60), at(1)
    )
    assert claim(store, schedule_id, 60, 120) == []  # the CAS passed, UNIQUE(schedule_id, fire_time) held
    assert len(store.list_fires()) == 1


def test_concurrent_claims_from_three_stores_insert_each_fire_once(
    store: Store, another_store: Callable[[], Store]
) -> None:
    schedule_id = scheduled(store, first=0)
    others = [another_store() for _ in range(2)]
    stores = [store, *others]

    def run(index: int) -> int:
        won = 0
        for _ in range(20):
            current = stores[index].get_schedule("daily-news").next_fire_at
            if current is None or current > at(19):
                break
            fire = (current - at(0)).total_seconds()
            won += len(claim(stores[index], schedule_id, fire, fire + 1, owner=f"s{index}"))
        return won

    try:
        with ThreadPoolExecutor(3) as pool:
            total = sum(pool.map(run, range(3)))
    finally:
        for other in others:
            other.close()
    fires = store.list_fires(limit=1000)
    assert total == len(fires) == 20
    assert len({f.fire_time for f in fires}) == 20


def test_finish_fire_records_the_run_and_is_final(store: Store) -> None:
    schedule_id = scheduled(store)
    (fire_id,) = claim(store, schedule_id, 60, 120, owner="a")
    with pytest.raises(Conflict):
        store.finish_fire(fire_id, "b", FireOutcome.STARTED, at(61))
    done = store.finish_fire(fire_id, "a", FireOutcome.SKIPPED, at(61), note="overlap")
    assert (done.outcome, done.note, done.acquired_by, done.finished_at) == (
        FireOutcome.SKIPPED,
        "overlap",
        None,
        at(61),
    )
    with pytest.raises(Conflict):
        store.finish_fire(fire_id, "a", FireOutcome.STARTED, at(62))
    with pytest.raises(ValueError, match="final"):
        store.finish_fire(fire_id, "a", FireOutcome.PENDING, at(62))


def test_an_abandoned_fire_is_reaped_once_its_lease_expires(store: Store) -> None:
    schedule_id = scheduled(store)
    (fire_id,) = claim(store, schedule_id, 60, 120, owner="crashed")
    assert store.reap_abandoned_fires("b", at(200), now=at(89)) == []
    (reaped,) = store.reap_abandoned_fires("b", at(200), now=at(90))
    assert (reaped.id, reaped.acquired_by, reaped.acquired_until) == (fire_id, "b", at(200))
    assert store.reap_abandoned_fires("c", at(300), now=at(100)) == []
    assert (
        store.finish_fire(fire_id, "b", FireOutcome.STARTED, at(101), run_id=None).outcome
        is FireOutcome.STARTED
    )


def test_a_released_fire_is_reaped_at_once_or_when_its_hold_ends(store: Store) -> None:
    schedule_id = scheduled(store)
    (fire_id,) = claim(store, schedule_id, 60, 120, owner="a")
    store.release_fire(fire_id, "a", until=at(75))
    assert store.reap_abandoned_fires("b", at(200), now=at(70)) == []
    assert [f.id for f in store.reap_abandoned_fires("b", at(200), now=at(75))] == [fire_id]
    store.release_fire(fire_id, "b")
    assert [f.id for f in store.reap_abandoned_fires("c", at(200), now=at(76))] == [fire_id]


def test_start_fire_run_creates_the_run_and_finishes_the_fire_at_once(store: Store) -> None:
    schedule_id = scheduled(store)
    (fire_id,) = claim(store, schedule_id, 60, 120, owner="a")
    version = store.get_version("daily-news")
    with pytest.raises(Conflict):
        store.start_fire_run(fire_id, "b", version.id, {}, at(61))
    run = store.start_fire_run(fire_id, "a", version.id, {"x": 1}, at(61))
    assert (run.status, run.trigger, run.inputs, run.version_id) == (
        RunStatus.QUEUED,
        fire_trigger(fire_id),
        {"x": 1},
        version.id,
    )
    (fire,) = store.list_fires("daily-news")
    assert (fire.outcome, fire.run_id, fire.acquired_by) == (FireOutcome.STARTED, run.id, None)
    with pytest.raises(Conflict):  # a second start (e.g. after a lease takeover) never makes a second run
        store.start_fire_run(fire_id, "a", version.id, {}, at(62))
    assert len(store.list_runs(RunFilter(limit=10))) == 1


def test_deleting_the_schedule_or_workflow_removes_its_fires(store: Store) -> None:
    schedule_id = scheduled(store)
    claim(store, schedule_id, 60, 120)
    assert store.delete_schedule("daily-news") is True
    assert store.delete_schedule("daily-news") is False
    assert store.list_fires() == []
    with pytest.raises(NotFound) as info:
        store.get_schedule("daily-news")
    assert "mwo schedule list" in info.value.fix
    scheduled(store, "other")
    store.delete_workflow("other")
    assert store.list_schedules() == []
    with pytest.raises(NotFound):
        store.claim_fires(999, at(0), [], None, None, "a", at(1), at(0))


def test_a_schedule_with_no_more_fires_is_never_due(store: Store) -> None:
    schedule_id = scheduled(store, first=60)
    claim_all = store.claim_fires(
        schedule_id, at(60), [FireClaim(at(60), at(61))], None, None, "a", at(90), at(60)
    )
    assert [f.due_at for f in claim_all] == [at(61)]
    assert store.due_schedules(at(10_000) + timedelta(days=1)) == []

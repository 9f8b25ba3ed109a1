"""The run service's lease heartbeat on the memory store with a hand-moved clock: a beat extends only
leases at least half a beat old (a run driven for less costs no statement), marks a lease taken over
as lost without raising, outlives a store error, and its thread ends when nothing is kept or at
`close`."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta

import pytest

from mwo.engine.heartbeat import LeaseHeartbeat
from mwo.spec import workflow_from_data
from mwo.store.memory import MemoryStore
from mwo.store.records import RunLease
from tests.clocks import ManualClock

LEASE_S = 30.0
BEAT = timedelta(seconds=LEASE_S / 3)
LEASE = timedelta(seconds=LEASE_S)


class CountingStore(MemoryStore):
    """The memory store, counting lease extensions; `fail_next` makes the next one raise."""

    def __init__(self, clock: ManualClock) -> None:
        super().__init__(clock=clock)
        self.extensions = 0
        self.fail_next = False

    def extend_run_lease(self, lease: RunLease, until: datetime) -> bool:
        self.extensions += 1
        if self.fail_next:
            self.fail_next = False
            raise OSError("the database went away for a moment")
        return super().extend_run_lease(lease, until)


@pytest.fixture
def store(clock: ManualClock) -> CountingStore:
    return CountingStore(clock)


def held_run(store: CountingStore, clock: ManualClock, owner: str = "here") -> tuple[RunLease, datetime]:
    workflow = workflow_from_data({"name": "long", "steps": [{"id": "wait", "type": "APPROVAL"}]})
    version, _ = store.save_version(workflow, "name: long\n")
    run = store.create_run(version.id, {}, "manual", clock())
    until = clock() + LEASE
    lease = store.acquire_run_lease(run.id, owner, until, clock())
    assert lease is not None
    return lease, until


def test_a_beat_extends_a_lease_only_once_half_a_beat_of_it_is_used(
    store: CountingStore, clock: ManualClock
) -> None:
    heartbeat = LeaseHeartbeat(store, LEASE_S, clock)
    lease, until = held_run(store, clock)
    kept = heartbeat.keep(lease, until)
    try:
        heartbeat.beat()
        clock.advance(BEAT / 2 - timedelta(seconds=1))
        heartbeat.beat()
        assert store.extensions == 0, "a lease just taken costs no statement"

        for _ in range(6):  # two whole leases' worth of beats: the lease always runs a lease ahead
            clock.advance(BEAT)
            heartbeat.beat()
            assert store.get_run(lease.run_id).acquired_until == clock() + LEASE
        assert store.extensions == 6 and kept.until == clock() + LEASE and not kept.lost
    finally:
        heartbeat.close()


def test_a_lease_is_not_kept_past_its_runs_time_limit(
    store: CountingStore, clock: ManualClock, caplog: pytest.LogCaptureFixture
) -> None:
    heartbeat = LeaseHeartbeat(store, LEASE_S, clock)
    lease, until = held_run(store, clock)
    kept = heartbeat.keep(lease, until)
    kept.stop_at = clock() + 2 * BEAT + timedelta(seconds=1)
    try:
        for _ in range(2):
            clock.advance(BEAT)
            heartbeat.beat()
        assert store.extensions == 2
        last_end = kept.until

        for _ in range(3):  # past the run's time limit: the step hangs, the lease runs out
            clock.advance(BEAT)
            heartbeat.beat()

        assert store.extensions == 2 and kept.until == last_end and not kept.lost
        assert store.get_run(lease.run_id).acquired_until == last_end < clock() + BEAT
        taken = store.acquire_run_lease(lease.run_id, "reaper", clock() + LEASE + BEAT, clock() + BEAT)
        assert taken is not None, "another process can take the run over"
        warnings = [r.getMessage() for r in caplog.records if "time limit" in r.getMessage()]
        assert len(warnings) == 1, "said once"
    finally:
        heartbeat.close()


def test_a_lease_taken_over_is_marked_lost_and_left_alone(store: CountingStore, clock: ManualClock) -> None:
    heartbeat = LeaseHeartbeat(store, LEASE_S, clock)
    lease, until = held_run(store, clock)
    kept = heartbeat.keep(lease, until)
    clock.advance(LEASE + timedelta(seconds=1))  # this process was paused: nobody beat meanwhile
    taken = store.acquire_run_lease(lease.run_id, "there", clock() + LEASE, clock())
    assert taken is not None and taken.token == lease.token + 1

    heartbeat.beat()
    heartbeat.beat()

    assert kept.lost and store.extensions == 1, "one refused extension, then nothing more"
    assert store.get_run(lease.run_id).acquired_by == "there"
    heartbeat.close()


def test_a_store_error_is_tried_again_at_the_next_beat(store: CountingStore, clock: ManualClock) -> None:
    heartbeat = LeaseHeartbeat(store, LEASE_S, clock)
    lease, until = held_run(store, clock)
    kept = heartbeat.keep(lease, until)
    clock.advance(BEAT)
    store.fail_next = True

    heartbeat.beat()  # logged, not raised
    assert not kept.lost and store.get_run(lease.run_id).acquired_until == until
    clock.advance(BEAT)
    heartbeat.beat()

    assert store.get_run(lease.run_id).acquired_until == clock() + LEASE
    heartbeat.close()


def test_a_dropped_lease_is_not_extended(store: CountingStore, clock: ManualClock) -> None:
    heartbeat = LeaseHeartbeat(store, LEASE_S, clock)
    lease, until = held_run(store, clock)
    heartbeat.drop(heartbeat.keep(lease, until))
    clock.advance(LEASE)

    heartbeat.beat()

    assert store.extensions == 0
    heartbeat.close()


def beating(name: str) -> bool:
    return any(thread.name == name for thread in threading.enumerate())


def wait_until(check: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + 30
    while not check():
        assert time.monotonic() < deadline, f"gave up waiting for {what}"
        time.sleep(0.01)


def test_the_thread_beats_while_a_lease_is_kept_and_ends_when_none_is(
    store: CountingStore, clock: ManualClock
) -> None:
    """Real time between beats (a short lease: 0.3 s, a beat every 0.1 s); the extension itself
    reads the hand-moved clock, which the test moves once."""
    name = f"heartbeat-{uuid.uuid4().hex[:8]}"
    heartbeat = LeaseHeartbeat(store, 0.3, clock, name=name)
    lease, until = held_run(store, clock)
    assert not beating(name), "no thread before a run is kept"
    kept = heartbeat.keep(lease, until)
    assert beating(name)
    clock.advance(LEASE)

    wait_until(lambda: kept.until > until, "the thread's first beat")
    heartbeat.drop(kept)
    wait_until(lambda: not beating(name), "the thread to end with nothing to keep")

    heartbeat.keep(lease, kept.until)
    assert beating(name), "the next kept run starts it again"
    heartbeat.close()
    assert not beating(name), "close ends it at once"
    heartbeat.keep(lease, kept.until)
    assert not beating(name), "a closed heartbeat starts no thread"

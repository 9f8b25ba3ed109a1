"""50 SIGKILLs of `mwo worker` mid-step over a mixed workload (issue #17, item 1), on the real
PostgreSQL (a fresh schema) and Redis, with one `mwo serve` whose reaper takes orphans over.

Two lanes each run a worker lifecycle loop: start a worker, wait until it holds a run, let it go a
random fraction of a step further, SIGKILL it, start the next one. Then two workers that are not
killed finish what is left. Asserted from what was recorded:
- no run lost and none created twice: every run the test started is in the store and succeeded;
- no duplicate side effect: each webhook step reached the loopback receiver once (counted per
  Idempotency-Key) and each inbox step left one message;
- every orphan (a run the killed worker held) was taken over within the run lease plus the reaper
  period, read from the first step row written after the kill (see `takeover_bound`).
"""

from __future__ import annotations

import os
import random
import signal
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from pathlib import Path

import pytest

from mwo.clock import utc_now
from mwo.services import Services
from mwo.spec import workflow_from_data
from mwo.store.records import RunRecord, RunStatus
from mwo.workers.celery_app import CeleryDispatcher, create_celery
from tests.e2e.test_serve import free_port
from tests.scale_support import (
    CountingReceiver,
    Forker,
    Machine,
    Process,
    all_runs,
    counting_receiver,
    eventually,
    held_by_pid,
    postgres_machine,
    reader,
    served_url,
    start,
)

pytestmark = [pytest.mark.slow, pytest.mark.postgres]

KILLS = 50
LANES = 2
LEASE_S = 4.0
REAPER_S = 1.5
TUNING = {
    "MWO_RUN_LEASE_S": str(LEASE_S),
    "MWO_REAPER_INTERVAL_S": str(REAPER_S),
    "MWO_WORKERS": "4",  # the server's pool: how many orphans it takes over side by side
    "MWO_SCHEDULER_TICK_S": "1",
    "MWO_DRAIN_GRACE_S": "2",
}


def takeover_bound() -> timedelta:
    """A killed worker's lease was last written at or before the kill, so it runs out at most
    LEASE_S later; the reaper's next pass (every REAPER_S) then takes the run over. One more reaper
    period is margin for the pass itself (it resumes the runs it finds one after another) and for the
    scheduling delays of a shared two-core machine."""
    return timedelta(seconds=LEASE_S + 2 * REAPER_S)


def workflows(base: str) -> list[dict[str, object]]:
    """A mixed workload: transforms, a branch, a slow call without side effects (where most kills
    land), webhook deliveries and inbox messages (the side effects that must happen once)."""
    network = {"network": {"allow": ["127.0.0.1"]}}
    hook = {
        "type": "NOTIFICATION",
        "channel": "webhook",
        "webhook_url": f"{base}/hook",
        "body": "n={{ inputs.n }}",
    }
    slow = {"type": "API_CALL", "request": {"method": "GET", "url": f"{base}/slow"}}
    return [
        {
            "name": "crash-a",
            "inputs": {"n": {"type": "integer"}},
            "settings": network,
            "steps": [
                {
                    "id": "pick",
                    "type": "DATA_TRANSFORM",
                    "source": "inputs",
                    "ops": [{"op": "select", "fields": ["n"]}],
                },
                {"id": "fetch", **slow},
                {"id": "hook", **hook},
                {
                    "id": "tell",
                    "type": "NOTIFICATION",
                    "channel": "inbox",
                    "subject": "tell",
                    "body": "a {{ inputs.n }}",
                },
            ],
        },
        {
            "name": "crash-b",
            "inputs": {"n": {"type": "integer"}},
            "settings": network,
            "steps": [
                {
                    "id": "route",
                    "type": "CONDITION",
                    "branches": [{"when": "inputs.n % 2 == 0", "goto": "tell"}],
                    "default": "fetch",
                },
                {
                    "id": "tell",
                    "type": "NOTIFICATION",
                    "channel": "inbox",
                    "subject": "tell",
                    "body": "b {{ inputs.n }}",
                },
                {"id": "fetch", **slow},
                {"id": "hook", **hook},
            ],
        },
    ]


@dataclass(frozen=True)
class Kill:
    at: datetime
    orphans: list[RunRecord]


class Workload:
    """Keeps enough runs queued that every worker started finds work."""

    def __init__(self, services: Services) -> None:
        self._services = services
        self._dispatcher = CeleryDispatcher(create_celery(services.settings), services.settings)
        self._lock = threading.Lock()
        self.started: dict[str, tuple[str, int]] = {}
        """run id -> (workflow, n)"""

    def top_up(self, least: int = 8) -> None:
        with self._lock:
            live = [r for r in all_runs(self._services) if not r.status.is_final]
            for _ in range(max(0, least - len(live))):
                n = len(self.started)
                name = ("crash-a", "crash-b")[n % 2]
                run = self._services.runs.create_run(name, {"n": n}, trigger="api")
                self.started[run.id] = (name, n)
                assert self._dispatcher.execute(run.id)


def kill_lane(
    machine: Machine, services: Services, work: Workload, forker: Forker, lane: int, kills: int
) -> list[Kill]:
    """Start a worker, wait until it holds a run, SIGKILL it a random moment later; `kills` times."""
    done: list[Kill] = []
    rng = random.Random(lane)
    for i in range(kills):
        work.top_up()
        name = f"w{lane}-{i}"
        pid = forker.spawn(machine.role_env("worker", name, **TUNING), machine.root / f"{name}.err")

        eventually(partial(holds_a_run, services, work, pid), f"worker {name} to take a run", every_s=0.02)
        time.sleep(rng.uniform(0, 0.35))  # lands the kill anywhere in a step, not an assertion
        orphans = held_by_pid(services, pid)
        at = utc_now()
        os.kill(pid, signal.SIGKILL)
        eventually(partial(dead, pid), f"worker {name} to die")
        done.append(Kill(at, orphans))
    return done


def holds_a_run(services: Services, work: Workload, pid: int) -> list[RunRecord]:
    work.top_up()  # the server's reaper also takes queued runs: keep some for the worker
    return held_by_pid(services, pid)


def dead(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


def assert_taken_over_in_time(services: Services, kills: list[Kill]) -> list[float]:
    """Each orphan's first step row after the kill (or its end, when only the final state was left
    to write) is within `takeover_bound` of the kill; returns the delays in seconds."""
    delays = []
    for kill in kills:
        for orphan in kill.orphans:
            run = services.store.get_run(orphan.id)
            assert run.finished_at is not None
            if run.finished_at <= kill.at:
                continue  # it finished between the last read and the kill: nothing was orphaned
            after = [s.started_at for s in services.store.list_step_runs(run.id) if s.started_at > kill.at]
            taken = min([*after, run.finished_at])
            delays.append((taken - kill.at).total_seconds())
    late = [d for d in delays if d > takeover_bound().total_seconds()]
    assert late == [], f"{len(late)} of {len(delays)} orphans taken over late: {sorted(delays)}"
    return delays


def assert_side_effects_once(services: Services, receiver: CountingReceiver, work: Workload) -> None:
    hooks = Counter({f"{run_id}:hook": 1 for run_id in work.started})
    assert receiver.duplicates() == {}, "a webhook delivered twice"
    assert receiver.deliveries == hooks, "each webhook step delivered exactly once"
    inbox = Counter((m.run_id, m.title) for m in services.store.list_messages(limit=100_000))
    expected = Counter(
        {(run_id, "tell"): 1 for run_id, (name, n) in work.started.items() if name == "crash-a" or n % 2 == 0}
    )
    assert inbox == expected, "each inbox step posted exactly once"


@pytest.mark.timeout(900)  # about 2 minutes alone; the shared test machine can be several times slower
def test_fifty_worker_kills_lose_no_run_and_repeat_no_side_effect(tmp_path: Path) -> None:
    began = time.monotonic()
    with postgres_machine(tmp_path) as machine, counting_receiver() as receiver:
        services = reader(machine, run_lease_s=LEASE_S)
        for spec in workflows(receiver.base):
            services.applier.apply_workflow(workflow_from_data(spec))
        processes: list[Process] = []
        forker = Forker()
        try:
            serve = start(machine, "serve", "serve", ["serve"], MWO_SERVE_PORT=str(free_port()), **TUNING)
            processes.append(serve)
            served_url(serve)
            work = Workload(services)
            per_lane = KILLS // LANES
            with ThreadPoolExecutor(LANES) as lanes:
                futures = [
                    lanes.submit(kill_lane, machine, services, work, forker, lane, per_lane)
                    for lane in range(LANES)
                ]
                kills = [kill for future in futures for kill in future.result()]
            assert len(kills) == KILLS
            for i in range(2):  # workers that live: what is left finishes
                name = f"final-{i}"
                forker.spawn(machine.role_env("worker", name, **TUNING), machine.root / f"{name}.err")
            eventually(
                lambda: all(r.status.is_final for r in all_runs(services)),
                "every run to finish",
                timeout_s=180,
            )

            runs = all_runs(services)
            assert sorted(r.id for r in runs) == sorted(work.started), "no run lost, none created twice"
            assert {r.status for r in runs} == {RunStatus.SUCCEEDED}, [
                (r.id, r.status, r.error) for r in runs if r.status is not RunStatus.SUCCEEDED
            ]
            assert_side_effects_once(services, receiver, work)
            delays = assert_taken_over_in_time(services, kills)
            assert delays, "some kill orphaned a run"
            print(
                f"\n{KILLS} kills, {len(runs)} runs, {len(delays)} orphans taken over in "
                f"max {max(delays):.2f}s (bound {takeover_bound().total_seconds():.0f}s), "
                f"{time.monotonic() - began:.0f}s"
            )
        finally:
            for process in processes:
                if process.popen.poll() is None:
                    process.stop()
            forker.close()
            services.close()

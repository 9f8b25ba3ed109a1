"""Three `mwo serve` schedulers on one PostgreSQL database over 10,000 fires: each fire exactly once
(issue #17, item 3).

Time is not waited for: 100 workflows with an every-minute cron were applied as of 100 minutes ago
(the reader's clock), with `misfire: run_all` and an `end` one minute before their 100th fire. So when
the three servers start, each schedule has exactly 100 missed fires to catch up, 10,000 in all, and
no new one comes while the test runs. The three claim them concurrently, through the same store
calls as on-time fires (`ScheduleStore.claim_fires`, `start_fire_run`).

The scheduler's contract is "a fire -> exactly one run": what is counted is the runs in the store per
(schedule, fire time), read from the runs table (trigger `schedule:<fire id>`) and the fires table.
The runs are queued to a Celery queue no worker reads (MWO_EXECUTOR=celery, as in the deployment
recipe), so the test measures the schedulers, not 10,000 executions on two cores.
"""

from __future__ import annotations

import time
from collections import Counter
from datetime import datetime, timedelta
from functools import partial
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text

from mwo.clock import utc_now
from mwo.spec import workflow_from_data
from mwo.store.records import FireOutcome
from tests.clocks import ManualClock
from tests.e2e.test_serve import free_port
from tests.scale_support import Process, all_runs, eventually, postgres_machine, reader, served_url, start

pytestmark = [pytest.mark.slow, pytest.mark.postgres]

SCHEDULES = 100
MINUTES = 100
SERVERS = 3


def minute_floor(at: datetime) -> datetime:
    return at.replace(second=0, microsecond=0)


def ticking(name: str, first: datetime, last: datetime) -> dict[str, object]:
    return {
        "name": name,
        "trigger": {
            "type": "cron",
            "cron": "* * * * *",
            "misfire": "run_all",
            "overlap": "allow",
            "catch_up_window_s": 4 * 3600,
            "start": first.isoformat(),
            "end": last.isoformat(),
        },
        "steps": [{"id": "tell", "type": "NOTIFICATION", "channel": "inbox", "body": "tick"}],
    }


def started_fires(engine: Engine, expected: int) -> bool:
    """Whether `expected` fires are there and none is pending (one count, not 10,000 records)."""
    with engine.connect() as connection:
        row = connection.execute(
            text("SELECT count(*), count(*) FILTER (WHERE outcome <> 'started') FROM schedule_fires")
        ).one()
    return bool(row[0] >= expected and row[1] == 0)


@pytest.mark.timeout(900)  # about 2 minutes alone; the shared test machine can be several times slower
def test_three_schedulers_fire_ten_thousand_fires_exactly_once(tmp_path: Path) -> None:
    began = time.monotonic()
    first = minute_floor(utc_now()) - timedelta(minutes=MINUTES + 1)
    last = first + timedelta(minutes=MINUTES - 1)
    expected = {first + timedelta(minutes=i) for i in range(MINUTES)}
    with postgres_machine(tmp_path) as machine:
        # Applied as of before the first fire: each schedule's stored next fire is `first`.
        services = reader(machine, clock=ManualClock(first - timedelta(seconds=30)))
        names = [f"tick-{i:03d}" for i in range(SCHEDULES)]
        for name in names:
            services.applier.apply_workflow(workflow_from_data(ticking(name, first, last)))
        processes: list[Process] = []
        try:
            for i in range(SERVERS):
                port = str(free_port())
                processes.append(start(machine, "serve", f"serve-{i}", ["serve"], MWO_SERVE_PORT=port))
            for process in processes:
                served_url(process)

            counter = create_engine(machine.database_url)
            try:
                eventually(
                    partial(started_fires, counter, SCHEDULES * MINUTES),
                    f"{SCHEDULES * MINUTES} fires to start",
                    timeout_s=480,
                    every_s=1,
                )
            finally:
                counter.dispose()
            stopped = [p.stop() for p in processes]
            assert [code for code, _ in stopped] == [0] * SERVERS, stopped

            fires = services.store.list_fires(limit=SCHEDULES * MINUTES * 2)
            by_schedule = Counter(f.workflow_name for f in fires)
            assert by_schedule == Counter({name: MINUTES for name in names}), "every schedule's 100 fires"
            for name in names:
                times = {f.fire_time for f in fires if f.workflow_name == name}
                assert times == expected, name
            assert {f.outcome for f in fires} == {FireOutcome.STARTED}
            runs = all_runs(services)
            per_fire = Counter(r.trigger for r in runs)
            assert per_fire == Counter({f"schedule:{f.id}": 1 for f in fires}), "exactly one run per fire"
            assert {f.run_id for f in fires} == {r.id for r in runs}
            claimers = Counter(f.claimed_by for f in fires)
            print(
                f"\n{len(fires)} fires, {len(runs)} runs, claimed by {len(claimers)} schedulers "
                f"{sorted(claimers.values())}, {time.monotonic() - began:.0f}s"
            )
        finally:
            for process in processes:
                if process.popen.poll() is None:
                    process.popen.kill()
                    process.popen.wait(30)
            services.close()

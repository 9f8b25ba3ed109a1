"""Scheduler benchmarks: 10,000 schedules over a simulated day on one scheduler (fire lateness,
missed, duplicates), and three schedulers ticking together on one database (duplicates).

Time is simulated but the work is real: a tick happens at the next due instant (or when the previous
tick ends, if it ran late), takes the real time it takes, and every fire it starts counts as late by
`tick instant - fire time + tick duration` (its run row exists by the end of the tick). Runs are
created (the fire's row and run row, in one transaction) but not executed: this measures the
scheduler, not the engine.
"""

from __future__ import annotations

import random
import tempfile
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from bench.harness import p50
from mwo.services import Services
from mwo.settings import Settings
from mwo.spec import dump_workflow, workflow_from_data
from mwo.store import RunFilter, Store
from mwo.triggers import CronSchedule, fires_between
from mwo.triggers.registration import sync_schedule
from mwo.triggers.scheduler import Scheduler

DAY = datetime(2026, 6, 10, tzinfo=timezone.utc)
ZONES = ["UTC", "Asia/Seoul", "America/New_York", "Europe/Berlin", "Australia/Lord_Howe"]


class _NoExecute:
    """A launcher whose runs stay queued: the benchmark measures claiming, not executing."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def prepare(self, workflow_name: str) -> tuple[int, dict[str, Any]]:
        return self._store.get_version(workflow_name).id, {}

    def submit(self, run_id: str) -> None:
        pass

    def active_runs(self, workflow_name: str) -> list[str]:
        return []

    def cancel(self, run_id: str) -> None:
        pass


def _spec(name: str, cron: str, tz: str) -> dict[str, Any]:
    return {
        "name": name,
        "trigger": {"type": "cron", "cron": cron, "timezone": tz, "overlap": "allow", "misfire": "run_all"},
        "steps": [{"id": "noop", "type": "APPROVAL"}],
    }


def _register(store: Store, specs: list[dict[str, Any]], now: datetime) -> None:
    for data in specs:
        workflow = workflow_from_data(data)
        store.save_version(workflow, dump_workflow(workflow))
        sync_schedule(store, workflow, now)


def _crons(count: int, rng: random.Random) -> list[tuple[str, str]]:
    """90% daily at a random minute, 10% hourly at a random minute; zones mixed."""
    out = []
    for i in range(count):
        zone = ZONES[i % len(ZONES)]
        if i % 10 == 0:
            out.append((f"{rng.randrange(60)} * * * *", zone))
        else:
            out.append((f"{rng.randrange(60)} {rng.randrange(24)} * * *", zone))
    return out


def one_scheduler_day(schedules: int = 10_000, seed: int = 7, hours: int = 24) -> dict[str, Any]:
    """Fire lateness, missed and duplicate fires of one scheduler over a simulated day (or `hours`)."""
    rng = random.Random(seed)
    crons = _crons(schedules, rng)
    with tempfile.TemporaryDirectory(prefix="mwo-bench-") as home:
        services = Services.open(Settings(home=Path(home)))
        try:
            store = services.store
            started = time.perf_counter()
            _register(store, [_spec(f"wf{i}", c, z) for i, (c, z) in enumerate(crons)], DAY)
            setup_s = time.perf_counter() - started
            scheduler = Scheduler(store, _NoExecute(store), "bench")
            end = DAY + timedelta(hours=hours)
            lateness, ticks, busy = _simulate(store, scheduler, DAY, end)
            expected = {
                (f"wf{i}", t)
                for i, (c, z) in enumerate(crons)
                for t in fires_between(CronSchedule.parse(c, z), DAY, end)
            }
            fires = store.list_fires(limit=10_000_000)
            got = Counter((f.workflow_name, f.fire_time) for f in fires if f.fire_time <= end)
            runs = store.list_runs(RunFilter(limit=10_000_000))
            run_triggers = Counter(r.trigger for r in runs)
        finally:
            services.close()
    ordered = sorted(lateness)
    return {
        "schedules": schedules,
        "hours": hours,
        "expected_fires": len(expected),
        "fires": len(got),
        "missed": len(expected - set(got)),
        "unexpected": len(set(got) - expected),
        "duplicate_fires": sum(n - 1 for n in got.values() if n > 1),
        "duplicate_runs": sum(n - 1 for n in run_triggers.values() if n > 1),
        "lateness_p50_ms": round(p50(ordered) * 1000, 1),
        "lateness_p99_ms": round(ordered[int(len(ordered) * 0.99) - 1] * 1000, 1),
        "lateness_max_ms": round(ordered[-1] * 1000, 1),
        "ticks": ticks,
        "busy_s": round(busy, 1),
        "setup_s": round(setup_s, 1),
    }


def _simulate(
    store: Store, scheduler: Scheduler, start: datetime, end: datetime
) -> tuple[list[float], int, float]:
    """Tick at each next due instant (or right after a late tick) until `end`."""
    lateness: list[float] = []
    clock = start
    ticks = 0
    busy = 0.0
    while True:
        due = [s.next_due_at for s in store.due_schedules(end, limit=1) if s.next_due_at is not None]
        if not due or due[0] > end:
            break
        clock = max(clock, due[0])
        began = time.perf_counter()
        report = scheduler.tick(clock)
        took = time.perf_counter() - began
        ticks += 1
        busy += took
        fired = [f for f in store.list_fires(limit=report.claimed) if f.outcome.value == "started"]
        lateness.extend(((clock - f.fire_time).total_seconds() + took) for f in fired[: report.claimed])
        clock += timedelta(seconds=took)
    return lateness, ticks, busy


def three_schedulers(schedules: int = 10, ticks: int = 10_000) -> dict[str, Any]:
    """Three schedulers (own connection pools, own threads) tick together every simulated minute."""
    with tempfile.TemporaryDirectory(prefix="mwo-bench-") as home:
        settings = Settings(home=Path(home))
        opened = [Services.open(settings) for _ in range(3)]
        try:
            store = opened[0].store
            _register(
                store,
                [_spec(f"m{i}", "* * * * *", "UTC") for i in range(schedules)],
                DAY - timedelta(seconds=1),
            )
            schedulers = [Scheduler(s.store, _NoExecute(s.store), f"s{i}") for i, s in enumerate(opened)]
            barrier = threading.Barrier(3)

            def drive(index: int) -> int:
                started = 0
                for minute in range(ticks):
                    barrier.wait()
                    started += len(schedulers[index].tick(DAY + timedelta(minutes=minute, seconds=1)).started)
                return started

            began = time.perf_counter()
            with ThreadPoolExecutor(3) as pool:
                per_scheduler = list(pool.map(drive, range(3)))
            took = time.perf_counter() - began
            runs = store.list_runs(RunFilter(limit=10_000_000))
            fires = store.list_fires(limit=10_000_000)
        finally:
            for s in opened:
                s.close()
    per_fire = Counter((f.workflow_name, f.fire_time) for f in fires)
    return {
        "schedulers": 3,
        "schedules": schedules,
        "ticks_each": ticks,
        "expected_fires": schedules * ticks,
        "fires": len(per_fire),
        "runs": len(runs),
        "started_per_scheduler": per_scheduler,
        "duplicates": sum(n - 1 for n in per_fire.values() if n > 1) + len(runs) - len(per_fire),
        "seconds": round(took, 1),
    }


def main(schedules: int = 10_000, ticks: int = 10_000) -> None:
    print(one_scheduler_day(schedules))
    print(three_schedulers(ticks=ticks))


if __name__ == "__main__":
    main()

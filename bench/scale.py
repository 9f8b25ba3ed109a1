"""Scale-out: light runs per second and end-to-end latency with the local executor vs 1 and 2 Celery
workers, all on the real PostgreSQL + Redis of this machine (issue #17).

Each variant gets a fresh schema, the same 3-step DATA_TRANSFORM workflow and the same burst of runs,
all queued in the store first and then handed over, as `mwo serve` does when webhooks arrive:
- local: this process's worker pool (`MWO_WORKERS` threads) executes them (MWO_EXECUTOR=local);
- celery xN: N `mwo worker --concurrency 4` processes take them from Redis (MWO_EXECUTOR=celery).
Throughput is runs / (last finished - first queued); latency is each run's finished - created, read
from the store. The ratio is to the local executor measured in the same run. CPU shares (this
process, the workers, PostgreSQL's backends) say which resource limits each variant.

`python -m bench scale [--runs N]`; needs PostgreSQL at MWO_TEST_POSTGRES_URL and Redis at
MWO_TEST_REDIS_URL (the test suite's defaults).
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from bench.harness import apply, chain_spec
from mwo.engine.dispatch import RunDispatcher
from mwo.services import Services
from mwo.settings import Settings
from mwo.store.records import RunFilter, RunRecord, RunStatus

POSTGRES_URL = os.environ.get("MWO_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
BROKER = os.environ.get("MWO_TEST_REDIS_URL", "redis://127.0.0.1:6379/14")
WORKFLOW = "three"
CONCURRENCY = 4
TICKS = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class Result:
    name: str
    runs: int
    seconds: float
    latencies: list[float]
    cpu: dict[str, float]
    """CPU seconds used during the burst, by who used them."""

    @property
    def rate(self) -> float:
        return self.runs / self.seconds

    def percentile(self, share: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench scale")
    parser.add_argument("--runs", type=int, default=300, help="runs in each burst (default 300)")
    options = parser.parse_args(argv or [])
    results = [_local(options.runs), _celery(options.runs, 1), _celery(options.runs, 2)]
    base = results[0]
    print(f"3-step DATA_TRANSFORM runs on PostgreSQL, a burst of {options.runs} queued at once:")
    for result in results:
        cpu = ", ".join(f"{who} {seconds / result.seconds:.2f} cores" for who, seconds in result.cpu.items())
        print(
            f"  {result.name:<12} {result.rate:7.1f} runs/s ({result.rate / base.rate:.2f}x local)"
            f"   end-to-end p50 {result.percentile(0.5) * 1e3:7.0f} ms, p99 "
            f"{result.percentile(0.99) * 1e3:7.0f} ms   CPU: {cpu}"
        )
    print(f"  machine: {os.cpu_count()} cores; load average now {os.getloadavg()[0]:.1f}")


def _local(count: int) -> Result:
    from mwo.engine.dispatch import SubmitDispatcher
    from mwo.workers.pool import WorkerPool

    with _installation() as (settings, _):
        services = Services.open(settings)
        pool = WorkerPool(settings.workers, count + 1, name="bench-local")
        try:
            dispatcher = SubmitDispatcher(lambda: services.runs, pool.submit)
            _warm_up(services, dispatcher)
            return _burst("local", services, dispatcher, count, [])
        finally:
            pool.drain(30)
            services.close()


def _celery(count: int, workers: int) -> Result:
    from mwo.workers.celery_app import CeleryDispatcher, create_celery

    with _installation() as (settings, env):
        services = Services.open(settings)
        started = [_start_worker(env) for _ in range(workers)]
        try:
            dispatcher = CeleryDispatcher(create_celery(settings), settings)
            _warm_up(services, dispatcher)
            return _burst(f"celery x{workers}", services, dispatcher, count, [p.pid for p in started])
        finally:
            for process in started:
                process.send_signal(signal.SIGTERM)
            for process in started:
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    process.kill()
            services.close()


def _burst(
    name: str, services: Services, dispatcher: RunDispatcher, count: int, worker_pids: list[int]
) -> Result:
    created = [services.runs.create_run(WORKFLOW, trigger="api") for _ in range(count)]
    backends = _postgres_backends(services.settings)
    before = _cpu(worker_pids, backends)
    for run in created:
        dispatcher.execute(run.id)
    finished = _wait_all(services, {run.id for run in created})
    after = _cpu(worker_pids, backends)
    failed = [run for run in finished if run.status is not RunStatus.SUCCEEDED]
    if failed:
        raise SystemExit(f"{name}: {len(failed)} runs did not succeed, e.g. {failed[0].error}")
    first = min(run.created_at for run in finished)
    last = max(run.finished_at for run in finished if run.finished_at is not None)
    latencies = [(run.finished_at - run.created_at).total_seconds() for run in finished if run.finished_at]
    cpu = {who: after[who] - before[who] for who in before}
    return Result(name, count, (last - first).total_seconds(), latencies, cpu)


def _warm_up(services: Services, dispatcher: RunDispatcher) -> None:
    """A few runs first, so worker start-up and first-connection costs are not in the burst."""
    runs = [services.runs.create_run(WORKFLOW, trigger="api") for _ in range(2 * CONCURRENCY)]
    for run in runs:
        dispatcher.execute(run.id)
    _wait_all(services, {run.id for run in runs})


def _wait_all(services: Services, ids: set[str], timeout_s: float = 600) -> list[RunRecord]:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        listed = services.store.list_runs(RunFilter(workflow_name=WORKFLOW, limit=100_000))
        runs = [r for r in listed if r.id in ids]
        if len(runs) == len(ids) and all(r.status.is_final for r in runs):
            return runs
        time.sleep(0.2)
    raise SystemExit(f"gave up after {timeout_s:.0f} s: not every run finished")


@contextmanager
def _installation() -> Iterator[tuple[Settings, dict[str, str]]]:
    """A fresh schema on the PostgreSQL server, a home, a queue of its own; removed afterwards."""
    import redis
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url
    from sqlalchemy.schema import CreateSchema, DropSchema

    redis.Redis.from_url(BROKER, socket_connect_timeout=2).ping()
    admin = create_engine(POSTGRES_URL)
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    with admin.begin() as connection:
        connection.execute(CreateSchema(schema))
    url = make_url(POSTGRES_URL).update_query_dict(
        {"options": f"-csearch_path={schema}", "application_name": schema}
    )
    queue = f"mwo-bench-{uuid.uuid4().hex[:8]}"
    with tempfile.TemporaryDirectory(prefix="mwo-bench-scale-") as home:
        env = {
            "MWO_HOME": home,
            "MWO_DATABASE_URL": url.render_as_string(hide_password=False),
            "MWO_CELERY_BROKER_URL": BROKER,
            "MWO_CELERY_QUEUE": queue,
            "MWO_EXECUTOR": "celery",
            "MWO_SANDBOX_POOL_SIZE": "0",
        }
        settings = Settings(
            home=Path(home),
            database_url=env["MWO_DATABASE_URL"],
            celery_broker_url=BROKER,
            celery_queue=queue,
            sandbox_pool_size=0,
            _env_file=None,  # type: ignore[call-arg]
        )
        services = Services.open(settings)
        apply(services, chain_spec(WORKFLOW, 3))
        services.close()
        try:
            yield settings, env
        finally:
            redis.Redis.from_url(BROKER).delete(queue, f"_kombu.binding.{queue}")
            with admin.begin() as connection:
                connection.execute(DropSchema(schema, cascade=True))
            admin.dispose()


def _start_worker(env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "mwo", "worker", "--concurrency", str(CONCURRENCY), "--loglevel", "WARNING"],
        env={k: v for k, v in os.environ.items() if not k.startswith("MWO_")} | env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _postgres_backends(settings: Settings) -> list[int]:
    """The backends serving this installation (its connections carry its application_name)."""
    from sqlalchemy import create_engine, make_url, text

    name = make_url(settings.resolved_database_url()).query["application_name"]
    engine = create_engine(POSTGRES_URL)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                text("SELECT pid FROM pg_stat_activity WHERE application_name = :name"), {"name": name}
            )
            return [int(pid) for (pid,) in rows]
    finally:
        engine.dispose()


def _cpu(worker_pids: list[int], backend_pids: list[int]) -> dict[str, float]:
    """CPU seconds so far: this process, the workers (with their children), PostgreSQL's backends."""
    own = os.times()
    return {
        "bench": own.user + own.system,
        "workers": sum(_process_cpu(pid, children=True) for pid in worker_pids),
        "postgres": sum(_process_cpu(pid) for pid in backend_pids),
    }


def _process_cpu(pid: int, *, children: bool = False) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:  # gone (a backend that closed): counted as nothing from now on
        return 0.0
    ticks = int(fields[11]) + int(fields[12]) + ((int(fields[13]) + int(fields[14])) if children else 0)
    return ticks / TICKS


if __name__ == "__main__":
    main(sys.argv[1:])

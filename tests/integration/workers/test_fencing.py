"""Leases with fencing between real `mwo worker` processes on the real PostgreSQL (a schema of its own)
and Redis (a queue of its own), with a run lease of 3 s.

(a) A worker stopped with SIGSTOP in the middle of a step, past its lease; a second worker takes the
run over and finishes it; the first is continued with SIGCONT and gets its step's answer: its late
step result and final status are refused (the rows are the second worker's alone) and it says so in
its log. (b) A worker killed with SIGKILL before it ever extended its lease: the second worker takes
the run over and finishes it.

The run's one slow step is an API_CALL to a loopback server of this test: its first request waits
until the test lets it go and answers n=1; later requests answer at once with their number, so the
run's result tells whose call it recorded. The test hands the run to the second worker through the
broker, as a reaper or the broker's redelivery would. State is polled with a deadline.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import redis
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.schema import CreateSchema, DropSchema

from mwo.clock import utc_now
from mwo.services import Services
from mwo.settings import Settings
from mwo.spec import workflow_from_data
from mwo.store.records import RunStatus, StepStatus
from mwo.workers.celery_app import CeleryDispatcher, create_celery

pytestmark = [pytest.mark.slow, pytest.mark.postgres]
BROKER = os.environ.get("MWO_TEST_REDIS_URL", "redis://127.0.0.1:6379/14")
POSTGRES_URL = os.environ.get("MWO_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
LEASE_S = 3
DEADLINE_S = 120.0
"""Only a bound on waiting (worker processes start on a machine others share), never asserted."""


@dataclass
class Blocker:
    """A loopback HTTP server: the first request waits for `release`, later ones answer at once."""

    port: int = 0
    count: int = 0
    arrived: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def answer(self) -> int:
        with self.lock:
            self.count += 1
            n = self.count
        if n == 1:
            self.arrived.set()
            self.release.wait(DEADLINE_S)
        return n


@pytest.fixture
def blocker() -> Iterator[Blocker]:
    state = Blocker()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            data = json.dumps({"n": state.answer()}).encode()
            self.send_response(200)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.port = server.server_address[1]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield state
    state.release.set()
    server.shutdown()
    server.server_close()


@dataclass
class Installation:
    """One store (a fresh PostgreSQL schema), one broker queue, and the environment of its workers."""

    database_url: str
    queue: str
    root: Path

    def env(self, name: str) -> dict[str, str]:
        home = self.root / name
        home.mkdir()
        return {k: v for k, v in os.environ.items() if not k.startswith("MWO_")} | {
            "MWO_HOME": str(home),
            "MWO_DATABASE_URL": self.database_url,
            "MWO_CELERY_BROKER_URL": BROKER,
            "MWO_CELERY_QUEUE": self.queue,
            "MWO_EXECUTOR": "celery",
            "MWO_RUN_LEASE_S": str(LEASE_S),
            "MWO_SANDBOX_POOL_SIZE": "0",
        }

    def settings(self) -> Settings:
        return Settings(
            home=self.root / "reader",
            database_url=self.database_url,
            celery_broker_url=BROKER,
            celery_queue=self.queue,
            run_lease_s=LEASE_S,
            sandbox_pool_size=0,
            secret_key=None,
            _env_file=None,  # type: ignore[call-arg]
        )


@pytest.fixture
def installation(tmp_path: Path) -> Iterator[Installation]:
    admin = create_engine(POSTGRES_URL, connect_args={"connect_timeout": 3})
    try:
        admin.connect().close()
    except Exception as exc:  # any connection failure means: skip
        pytest.skip(f"PostgreSQL is not reachable at {POSTGRES_URL}: {exc}")
    broker = redis.Redis.from_url(BROKER, socket_connect_timeout=2)
    try:
        broker.ping()
    except redis.RedisError as exc:
        pytest.skip(f"Redis is not reachable at {BROKER}: {exc}")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    with admin.begin() as connection:
        connection.execute(CreateSchema(schema))
    url = make_url(POSTGRES_URL).update_query_dict({"options": f"-csearch_path={schema}"})
    queue_name = f"mwo-fence-{uuid.uuid4().hex[:8]}"
    yield Installation(url.render_as_string(hide_password=False), queue_name, tmp_path)
    broker.delete(queue_name, f"_kombu.binding.{queue_name}")
    with admin.begin() as connection:
        connection.execute(DropSchema(schema, cascade=True))
    admin.dispose()


@dataclass
class Worker:
    popen: subprocess.Popen[bytes]
    log: Path

    def said(self) -> str:
        return self.log.read_text(errors="replace")


@pytest.fixture
def start_worker(installation: Installation) -> Iterator[Callable[[str], Worker]]:
    started: list[Worker] = []

    def start(name: str) -> Worker:
        log = installation.root / f"{name}.err"
        popen = subprocess.Popen(
            [sys.executable, "-m", "mwo", "worker", "--concurrency", "1", "--loglevel", "WARNING"],
            env=installation.env(name),
            stdout=subprocess.DEVNULL,
            stderr=log.open("wb"),
        )
        started.append(Worker(popen, log))
        return started[-1]

    yield start
    for worker in started:
        if worker.popen.poll() is None:
            worker.popen.send_signal(signal.SIGCONT)
            worker.popen.send_signal(signal.SIGTERM)
            try:
                worker.popen.wait(timeout=30)
            except subprocess.TimeoutExpired:
                worker.popen.kill()
                worker.popen.wait(10)


@pytest.fixture
def reader(installation: Installation) -> Iterator[Services]:
    """The test's own view of the store (it also migrates the schema before any worker starts)."""
    opened = Services.open(installation.settings())
    yield opened
    opened.close()


def wait_until(check: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + DEADLINE_S
    while not check():
        assert time.monotonic() < deadline, f"gave up waiting for {what}"
        time.sleep(0.1)


def started_run(reader: Services, blocker: Blocker) -> str:
    spec = {
        "name": "fenced",
        "settings": {"network": {"allow": ["127.0.0.1"]}},
        "steps": [
            {
                "id": "call",
                "type": "API_CALL",
                "request": {"url": f"http://127.0.0.1:{blocker.port}/block", "timeout_s": DEADLINE_S},
            },
            {
                "id": "last",
                "type": "NOTIFICATION",
                "channel": "inbox",
                "body": "last {{ steps.call.output.json.n }}",
            },
        ],
    }
    reader.applier.apply_workflow(workflow_from_data(spec))
    run = reader.runs.create_run("fenced", trigger="api")
    assert dispatch(reader, run.id)
    return run.id


def dispatch(reader: Services, run_id: str) -> bool:
    return CeleryDispatcher(create_celery(reader.settings), reader.settings).execute(run_id)


def lease_expired(reader: Services, run_id: str) -> bool:
    run = reader.store.get_run(run_id)
    return run.acquired_until is not None and run.acquired_until < utc_now()


def lease_token(installation: Installation, run_id: str) -> int:
    engine = create_engine(installation.database_url)
    try:
        with engine.connect() as connection:
            return int(
                connection.execute(
                    text("SELECT lease_token FROM runs WHERE id = :id"), {"id": run_id}
                ).scalar_one()
            )
    finally:
        engine.dispose()


def take_over(reader: Services, run_id: str, start_worker: Callable[[str], Worker]) -> None:
    """Once the first worker's lease ran out, a second worker gets the run and finishes it."""
    wait_until(lambda: lease_expired(reader, run_id), "the first worker's lease to run out")
    start_worker("second")
    assert dispatch(reader, run_id)
    wait_until(lambda: reader.store.get_run(run_id).status.is_final, "the second worker to finish the run")


def assert_finished_by_the_second_worker(reader: Services, run_id: str) -> None:
    run = reader.store.get_run(run_id)
    assert run.status is RunStatus.SUCCEEDED, run.error
    steps = [(s.step_id, s.attempt, s.status) for s in reader.store.list_step_runs(run_id)]
    assert steps == [
        ("call", 1, StepStatus.FAILED),  # the first worker's attempt, closed as interrupted
        ("call", 2, StepStatus.SUCCEEDED),
        ("last", 1, StepStatus.SUCCEEDED),
    ]
    succeeded = [s for s in reader.store.list_step_runs(run_id) if s.status is StepStatus.SUCCEEDED]
    assert succeeded[0].output["json"] == {"n": 2}, "the second worker's call is the one recorded"
    assert [m.body for m in reader.store.list_messages()] == ["last 2"]


def test_a_paused_worker_resumed_after_a_takeover_commits_nothing(
    installation: Installation, reader: Services, blocker: Blocker, start_worker: Callable[[str], Worker]
) -> None:
    first = start_worker("first")
    run_id = started_run(reader, blocker)
    assert blocker.arrived.wait(DEADLINE_S), "the first worker never reached its step"
    first.popen.send_signal(signal.SIGSTOP)

    take_over(reader, run_id, start_worker)
    assert_finished_by_the_second_worker(reader, run_id)
    rows = reader.store.list_step_runs(run_id)
    logs = reader.store.list_logs(run_id)
    finished = reader.store.get_run(run_id)

    blocker.release.set()  # the first worker's call is answered (n=1) while it is stopped
    first.popen.send_signal(signal.SIGCONT)
    wait_until(lambda: f"stopped executing run {run_id} here" in first.said(), "the first worker's note")

    assert "lease" in first.said() and "Traceback" not in first.said(), first.said()
    assert first.popen.poll() is None, "the first worker goes on serving"
    assert reader.store.list_step_runs(run_id) == rows, "its late step result was refused"
    assert reader.store.list_logs(run_id) == logs
    assert reader.store.get_run(run_id) == finished, "its final status was refused"
    assert lease_token(installation, run_id) == 2


def test_a_worker_killed_before_its_first_lease_extension_is_taken_over(
    installation: Installation, reader: Services, blocker: Blocker, start_worker: Callable[[str], Worker]
) -> None:
    first = start_worker("first")
    run_id = started_run(reader, blocker)
    assert blocker.arrived.wait(DEADLINE_S), "the first worker never reached its step"
    assert lease_token(installation, run_id) == 1
    first.popen.send_signal(signal.SIGKILL)
    first.popen.wait(30)
    blocker.release.set()

    take_over(reader, run_id, start_worker)
    assert_finished_by_the_second_worker(reader, run_id)
    assert lease_token(installation, run_id) == 2

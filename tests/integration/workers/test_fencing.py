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
import signal
import subprocess
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from mwo.clock import utc_now
from mwo.services import Services
from mwo.spec import workflow_from_data
from mwo.store.records import RunStatus, StepStatus
from mwo.workers.celery_app import CeleryDispatcher, create_celery
from tests.topology_support import Machine, Process, eventually, postgres_machine, start
from tests.topology_support import reader as open_reader

pytestmark = [pytest.mark.slow, pytest.mark.postgres]
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


@pytest.fixture
def machine(tmp_path: Path) -> Iterator[Machine]:
    """A fresh PostgreSQL schema and Redis queue; its workers run with the recipe's worker environment
    and a run lease of LEASE_S."""
    with postgres_machine(tmp_path, purpose="fence") as machine:
        yield machine


@pytest.fixture
def start_worker(machine: Machine) -> Iterator[Callable[[str], Process]]:
    started: list[Process] = []

    def start_one(name: str) -> Process:
        args = ["worker", "--concurrency", "1", "--loglevel", "WARNING"]
        started.append(start(machine, "worker", name, args, MWO_RUN_LEASE_S=str(LEASE_S)))
        return started[-1]

    yield start_one
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
def reader(machine: Machine) -> Iterator[Services]:
    """The test's own view of the store (it also migrates the schema before any worker starts)."""
    opened = open_reader(machine, run_lease_s=LEASE_S)
    yield opened
    opened.close()


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


def lease_token(machine: Machine, run_id: str) -> int:
    engine = create_engine(machine.database_url)
    try:
        with engine.connect() as connection:
            return int(
                connection.execute(
                    text("SELECT lease_token FROM runs WHERE id = :id"), {"id": run_id}
                ).scalar_one()
            )
    finally:
        engine.dispose()


def take_over(reader: Services, run_id: str, start_worker: Callable[[str], Process]) -> None:
    """Once the first worker's lease ran out, a second worker gets the run and finishes it."""
    eventually(lambda: lease_expired(reader, run_id), "the first worker's lease to run out", DEADLINE_S)
    start_worker("second")
    assert dispatch(reader, run_id)
    finished = "the second worker to finish the run"
    eventually(lambda: reader.store.get_run(run_id).status.is_final, finished, DEADLINE_S)


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
    machine: Machine, reader: Services, blocker: Blocker, start_worker: Callable[[str], Process]
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
    note = f"stopped executing run {run_id} here"
    eventually(lambda: note in first.said(), "the first worker's note", DEADLINE_S)

    assert "lease" in first.said() and "Traceback" not in first.said(), first.said()
    assert first.popen.poll() is None, "the first worker goes on serving"
    assert reader.store.list_step_runs(run_id) == rows, "its late step result was refused"
    assert reader.store.list_logs(run_id) == logs
    assert reader.store.get_run(run_id) == finished, "its final status was refused"
    assert lease_token(machine, run_id) == 2


def test_a_worker_killed_before_its_first_lease_extension_is_taken_over(
    machine: Machine, reader: Services, blocker: Blocker, start_worker: Callable[[str], Process]
) -> None:
    first = start_worker("first")
    run_id = started_run(reader, blocker)
    assert blocker.arrived.wait(DEADLINE_S), "the first worker never reached its step"
    assert lease_token(machine, run_id) == 1
    first.popen.send_signal(signal.SIGKILL)
    first.popen.wait(30)
    blocker.release.set()

    take_over(reader, run_id, start_worker)
    assert_finished_by_the_second_worker(reader, run_id)
    assert lease_token(machine, run_id) == 2

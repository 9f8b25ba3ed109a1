"""What the crash and load tests (tests/e2e/test_scale_*.py) share: a fresh PostgreSQL schema or
database and a Redis queue per test (the deployment recipe's `Machine`, so every process starts with
the environment deploy/compose.yaml gives its role), a loopback receiver that counts deliveries per
Idempotency-Key, polling with a deadline, and the reads the assertions make.

Waiting is always "poll the state until it holds or a deadline passes"; the deadlines only bound a
test that went wrong, they are never what a test asserts."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, TypeVar

import pytest
import redis
from cryptography.fernet import Fernet
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.schema import CreateSchema, DropSchema

from mwo.services import Services
from mwo.settings import Settings
from mwo.store.records import RunFilter, RunRecord, RunStatus
from tests.e2e.test_deploy_topology import BROKER, Machine, Process, served_url, start
from tests.e2e.test_serve import POSTGRES_URL

__all__ = [
    "BROKER",
    "CountingReceiver",
    "Forker",
    "Machine",
    "Process",
    "all_runs",
    "counting_receiver",
    "eventually",
    "forget_queue",
    "held_by_pid",
    "postgres_machine",
    "reader",
    "redis_reachable",
    "served_url",
    "start",
]

T = TypeVar("T")
HOST = socket.gethostname()
"""Lease owners are `host:pid:token` (`mwo.engine.runs.default_owner`): the pid names the process."""


def eventually(check: Callable[[], T], what: str, timeout_s: float = 120.0, every_s: float = 0.05) -> T:
    """Poll `check` until it returns something truthy; the deadline only bounds a broken test."""
    deadline = time.monotonic() + timeout_s
    while True:
        result = check()
        if result:
            return result
        assert time.monotonic() < deadline, f"gave up waiting for {what}"
        time.sleep(every_s)


def redis_reachable() -> None:
    try:
        redis.Redis.from_url(BROKER, socket_connect_timeout=2).ping()
    except redis.RedisError as exc:
        pytest.skip(f"Redis is not reachable at {BROKER}: {exc}")


def forget_queue(queue_name: str) -> None:
    """Delete a test's Celery queue and the messages of its killed workers from Redis."""
    broker = redis.Redis.from_url(BROKER)
    broker.delete(queue_name, f"_kombu.binding.{queue_name}", f"_kombu.binding_permanent.{queue_name}")
    _forget_unacked(broker, queue_name)


def _reachable() -> None:
    admin = create_engine(POSTGRES_URL, connect_args={"connect_timeout": 3})
    try:
        admin.connect().close()
    except Exception as exc:  # any connection failure means: skip
        pytest.skip(f"PostgreSQL is not reachable at {POSTGRES_URL}: {exc}")
    finally:
        admin.dispose()
    redis_reachable()


@contextmanager
def postgres_machine(root: Path, *, own_database: bool = False) -> Iterator[Machine]:
    """A Machine on a fresh schema of the test database, or (`own_database`) on a database of its
    own, so a test may terminate every backend of it without touching anyone else's connections."""
    _reachable()
    name = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"') if own_database else CreateSchema(name))
    base = make_url(POSTGRES_URL)
    url = (
        base.set(database=name)
        if own_database
        else base.update_query_dict({"options": f"-csearch_path={name}"})
    )
    queue_name = f"mwo-scale-{uuid.uuid4().hex[:8]}"
    try:
        yield Machine(
            url.render_as_string(hide_password=False),
            BROKER,
            queue_name,
            Fernet.generate_key().decode(),
            root,
        )
    finally:
        forget_queue(queue_name)
        with admin.connect() as connection:
            if own_database:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            else:
                connection.execute(DropSchema(name, cascade=True))
        admin.dispose()


def _forget_unacked(broker: redis.Redis, queue_name: str) -> None:
    """Kombu keeps the messages of killed workers in one `unacked` hash per Redis database and puts
    them back into their queue later; drop ours, so nothing refills a queue nobody reads."""
    for tag, raw in broker.hscan_iter("unacked"):
        try:
            routing = json.loads(raw)[2]
        except (ValueError, IndexError, TypeError):
            continue
        if routing == queue_name:
            broker.hdel("unacked", tag)
            broker.zrem("unacked_index", tag)


def reader(machine: Machine, clock: Callable[[], datetime] | None = None, **overrides: Any) -> Services:
    """The test's own Services on the machine's store (also the recipe's `migrate` step: the schema
    and checkpoint tables exist before processes start together), on `clock` when given."""
    settings = Settings(
        home=machine.root / "reader",
        database_url=machine.database_url,
        secret_key=machine.secret_key,
        celery_broker_url=machine.broker_url,
        celery_queue=machine.queue,
        sandbox_pool_size=0,
        _env_file=None,  # type: ignore[call-arg]
        **overrides,
    )
    return Services.open(settings) if clock is None else Services.open(settings, clock)


def all_runs(services: Services, workflow: str | None = None) -> list[RunRecord]:
    return services.store.list_runs(RunFilter(workflow_name=workflow, limit=100_000))


def held_by_pid(services: Services, pid: int) -> list[RunRecord]:
    """Running runs whose lease the process `pid` of this host holds."""
    prefix = f"{HOST}:{pid}:"
    running = services.store.list_runs(RunFilter(statuses=(RunStatus.RUNNING,), limit=10_000))
    return [r for r in running if (r.acquired_by or "").startswith(prefix)]


class CountingReceiver(ThreadingHTTPServer):
    """A loopback endpoint: `GET /slow` answers after `slow_s` (a step that takes a while, without a
    side effect), `POST /hook` records one delivery per request by its Idempotency-Key."""

    daemon_threads = True
    slow_s = 0.25

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _CountingHandler)
        self.lock = threading.Lock()
        self.deliveries: Counter[str] = Counter()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def duplicates(self) -> dict[str, int]:
        with self.lock:
            return {key: n for key, n in self.deliveries.items() if n > 1}

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client killed mid-request (SIGKILL) is expected here; say nothing."""


class _CountingHandler(BaseHTTPRequestHandler):
    server: CountingReceiver

    def do_GET(self) -> None:
        time.sleep(self.server.slow_s)
        self._answer({"ok": True})

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        with self.server.lock:
            self.server.deliveries[self.headers.get("Idempotency-Key", "")] += 1
        self._answer({"received": True})

    def _answer(self, payload: dict[str, Any]) -> None:
        data = json.dumps(payload).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the tests read the counts."""


@contextmanager
def counting_receiver() -> Iterator[CountingReceiver]:
    httpd = CountingReceiver()
    threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()
    try:
        yield httpd
    finally:
        httpd.shutdown()
        httpd.server_close()


class Forker:
    """`mwo worker` processes forked from one that imported everything once (tests/scale_forker.py);
    `spawn` returns the new worker's pid, `close` ends every worker still alive."""

    def __init__(self) -> None:
        root = Path(__file__).resolve().parents[1]
        self._process = subprocess.Popen(
            [sys.executable, "-m", "tests.scale_forker"],
            cwd=root,
            env={**os.environ, "PYTHONPATH": f"{root / 'src'}{os.pathsep}{root}"},
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        self._lock = threading.Lock()
        self.pids: list[int] = []

    def spawn(self, env: dict[str, str], err: Path, concurrency: int = 2) -> int:
        assert self._process.stdin is not None and self._process.stdout is not None
        with self._lock:
            order = {"env": env, "err": str(err), "concurrency": concurrency}
            self._process.stdin.write(json.dumps(order) + "\n")
            self._process.stdin.flush()
            pid = int(self._process.stdout.readline())
            self.pids.append(pid)
        return pid

    def close(self) -> None:
        for pid in self.pids:
            with suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        assert self._process.stdin is not None
        self._process.stdin.close()
        self._process.wait(30)

"""What the crash and load tests (tests/e2e/test_scale_*.py) share: the deployment topology's machine,
processes and polling (tests/topology_support.py, re-exported here: a fresh PostgreSQL schema or
database and a Redis queue per test, every process started with the environment deploy/compose.yaml
gives its role), a loopback receiver that counts deliveries per Idempotency-Key, a forker of worker
processes, and the reads the assertions make.

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
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from mwo.services import Services
from mwo.store.records import RunFilter, RunRecord, RunStatus
from tests.topology_support import (
    BROKER,
    Machine,
    Process,
    eventually,
    forget_queue,
    postgres_machine,
    reader,
    redis_reachable,
    served_url,
    start,
)

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

HOST = socket.gethostname()
"""Lease owners are `host:pid:token` (`mwo.engine.runs.default_owner`): the pid names the process."""


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

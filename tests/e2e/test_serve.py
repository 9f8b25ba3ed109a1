"""`mwo serve` as a real process on a free loopback port: health, a signed webhook, a due schedule and
a dropped file each run to success through the worker pool (on SQLite and on PostgreSQL); a file is
not started again after a restart; SIGTERM during a long step exits 0, leaves no live-looking lease,
and a second server resumes the run."""

from __future__ import annotations

import json
import os
import queue
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import IO, Any

import httpx
import pytest
from sqlalchemy import create_engine
from sqlalchemy.engine import make_url
from sqlalchemy.schema import CreateSchema, DropSchema
from standardwebhooks.webhooks import Webhook

from mwo.clock import utc_now
from mwo.services import Services
from mwo.settings import Settings
from mwo.spec import dump_workflow, workflow_from_data
from mwo.store.records import RunFilter, RunRecord, RunStatus
from mwo.triggers.registration import sync_schedule

pytestmark = pytest.mark.slow
WAIT_S = 60.0
POSTGRES_URL = os.environ.get("MWO_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
TUNING = {  # short intervals so the test waits seconds, not minutes
    "MWO_SCHEDULER_TICK_S": "0.2",
    "MWO_WATCH_POLL_S": "0.2",
    "MWO_REAPER_INTERVAL_S": "1",
    "MWO_DRAIN_GRACE_S": "1",
}
NOTE_STEP = {"id": "tell", "type": "NOTIFICATION", "channel": "inbox", "subject": "s", "body": "b"}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def eventually(check: Callable[[], Any], what: str) -> Any:
    """Poll `check` until it returns something truthy (a bound on waiting, not a timing assertion)."""
    deadline = time.monotonic() + WAIT_S
    while True:
        result = check()
        if result:
            return result
        assert time.monotonic() < deadline, f"gave up waiting for {what}"
        time.sleep(0.05)


@dataclass
class Served:
    process: subprocess.Popen[str]
    url: str
    lines: queue.Queue[str]

    def health(self) -> httpx.Response:
        return httpx.get(f"{self.url}/health", timeout=10)

    def terminate(self) -> tuple[int, str]:
        self.process.send_signal(signal.SIGTERM)
        code = self.process.wait(WAIT_S)
        out = []
        while not self.lines.empty():
            out.append(self.lines.get())
        return code, "".join(out)


@dataclass
class Home:
    settings: Settings
    env: dict[str, str]
    cwd: Path

    def services(self) -> Services:
        return Services.open(self.settings)

    def serve(self) -> Served:
        port = free_port()
        err = open(self.cwd / f"serve-{port}.err", "w")  # noqa: SIM115 (kept for the process's life)
        process = subprocess.Popen(
            [sys.executable, "-m", "mwo", "serve", "--port", str(port)],
            env=self.env,
            cwd=self.cwd,
            stdout=subprocess.PIPE,
            stderr=err,
            text=True,
        )
        lines: queue.Queue[str] = queue.Queue()
        assert process.stdout is not None
        threading.Thread(target=_pump, args=(process.stdout, lines), daemon=True).start()
        first = lines.get(timeout=WAIT_S)
        assert "serving on" in first, (first, (self.cwd / f"serve-{port}.err").read_text())
        assert f"http://127.0.0.1:{port}" in first
        return Served(process, f"http://127.0.0.1:{port}", lines)


def _pump(stream: IO[str], lines: queue.Queue[str]) -> None:
    for line in stream:
        lines.put(line)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def home(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Home]:
    database_url = None
    schema = None
    if request.param == "postgres":
        admin = create_engine(POSTGRES_URL, connect_args={"connect_timeout": 3})
        try:
            admin.connect().close()
        except Exception as exc:  # any connection failure means: skip
            pytest.skip(f"PostgreSQL is not reachable at {POSTGRES_URL}: {exc}")
        schema = f"t_{uuid.uuid4().hex[:12]}"
        with admin.begin() as connection:
            connection.execute(CreateSchema(schema))
        url = make_url(POSTGRES_URL).update_query_dict({"options": f"-csearch_path={schema}"})
        database_url = url.render_as_string(hide_password=False)
    settings = Settings(home=tmp_path / "home", database_url=database_url, secret_key=None, _env_file=None)  # type: ignore[call-arg]
    env = {k: v for k, v in os.environ.items() if not k.startswith("MWO_")}
    env |= {"MWO_HOME": str(settings.home), **TUNING}
    if database_url:
        env["MWO_DATABASE_URL"] = database_url
    yield Home(settings, env, tmp_path)
    if schema is not None:
        with admin.begin() as connection:
            connection.execute(DropSchema(schema, cascade=True))
        admin.dispose()


def deliver(served: Served, services: Services, name: str, body: dict[str, Any]) -> str:
    data = json.dumps(body).encode()
    secret = services.store.list_webhook_secrets(name, utc_now())[0]
    msg_id = f"msg_{uuid.uuid4().hex}"
    now = utc_now()
    headers = {
        "webhook-id": msg_id,
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": Webhook(secret).sign(msg_id, now, data.decode()),
        "content-type": "application/json",
    }
    response = httpx.post(f"{served.url}/hooks/{name}", content=data, headers=headers, timeout=10)
    assert response.status_code == 202, response.text
    run_id: str = response.json()["run_id"]
    return run_id


def final(services: Services, run_id: str) -> RunRecord:
    return eventually(lambda: (r := services.store.get_run(run_id)).status.is_final and r, f"run {run_id}")


def runs_of(services: Services, name: str) -> list[RunRecord]:
    return services.store.list_runs(RunFilter(workflow_name=name))


def test_serve_runs_a_webhook_a_due_schedule_and_a_dropped_file(home: Home, tmp_path: Path) -> None:
    drop = tmp_path / "drop"
    drop.mkdir()
    services = home.services()
    try:
        services.applier.apply_workflow(
            workflow_from_data(
                {"name": "hooked", "trigger": {"type": "webhook"}, "inputs": {"x": {}}, "steps": [NOTE_STEP]}
            )
        )
        every_minute = workflow_from_data(
            {
                "name": "minutely",
                "trigger": {"type": "cron", "cron": "* * * * *", "misfire": "run_once"},
                "steps": [NOTE_STEP],
            }
        )
        services.store.save_version(every_minute, dump_workflow(every_minute))
        sync_schedule(services.store, every_minute, utc_now() - timedelta(seconds=90))  # a fire is due
        services.applier.apply_workflow(
            workflow_from_data(
                {
                    "name": "dropped",
                    "trigger": {"type": "file", "path": str(drop), "pattern": "*.csv", "settle_s": 0.3},
                    "inputs": {"name": {}},
                    "steps": [NOTE_STEP],
                }
            )
        )
        served = home.serve()
        health = served.health()
        assert health.status_code == 200, health.text
        facts = health.json()
        assert facts["status"] == "ok" and facts["workers"]["workers"] == 2
        assert facts["workers"]["accepting"] is True

        run_id = deliver(served, services, "hooked", {"x": "hello"})
        assert final(services, run_id).status is RunStatus.SUCCEEDED

        fired = eventually(lambda: runs_of(services, "minutely"), "the due schedule to fire")
        assert final(services, fired[-1].id).status is RunStatus.SUCCEEDED
        assert fired[-1].trigger.startswith("schedule")

        eventually(lambda: served.health().json()["watcher"]["ticks"] >= 2, "the watcher's first scans")
        (drop / "report.csv").write_text("a,b\n1,2\n")
        dropped = eventually(lambda: runs_of(services, "dropped"), "the dropped file's run")
        assert final(services, dropped[0].id).status is RunStatus.SUCCEEDED
        assert dropped[0].inputs == {"name": "report.csv"}
        code, out = served.terminate()
        assert code == 0 and "every run in progress finished" in out

        again = home.serve()  # a restart: the file was seen, it does not run again
        eventually(lambda: again.health().json()["watcher"]["ticks"] >= 5, "scans after the restart")
        assert len(runs_of(services, "dropped")) == 1
        assert again.terminate()[0] == 0
    finally:
        services.close()


class _Slow(BaseHTTPRequestHandler):
    entered: threading.Event
    release: threading.Event

    def do_GET(self) -> None:
        self.entered.set()
        self.release.wait(WAIT_S)
        body = b'{"ok": true}'
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def slow_endpoint() -> Iterator[tuple[str, threading.Event, threading.Event]]:
    entered, release = threading.Event(), threading.Event()
    handler = type("Slow", (_Slow,), {"entered": entered, "release": release})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/slow", entered, release
    release.set()
    server.shutdown()


@pytest.mark.parametrize("home", ["sqlite"], indirect=True)
def test_sigterm_during_a_long_step_releases_the_run_and_a_second_server_finishes_it(
    home: Home, slow_endpoint: tuple[str, threading.Event, threading.Event]
) -> None:
    url, entered, release = slow_endpoint
    services = home.services()
    try:
        services.applier.apply_workflow(
            workflow_from_data(
                {
                    "name": "slow",
                    "trigger": {"type": "webhook"},
                    "settings": {"network": {"allow": ["127.0.0.1"]}},
                    "steps": [{"id": "call", "type": "API_CALL", "request": {"url": url, "timeout_s": 120}}],
                }
            )
        )
        served = home.serve()
        run_id = deliver(served, services, "slow", {})
        assert entered.wait(WAIT_S)  # the step is in progress
        code, out = served.terminate()
        assert code == 0, out
        assert "released" in out and run_id[:8] in out
        left = services.store.get_run(run_id)
        assert left.status is RunStatus.RUNNING
        assert left.acquired_until is not None and left.acquired_until <= utc_now()  # not live

        release.set()
        second = home.serve()
        assert final(services, run_id).status is RunStatus.SUCCEEDED
        assert second.terminate()[0] == 0
    finally:
        services.close()

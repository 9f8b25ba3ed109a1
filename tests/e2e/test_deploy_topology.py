"""The deployment recipe's topology as processes on this machine (no Docker daemon needed): two
`mwo serve` on their own ports and two `mwo worker`, each started with the environment that
deploy/compose.yaml gives its role (only addresses and paths swapped for this machine's), on the real
PostgreSQL (a fresh schema) and Redis (a queue of its own). A workflow is created through one
server's REST API, a secret through the other's, runs are started through both, and every run
finishes exactly once: one run row each, one attempt of each step, one inbox message per step. Then
SIGTERM stops every process cleanly."""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import redis
from cryptography.fernet import Fernet
from sqlalchemy import create_engine
from sqlalchemy.engine import make_url
from sqlalchemy.schema import CreateSchema, DropSchema

from mwo.auth import TokenService
from mwo.services import Services
from mwo.settings import Settings
from mwo.store import TokenScope
from mwo.store.records import RunFilter, RunStatus, StepStatus
from tests.deploy_recipe import environment, load_compose
from tests.e2e.test_serve import POSTGRES_URL, _pump, free_port

pytestmark = [pytest.mark.slow, pytest.mark.postgres]
BROKER = os.environ.get("MWO_TEST_REDIS_URL", "redis://127.0.0.1:6379/14")
RUNS = 10
DEADLINE_S = 180.0
"""Only a bound on waiting (four processes start at once on a machine others share), never asserted."""
WORKFLOW = {
    "name": "fan-out",
    "inputs": {"n": {}},
    "steps": [
        {
            "id": "first",
            "type": "NOTIFICATION",
            "channel": "inbox",
            "subject": "first",
            "body": "first {{ inputs.n }}",
        },
        {
            "id": "second",
            "type": "NOTIFICATION",
            "channel": "inbox",
            "subject": "second",
            "body": "second {{ inputs.n }} {{ secrets.DEPLOY_GREETING }}",
        },
    ],
}


@dataclass
class Machine:
    """What the Compose file names by service address or container path, on this machine."""

    database_url: str
    broker_url: str
    queue: str
    secret_key: str
    root: Path

    def role_env(self, role: str, name: str, **extra: str) -> dict[str, str]:
        """The role's environment from deploy/compose.yaml with this machine's addresses. Every other
        setting the recipe gives the role is used as it is written there."""
        recipe = environment(load_compose()["services"][role])
        home = self.root / name / "home"
        home.mkdir(parents=True)
        (home / "secret.key").write_text(self.secret_key)  # where the recipe mounts its Docker secret
        here = {  # the recipe's service addresses and container paths, on this machine
            "MWO_HOME": str(home),
            "MWO_DATABASE_URL": self.database_url,
            "MWO_CELERY_BROKER_URL": self.broker_url,
            "MWO_CELERY_QUEUE": self.queue,
            "MWO_SERVE_HOST": "127.0.0.1",
        }
        shared = {"MWO_HOME", "MWO_DATABASE_URL", "MWO_CELERY_BROKER_URL", "MWO_CELERY_QUEUE"}
        assert shared <= set(recipe), f"the recipe's {role} misses {shared - set(recipe)}"
        image_paths = {"MWO_LLM_MODEL_DIR", "MWO_SANDBOX_PACKAGES_DIR"}  # the image's; defaults here
        env = {k: v for k, v in os.environ.items() if not k.startswith("MWO_")}
        env |= {k: v for k, v in recipe.items() if k not in image_paths}
        env |= {k: v for k, v in here.items() if k in recipe}
        env["MWO_SANDBOX_POOL_SIZE"] = "0"  # no step here runs a script; spare the shared CPU
        return env | extra


@dataclass
class Process:
    name: str
    popen: subprocess.Popen[str]
    lines: queue.Queue[str]
    err: Path

    def stop(self) -> tuple[int, str]:
        """SIGTERM, then the exit code and what it printed."""
        self.popen.send_signal(signal.SIGTERM)
        code = self.popen.wait(DEADLINE_S)
        out = []
        while not self.lines.empty():
            out.append(self.lines.get())
        return code, "".join(out)


def start(machine: Machine, role: str, name: str, args: list[str], **extra: str) -> Process:
    err = machine.root / f"{name}.err"
    popen = subprocess.Popen(
        [sys.executable, "-m", "mwo", *args],
        env=machine.role_env(role, name, **extra),
        cwd=machine.root,
        stdout=subprocess.PIPE,
        stderr=err.open("w"),
        text=True,
    )
    lines: queue.Queue[str] = queue.Queue()
    assert popen.stdout is not None
    threading.Thread(target=_pump, args=(popen.stdout, lines), daemon=True).start()
    return Process(name, popen, lines, err)


def served_url(process: Process) -> str:
    try:
        first = process.lines.get(timeout=DEADLINE_S)
    except queue.Empty:
        raise AssertionError(f"{process.name} did not start: {process.err.read_text()}") from None
    assert "serving on" in first, (first, process.err.read_text())
    return first.split("serving on ", 1)[1].split(" ", 1)[0]


def wait_until(check: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + DEADLINE_S
    while not check():
        assert time.monotonic() < deadline, f"gave up waiting for {what}"
        time.sleep(0.1)


@pytest.fixture
def machine(tmp_path: Path) -> Iterator[Machine]:
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
    queue_name = f"mwo-deploy-{uuid.uuid4().hex[:8]}"
    yield Machine(
        url.render_as_string(hide_password=False),
        BROKER,
        queue_name,
        Fernet.generate_key().decode(),
        tmp_path,
    )
    broker.delete(queue_name, f"_kombu.binding.{queue_name}")
    with admin.begin() as connection:
        connection.execute(DropSchema(schema, cascade=True))
    admin.dispose()


def start_runs(urls: list[str], token: str) -> dict[str, int]:
    """Through the REST API: the workflow saved on one server, its secret on the other, then the
    runs started on both in turn; returns run id -> n."""
    clients = [
        httpx.Client(base_url=url, headers={"authorization": f"Bearer {token}"}, timeout=30) for url in urls
    ]
    try:
        created = clients[0].post("/workflows", json=WORKFLOW)
        assert created.status_code == 201, created.text
        stored = clients[1].put("/secrets/DEPLOY_GREETING", json={"value": "hello"})
        assert stored.status_code in (200, 201, 204), stored.text
        assert clients[1].get("/workflows/fan-out").status_code == 200  # one store behind both
        started: dict[str, int] = {}
        for n in range(RUNS):
            answer = clients[n % 2].post("/workflows/fan-out/runs", json={"inputs": {"n": str(n)}})
            assert answer.status_code == 202, answer.text
            started[answer.json()["run"]["id"]] = n
        return started
    finally:
        for client in clients:
            client.close()


def assert_each_ran_once(reader: Services, started: dict[str, int]) -> None:
    """One run row per start, every run succeeded, one attempt of each step, one message per step."""
    runs = reader.store.list_runs(RunFilter(workflow_name="fan-out", limit=1000))
    assert sorted(r.id for r in runs) == sorted(started), "no run lost, none created twice"
    assert {r.status for r in runs} == {RunStatus.SUCCEEDED}, [(r.id, r.status, r.error) for r in runs]
    once = [("first", 1, StepStatus.SUCCEEDED), ("second", 1, StepStatus.SUCCEEDED)]
    for run_id in started:
        steps = [(s.step_id, s.attempt, s.status) for s in reader.store.list_step_runs(run_id)]
        assert steps == once, (run_id, steps)
    sent = sorted((m.run_id, m.title, m.body.split(" ")[1]) for m in reader.store.list_messages(limit=1000))
    steps_of_runs = [(run_id, step, str(n)) for run_id, n in started.items() for step in ("first", "second")]
    assert sent == sorted(steps_of_runs), "each step's notification sent exactly once"


def test_two_servers_and_two_workers_run_every_run_exactly_once(machine: Machine) -> None:
    settings = Settings(
        home=machine.root / "reader",
        database_url=machine.database_url,
        secret_key=machine.secret_key,
        _env_file=None,  # type: ignore[call-arg]
    )
    # The recipe's `migrate` step (`mwo doctor`) first: the store's schema and the checkpoint tables,
    # which processes starting together on a new database must not create concurrently.
    reader = Services.open(settings)
    assert reader.checkpoints.backend == "postgresql"
    processes: list[Process] = []
    try:
        for i in (1, 2):
            port = str(free_port())
            processes.append(start(machine, "serve", f"serve-{i}", ["serve"], MWO_SERVE_PORT=port))
        for i in (1, 2):
            args = ["worker", "--concurrency", "2", "--loglevel", "WARNING"]
            processes.append(start(machine, "worker", f"worker-{i}", args))
        servers = processes[:2]
        urls = [served_url(server) for server in servers]
        for url in urls:
            health = httpx.get(f"{url}/health", timeout=10).json()
            assert health["status"] == "ok" and health["executor"] == "celery", health

        token = TokenService(reader.store).issue("deploy", TokenScope.ADMIN).token  # `mwo tokens create`
        started = start_runs(urls, token)
        wait_until(
            lambda: all(reader.store.get_run(run_id).status.is_final for run_id in started),
            f"{RUNS} runs to finish on the workers",
        )
        assert_each_ran_once(reader, started)

        exits = {p.name: (p, *p.stop()) for p in processes}
        for name, (process, code, out) in exits.items():
            assert code == 0, (name, out, process.err.read_text())
        for server in servers:
            assert "every run in progress finished" in exits[server.name][2]
        live = reader.store.list_runs(RunFilter(statuses=(RunStatus.RUNNING, RunStatus.QUEUED), limit=1000))
        assert live == []
    finally:
        for process in processes:
            if process.popen.poll() is None:
                process.popen.kill()
                process.popen.wait(DEADLINE_S)
        reader.close()

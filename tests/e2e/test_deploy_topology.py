"""The deployment recipe's topology as processes on this machine (no Docker daemon needed): two
`mwo serve` on their own ports and two `mwo worker`, each started with the environment that
deploy/compose.yaml gives its role (only addresses and paths swapped for this machine's), on the real
PostgreSQL (a fresh schema) and Redis (a queue of its own). A workflow is created through one
server's REST API, a secret through the other's, runs are started through both, and every run
finishes exactly once: one run row each, one attempt of each step, one inbox message per step. Then
SIGTERM stops every process cleanly."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from mwo.auth import TokenService
from mwo.services import Services
from mwo.settings import Settings
from mwo.store import TokenScope
from mwo.store.records import RunFilter, RunStatus, StepStatus
from tests.e2e.test_serve import free_port
from tests.topology_support import (
    DEADLINE_S,
    Machine,
    Process,
    eventually,
    postgres_machine,
    served_url,
    start,
)

pytestmark = [pytest.mark.slow, pytest.mark.postgres]
RUNS = 10
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


@pytest.fixture
def machine(tmp_path: Path) -> Iterator[Machine]:
    with postgres_machine(tmp_path, purpose="deploy") as machine:
        yield machine


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
        eventually(
            lambda: all(reader.store.get_run(run_id).status.is_final for run_id in started),
            f"{RUNS} runs to finish on the workers",
            timeout_s=DEADLINE_S,
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

"""`pg_terminate_backend` on every MWO connection while runs are mid-flight (issue #17, item 2).

PostgreSQL cannot be restarted on this machine, so the test does what a restart (or a failover, or a
proxy dropping idle connections) does to the processes: from an admin connection it terminates
every backend of the MWO database, several times, each time while a run is executing. The store and
checkpointer are on a database of their own here, so the termination touches nothing else.
A `mwo serve` executes the runs in its pool; every run must still finish, successfully, each inbox
step posting once, and the server must stay healthy."""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from mwo.auth import TokenService
from mwo.store import TokenScope
from mwo.store.records import RunStatus
from tests.e2e.test_serve import POSTGRES_URL, free_port
from tests.scale_support import (
    Process,
    all_runs,
    counting_receiver,
    eventually,
    postgres_machine,
    reader,
    served_url,
    start,
)

pytestmark = [pytest.mark.slow, pytest.mark.postgres]

RUNS = 40
TERMINATIONS = 6
TUNING = {
    "MWO_EXECUTOR": "local",
    "MWO_WORKERS": "3",
    "MWO_RUN_LEASE_S": "3",
    "MWO_REAPER_INTERVAL_S": "1",
    "MWO_DRAIN_GRACE_S": "2",
}


def workflow(base: str) -> dict[str, object]:
    return {
        "name": "steady",
        "inputs": {"n": {"type": "integer"}},
        "settings": {"network": {"allow": ["127.0.0.1"]}},
        "steps": [
            {
                "id": "first",
                "type": "NOTIFICATION",
                "channel": "inbox",
                "subject": "first",
                "body": "{{ inputs.n }}",
            },
            {"id": "fetch", "type": "API_CALL", "request": {"method": "GET", "url": f"{base}/slow"}},
            {
                "id": "pick",
                "type": "DATA_TRANSFORM",
                "source": "inputs",
                "ops": [{"op": "select", "fields": ["n"]}],
            },
            {"id": "fetch_again", "type": "API_CALL", "request": {"method": "GET", "url": f"{base}/slow"}},
            {
                "id": "last",
                "type": "NOTIFICATION",
                "channel": "inbox",
                "subject": "last",
                "body": "{{ inputs.n }}",
            },
        ],
    }


def terminate_all(database: str) -> int:
    """Terminate every backend connected to `database`; how many there were."""
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            killed = connection.execute(
                text(
                    "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_stat_activity "
                    "WHERE datname = :database AND pid <> pg_backend_pid()"
                ),
                {"database": database},
            ).scalar_one()
    finally:
        admin.dispose()
    return int(killed)


@pytest.mark.timeout(600)
def test_runs_recover_from_every_connection_terminated_mid_run(tmp_path: Path) -> None:
    began = time.monotonic()
    with postgres_machine(tmp_path, own_database=True) as machine, counting_receiver() as receiver:
        database = make_url(machine.database_url).database
        assert database is not None
        services = reader(machine)
        token = TokenService(services.store).issue("scale", TokenScope.ADMIN).token
        processes: list[Process] = []
        try:
            serve = start(machine, "serve", "serve", ["serve"], MWO_SERVE_PORT=str(free_port()), **TUNING)
            processes.append(serve)
            url = served_url(serve)
            client = httpx.Client(base_url=url, headers={"authorization": f"Bearer {token}"}, timeout=30)
            created = client.post("/workflows", json=workflow(receiver.base))
            assert created.status_code == 201, created.text
            started = []
            for n in range(RUNS):
                answer = client.post("/workflows/steady/runs", json={"inputs": {"n": n}})
                assert answer.status_code == 202, answer.text
                started.append(answer.json()["run"]["id"])

            terminated = []
            for _ in range(TERMINATIONS):
                eventually(
                    lambda: any(r.status is RunStatus.RUNNING for r in all_runs(services)),
                    "a run in flight",
                    every_s=0.02,
                )
                terminated.append(terminate_all(database))
                time.sleep(0.5)  # spreads the terminations over the workload; not an assertion
            assert all(n > 0 for n in terminated), terminated

            eventually(lambda: all(r.status.is_final for r in all_runs(services)), "every run to finish", 180)
            runs = all_runs(services)
            assert sorted(r.id for r in runs) == sorted(started)
            assert {r.status for r in runs} == {RunStatus.SUCCEEDED}, [
                (r.id, r.status, r.error) for r in runs if r.status is not RunStatus.SUCCEEDED
            ]
            inbox = Counter((m.run_id, m.title) for m in services.store.list_messages(limit=10_000))
            twice = {run_id for (run_id, _), n in inbox.items() if n > 1}
            attempts = {
                run_id: [
                    (s.step_id, s.attempt, s.status.value, s.error)
                    for s in services.store.list_step_runs(run_id)
                ]
                for run_id in twice
            }
            expected = Counter({(run_id, step): 1 for run_id in started for step in ("first", "last")})
            assert inbox == expected, attempts
            assert client.get("/health").json()["status"] == "ok"
            client.close()
            code, out = serve.stop()
            assert code == 0, (out, serve.err.read_text())
            print(
                f"\nterminated {terminated} backends; {RUNS} runs succeeded; {time.monotonic() - began:.0f}s"
            )
        finally:
            for process in processes:
                if process.popen.poll() is None:
                    process.popen.kill()
                    process.popen.wait(30)
            services.close()

"""Runs executed by `mwo worker` (Celery over the real Redis on 127.0.0.1:6379): a queued run is
sent, a worker process executes it; a worker killed with SIGKILL mid-step loses nothing, the run
resumes from its checkpoint; a broker that cannot be reached leaves the run queued."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import redis

from mwo.services import Services
from mwo.settings import Settings
from mwo.spec import workflow_from_data
from mwo.store.records import RunRecord, RunStatus, StepStatus
from mwo.workers.celery_app import CeleryDispatcher, create_celery

BROKER = os.environ.get("MWO_TEST_REDIS_URL", "redis://127.0.0.1:6379/14")

pytestmark = pytest.mark.slow


@pytest.fixture
def broker() -> str:
    try:
        redis.Redis.from_url(BROKER, socket_connect_timeout=2).ping()
    except redis.RedisError as exc:
        pytest.skip(f"Redis is not reachable at {BROKER}: {exc}")
    return BROKER


@pytest.fixture
def env(tmp_path: Path, broker: str) -> dict[str, str]:
    """One installation: its home, the broker, a queue of its own (tests run side by side)."""
    return {
        "MWO_HOME": str(tmp_path / "home"),
        "MWO_CELERY_BROKER_URL": broker,
        "MWO_CELERY_QUEUE": f"mwo-test-{uuid.uuid4().hex[:8]}",
        "MWO_EXECUTOR": "celery",
        "MWO_RUN_LEASE_S": "3",
        "MWO_SANDBOX_POOL_SIZE": "0",
    }


@pytest.fixture
def services(env: dict[str, str]) -> Iterator[Services]:
    settings = Settings(
        home=Path(env["MWO_HOME"]),
        celery_broker_url=env["MWO_CELERY_BROKER_URL"],
        celery_queue=env["MWO_CELERY_QUEUE"],
        run_lease_s=3,
        sandbox_pool_size=0,
        _env_file=None,  # type: ignore[call-arg]
    )
    opened = Services.open(settings)
    yield opened
    opened.close()


@pytest.fixture
def start_worker(env: dict[str, str]) -> Iterator[Callable[[], subprocess.Popen[bytes]]]:
    started: list[subprocess.Popen[bytes]] = []

    def start() -> subprocess.Popen[bytes]:
        process = subprocess.Popen(
            [sys.executable, "-m", "mwo", "worker", "--concurrency", "1", "--loglevel", "WARNING"],
            env={**os.environ, **env},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        started.append(process)
        return process

    yield start
    for process in started:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()


def wait_for(
    services: Services, run_id: str, done: Callable[[RunRecord], bool], timeout: float = 90
) -> RunRecord:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        run = services.store.get_run(run_id)
        if done(run):
            return run
        time.sleep(0.2)
    raise AssertionError(f"run {run_id} is still {services.store.get_run(run_id).status.value}")


def notify_workflow() -> dict[str, object]:
    return {
        "name": "celery-hello",
        "inputs": {"who": {"default": "world"}},
        "steps": [
            {"id": "tell", "type": "NOTIFICATION", "channel": "inbox", "body": "hello {{ inputs.who }}"}
        ],
    }


def test_a_worker_process_executes_a_queued_run(
    services: Services, start_worker: Callable[[], subprocess.Popen[bytes]]
) -> None:
    services.apply_workflow(workflow_from_data(notify_workflow()))
    run = services.runs.create_run("celery-hello", {"who": "celery"}, trigger="api")
    dispatcher = CeleryDispatcher(create_celery(services.settings), services.settings)

    assert dispatcher.execute(run.id)
    start_worker()  # the task waits in Redis until a worker comes

    finished = wait_for(services, run.id, lambda r: r.status.is_final)
    assert finished.status is RunStatus.SUCCEEDED
    assert [m.body for m in services.store.list_messages()] == ["hello celery"]


def test_a_killed_worker_loses_nothing(
    services: Services, start_worker: Callable[[], subprocess.Popen[bytes]]
) -> None:
    spec = {
        "name": "celery-slow",
        "steps": [
            {"id": "first", "type": "NOTIFICATION", "channel": "inbox", "body": "first"},
            {
                "id": "slow",
                "type": "PYTHON_SCRIPT",
                "timeout_s": 60,
                "code": "import time\ndef main(inputs):\n    time.sleep(6)\n    return {'slept': 6}\n",
            },
            {"id": "last", "type": "NOTIFICATION", "channel": "inbox", "body": "last"},
        ],
    }
    services.apply_workflow(workflow_from_data(spec))
    run = services.runs.create_run("celery-slow", trigger="api")
    assert CeleryDispatcher(create_celery(services.settings), services.settings).execute(run.id)
    worker = start_worker()

    def in_slow_step(r: RunRecord) -> bool:
        return any(s.step_id == "slow" for s in services.store.list_step_runs(r.id))

    wait_for(services, run.id, in_slow_step)
    worker.send_signal(signal.SIGKILL)
    worker.wait(timeout=10)
    assert services.store.get_run(run.id).status is RunStatus.RUNNING  # stuck, as a crash leaves it

    time.sleep(3.5)  # the dead worker's lease (MWO_RUN_LEASE_S=3) runs out
    recovered = services.runs.recover()  # what the reaper of `mwo serve` does

    assert [r.id for r in recovered] == [run.id]
    assert recovered[0].status is RunStatus.SUCCEEDED
    steps = [(s.step_id, s.status) for s in services.store.list_step_runs(run.id)]
    assert steps[0] == ("first", StepStatus.SUCCEEDED) and steps[-1] == ("last", StepStatus.SUCCEEDED)
    assert [s for s in steps if s[0] == "first"] == [("first", StepStatus.SUCCEEDED)], "not run twice"
    assert [m.body for m in services.store.list_messages()] == ["last", "first"]


def test_an_unreachable_broker_leaves_the_run_queued(services: Services) -> None:
    services.apply_workflow(workflow_from_data(notify_workflow()))
    run = services.runs.create_run("celery-hello", trigger="api")
    settings = services.settings.model_copy(
        update={"celery_broker_url": "redis://127.0.0.1:1/0", "celery_publish_timeout_s": 1.0}
    )

    assert CeleryDispatcher(create_celery(settings), settings).execute(run.id) is False
    assert services.store.get_run(run.id).status is RunStatus.QUEUED


def test_serve_with_the_celery_executor_leaves_runs_to_the_workers(
    tmp_path: Path, env: dict[str, str], start_worker: Callable[[], subprocess.Popen[bytes]]
) -> None:
    """`mwo serve` with MWO_EXECUTOR=celery: a webhook's run waits in the broker, not in the server's
    pool, until a `mwo worker` takes it."""
    from tests.e2e.test_serve import TUNING, Home, deliver, final

    settings = Settings(home=Path(env["MWO_HOME"]), secret_key=None, _env_file=None)  # type: ignore[call-arg]
    server_env = {k: v for k, v in os.environ.items() if not k.startswith("MWO_")} | env | TUNING
    home = Home(settings, server_env, tmp_path)
    services = home.services()
    served = None
    try:
        services.apply_workflow(
            workflow_from_data({**notify_workflow(), "name": "hooked", "trigger": {"type": "webhook"}})
        )
        served = home.serve()
        assert served.health().json()["executor"] == "celery"

        run_id = deliver(served, services, "hooked", {"who": "broker"})
        time.sleep(2)  # several reaper intervals: the server must not execute it itself
        assert services.store.get_run(run_id).status is RunStatus.QUEUED

        start_worker()
        assert final(services, run_id).status is RunStatus.SUCCEEDED
        assert [m.body for m in services.store.list_messages()] == ["hello broker"]
    finally:
        if served is not None:
            assert served.terminate()[0] == 0
        services.close()


def test_runs_started_in_the_ui_go_to_the_workers_under_the_celery_executor(
    services: Services, start_worker: Callable[[], subprocess.Popen[bytes]]
) -> None:
    """`mwo ui` with MWO_EXECUTOR=celery hands its runs to `mwo worker`, not to its own pool: the run
    is executed by the worker and the UI's pool is never given any work."""
    from mwo.ui.state import open_context

    services.apply_workflow(workflow_from_data(notify_workflow()))
    ui = open_context(services.settings.model_copy(update={"executor": "celery"}), workers=1)
    try:
        run_id = ui.start_run("celery-hello", {"who": "ui"})
        start_worker()
        finished = wait_for(services, run_id, lambda r: r.status.is_final)
        assert ui.pool is not None
        stats = ui.pool.stats()
    finally:
        ui.close()
    assert (stats.completed, stats.failed, stats.busy, stats.queued, stats.deferred) == (0, 0, 0, 0, 0)
    assert finished.status is RunStatus.SUCCEEDED
    assert [m.body for m in services.store.list_messages()] == ["hello ui"]


def test_the_ui_says_what_to_set_when_celery_is_chosen_without_a_broker(services: Services) -> None:
    from mwo.ui.state import open_context
    from mwo.workers.celery_app import CeleryUnavailable

    settings = services.settings.model_copy(update={"executor": "celery", "celery_broker_url": None})
    with pytest.raises(CeleryUnavailable) as raised:
        open_context(settings, workers=1)
    assert "MWO_CELERY_BROKER_URL" in raised.value.fix

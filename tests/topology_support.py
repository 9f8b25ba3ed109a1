"""MWO's deployment topology as processes on this machine (no Docker daemon needed): a fresh PostgreSQL
schema (or database) and a Redis queue per test, named by a `Machine` that gives each `mwo` process
the environment deploy/compose.yaml gives its role (only addresses and paths swapped for this
machine's), the processes themselves, the test's own Services on the same store, and polling with a
deadline.

Shared by the deploy-topology test (tests/e2e/test_deploy_topology.py), the fencing test between
workers (tests/integration/workers/test_fencing.py) and the crash and load tests (through
tests/scale_support.py). Waiting is always "poll the state until it holds or a deadline passes"; the
deadlines only bound a test that went wrong, they are never what a test asserts."""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
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
from tests.deploy_recipe import environment, load_compose
from tests.e2e.test_serve import POSTGRES_URL, _pump

__all__ = [
    "BROKER",
    "DEADLINE_S",
    "Machine",
    "Process",
    "eventually",
    "forget_queue",
    "postgres_machine",
    "reader",
    "redis_reachable",
    "served_url",
    "start",
]

T = TypeVar("T")
BROKER = os.environ.get("MWO_TEST_REDIS_URL", "redis://127.0.0.1:6379/14")
DEADLINE_S = 180.0
"""Only a bound on a process starting or stopping (several start at once on a machine others
share), never asserted."""


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
        setting the recipe gives the role is used as it is written there, unless `extra` says
        otherwise."""
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
    """One `mwo` process: its stdout line by line in `lines`, its stderr in the file `err`."""

    name: str
    popen: subprocess.Popen[str]
    lines: queue.Queue[str]
    err: Path

    def said(self) -> str:
        """What it has written to stderr so far (its log)."""
        return self.err.read_text(errors="replace")

    def stop(self) -> tuple[int, str]:
        """SIGTERM, then the exit code and what it printed."""
        self.popen.send_signal(signal.SIGTERM)
        code = self.popen.wait(DEADLINE_S)
        out = []
        while not self.lines.empty():
            out.append(self.lines.get())
        return code, "".join(out)


def start(machine: Machine, role: str, name: str, args: list[str], **extra: str) -> Process:
    """`mwo ARGS` with the environment of `role` on `machine` (and `extra`), its files under `name`."""
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
    """The address a started `mwo serve` says it serves on."""
    try:
        first = process.lines.get(timeout=DEADLINE_S)
    except queue.Empty:
        raise AssertionError(f"{process.name} did not start: {process.err.read_text()}") from None
    assert "serving on" in first, (first, process.err.read_text())
    return first.split("serving on ", 1)[1].split(" ", 1)[0]


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
def postgres_machine(root: Path, *, own_database: bool = False, purpose: str = "scale") -> Iterator[Machine]:
    """A Machine on a fresh schema of the test database, or (`own_database`) on a database of its
    own, so a test may terminate every backend of it without touching anyone else's connections;
    its queue is named `mwo-<purpose>-…`. Skips the test when PostgreSQL or Redis is not reachable."""
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
    queue_name = f"mwo-{purpose}-{uuid.uuid4().hex[:8]}"
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

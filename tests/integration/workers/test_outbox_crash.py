"""Kill between the side effect and its record: `mwo run` in a child process sends a webhook (or a
mail to a loopback SMTP server), and the receiver SIGKILLs that process the moment the message
arrives, before the sender can record the answer. Another process then takes the run over, and the
receiver counts what it got: at_most_once once (the step fails as delivery_unknown until a person
retries it), at_least_once twice under the same Idempotency-Key / Message-ID; the in-app inbox
messages of the run's other steps exactly once either way."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from email import message_from_bytes, policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from mwo.engine.runs import RunService
from mwo.services import Services
from mwo.settings import Settings
from mwo.store.records import DeliveryState, RunFilter, RunRecord, RunStatus
from tests.clocks import ManualClock
from tests.notification_receivers import free_port

pytestmark = pytest.mark.slow

DEADLINE_S = 90.0


@dataclass
class Killer:
    """Kills the sending process when the first message arrives; answers every later one."""

    received: list[str] = field(default_factory=list)
    """The Idempotency-Key (webhook) or Message-ID (mail) of every message that arrived."""
    victim: subprocess.Popen[bytes] | None = None
    ready: threading.Event = field(default_factory=threading.Event)
    killed: threading.Event = field(default_factory=threading.Event)

    def arrived(self, key: str) -> bool:
        """Record a message; True when the sender was killed for it (so it gets no answer)."""
        self.received.append(key)
        if self.killed.is_set():
            return False
        assert self.ready.wait(DEADLINE_S), "the test never named the process to kill"
        assert self.victim is not None
        os.kill(self.victim.pid, signal.SIGKILL)
        self.victim.wait(DEADLINE_S)
        self.killed.set()
        return True


@pytest.fixture
def killer() -> Killer:
    return Killer()


@pytest.fixture
def hook(killer: Killer) -> Iterator[str]:
    """A webhook receiver that kills the sender before answering its first request: its base URL."""

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            """Quiet: the tests assert on what arrived."""

        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            if killer.arrived(self.headers.get("Idempotency-Key", "")):
                return  # the sender is dead: no answer
            self.send_response(200)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def smtp_port(killer: Killer) -> Iterator[int]:
    """An SMTP server that accepts the first message, then kills its sender before it can record
    the answer: its port."""

    class Handler:
        async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
            content = envelope.content
            assert isinstance(content, bytes)
            killer.arrived(str(message_from_bytes(content, policy=policy.default)["Message-ID"]))
            return "250 Message accepted for delivery"

    port = free_port()
    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield port
    finally:
        controller.stop()


def spec(tell: str, delivery: str | None) -> str:
    chosen = f"\n  delivery: {delivery}" if delivery else ""
    return f"""
name: outboxed
settings:
  network:
    allow: [127.0.0.1]
steps:
- id: before
  type: NOTIFICATION
  channel: inbox
  body: before
- id: tell
  type: NOTIFICATION
{tell}{chosen}
- id: after
  type: NOTIFICATION
  channel: inbox
  body: after
"""


WEBHOOK = "  channel: webhook\n  webhook_url: {base}/hook\n  body: hello"
EMAIL = "  channel: email\n  to: [me@example.com]\n  subject: hello\n  body: hello"


@dataclass
class Home:
    settings: Settings
    env: dict[str, str]

    def mwo(self, *args: str) -> list[str]:
        return [sys.executable, "-m", "mwo", *args]


@pytest.fixture
def home(tmp_path: Path, smtp_port: int) -> Home:
    settings = Settings(
        home=tmp_path / "home",
        secret_key=None,
        smtp_host="127.0.0.1",
        smtp_port=smtp_port,
        sandbox_pool_size=0,
        _env_file=None,  # type: ignore[call-arg]
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("MWO_")} | {
        "MWO_HOME": str(settings.resolved_home()),
        "MWO_SMTP_HOST": "127.0.0.1",
        "MWO_SMTP_PORT": str(smtp_port),
        "MWO_SANDBOX_POOL_SIZE": "0",
        "MWO_RUN_LEASE_S": "30",
    }
    return Home(settings, env)


def run_until_killed(home: Home, killer: Killer, tmp_path: Path, text: str) -> None:
    """Apply the workflow, start `mwo run` in a child process and wait until the receiver killed it."""
    path = tmp_path / "outboxed.mwo.yaml"
    path.write_text(text)
    subprocess.run(home.mwo("apply", str(path)), env=home.env, check=True, capture_output=True)
    killer.victim = subprocess.Popen(
        home.mwo("run", "outboxed"), env=home.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    killer.ready.set()
    if not killer.killed.wait(DEADLINE_S):
        killer.victim.kill()
        raise AssertionError("the message never reached the receiver")
    assert killer.victim.returncode == -signal.SIGKILL


def take_over(services: Services) -> tuple[RunService, RunRecord]:
    """Another process recovers the run once the dead one's lease is over (a clock moved past it)."""
    [run] = services.store.list_runs(RunFilter(workflow_name="outboxed"))
    assert run.status is RunStatus.RUNNING, "a killed owner leaves the run running"
    assert run.acquired_until is not None
    clock = ManualClock(start=run.acquired_until + timedelta(seconds=1), tick=timedelta(milliseconds=1))
    runs = RunService(
        services.store, services.registry, services.checkpointer, services.settings, clock=clock
    )
    [recovered] = runs.recover()
    assert recovered.id == run.id
    return runs, recovered


def wait_final(services: Services, run_id: str) -> RunRecord:
    deadline = time.monotonic() + DEADLINE_S
    while time.monotonic() < deadline:
        run = services.store.get_run(run_id)
        if run.status.is_final:
            return run
        time.sleep(0.1)
    raise AssertionError(f"run {run_id} is still {services.store.get_run(run_id).status.value}")


CASES = [
    pytest.param(WEBHOOK, None, 2, id="webhook-default-at_least_once"),
    pytest.param(WEBHOOK, "at_most_once", 1, id="webhook-at_most_once"),
    pytest.param(EMAIL, None, 1, id="email-default-at_most_once"),
    pytest.param(EMAIL, "at_least_once", 2, id="email-at_least_once"),
]


@pytest.mark.parametrize(("tell", "delivery", "expected"), CASES)
def test_kill_between_the_side_effect_and_its_record(
    home: Home, killer: Killer, hook: str, tmp_path: Path, tell: str, delivery: str | None, expected: int
) -> None:
    run_until_killed(home, killer, tmp_path, spec(tell.format(base=hook), delivery))

    services = Services.open(home.settings)
    try:
        runs, recovered = take_over(services)
        run = wait_final(services, recovered.id)
        [first_key, *again] = killer.received
        assert len(killer.received) == expected
        outbox = [d for d in services.store.list_deliveries(run.id) if d.step_id == "tell"]
        if expected == 2:  # at_least_once: sent again under the same key, and the run went on
            assert again == [first_key], "the same Idempotency-Key / Message-ID both times"
            assert run.status is RunStatus.SUCCEEDED
            assert [d.state for d in outbox] == [DeliveryState.FAILED, DeliveryState.DELIVERED]
            assert sorted(m.body for m in services.store.list_messages()) == ["after", "before"]
        else:  # at_most_once: not sent again; the step says it may or may not have arrived
            assert run.status is RunStatus.FAILED and run.error is not None
            assert (run.error["step"], run.error["type"]) == ("tell", "delivery_unknown")
            assert [d.state for d in outbox] == [DeliveryState.UNKNOWN]
            assert [m.body for m in services.store.list_messages()] == ["before"]

            resent = runs.retry(run.id, from_failed=True)  # a person checked and sends it on purpose

            assert resent.status is RunStatus.SUCCEEDED
            assert len(killer.received) == 2 and killer.received[1] != first_key
            assert sorted(m.body for m in services.store.list_messages()) == ["after", "before"]
    finally:
        services.close()

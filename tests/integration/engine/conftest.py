"""Engine fixtures: real SQLite store and checkpointer, a controllable clock, loopback HTTP."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from mwo.engine.runs import RunService
from mwo.services import Services
from mwo.settings import Settings
from mwo.spec import Workflow, workflow_from_data
from tests.clocks import ManualClock


@dataclass
class Env:
    services: Services
    clock: ManualClock
    runs: RunService

    def apply(self, data: dict[str, Any]) -> Workflow:
        workflow = workflow_from_data(data)
        self.services.applier.apply_workflow(workflow)
        return workflow

    def new_process(self) -> RunService:
        """A second RunService on the same files: what another process (or a restart) sees."""
        s = Services.open(self.services.settings, self.clock)
        return RunService(
            s.store, s.registry, s.checkpointer, s.settings, clock=self.clock, sleep=self.clock.sleep
        )


@pytest.fixture
def env(settings: Settings) -> Iterator[Env]:
    clock = ManualClock.ticking()
    services = Services.open(settings, clock)
    runs = RunService(
        services.store, services.registry, services.checkpointer, settings, clock=clock, sleep=clock.sleep
    )
    yield Env(services, clock, runs)
    runs.close()
    services.close()


@dataclass
class Recorder:
    """A loopback HTTP server whose answers are scripted per path."""

    port: int = 0
    requests: list[dict[str, Any]] = field(default_factory=list)
    script: dict[str, list[tuple[int, Any]]] = field(default_factory=dict)
    gate: threading.Event = field(default_factory=threading.Event)
    arrived: threading.Event = field(default_factory=threading.Event)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def answer(self, path: str) -> tuple[int, Any]:
        queue = self.script.get(path) or [(200, {"ok": True})]
        return queue.pop(0) if len(queue) > 1 else queue[0]


@pytest.fixture
def http_server() -> Iterator[Recorder]:
    recorder = Recorder()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def _reply(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            body = self.rfile.read(length).decode() if length else ""
            recorder.requests.append(
                {"method": self.command, "path": self.path, "body": body, "headers": dict(self.headers)}
            )
            path = self.path.split("?")[0]
            if path == "/block":
                recorder.arrived.set()
                recorder.gate.wait(30)
            status, payload = recorder.answer(path)
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = _reply

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    recorder.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield recorder
    recorder.gate.set()
    server.shutdown()
    server.server_close()


def loopback_settings() -> dict[str, Any]:
    return {"network": {"allow": ["127.0.0.1"]}}


Build = Callable[..., dict[str, Any]]

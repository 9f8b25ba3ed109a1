"""A real uvicorn on loopback serving `create_app`, with one token per scope and a worker pool the
test can drain: `submit`ted runs execute on it, and `drain()` waits for all of them, so tests
observe finished runs without sleeping or timing."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import httpx
import uvicorn

from mwo.api import create_app
from mwo.auth import TokenService
from mwo.services import Services
from mwo.settings import Settings
from mwo.spec import workflow_from_data
from mwo.store import TokenScope

# Fails on its first step without any network traffic: the address is refused before connecting.
FAILING = {
    "name": "failing",
    "inputs": {"base": {"default": "http://127.0.0.1:9"}},
    "steps": [
        {"id": "fetch", "type": "API_CALL", "request": {"method": "GET", "url": "{{ inputs.base }}/x"}}
    ],
}


@dataclass
class LiveApi:
    services: Services
    client: httpx.Client
    tokens: dict[TokenScope, str]
    futures: list[Future[Any]] = field(default_factory=list)

    def request(
        self, method: str, path: str, *, scope: TokenScope | None = TokenScope.WRITE, **kwargs: Any
    ) -> httpx.Response:
        """`method path` with the token of `scope` (None: no Authorization header)."""
        headers = dict(kwargs.pop("headers", {}) or {})
        if scope is not None:
            headers["Authorization"] = f"Bearer {self.tokens[scope]}"
        return self.client.request(method, path, headers=headers, **kwargs)

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.request("POST", path, **kwargs)

    def apply(self, spec: dict[str, Any]) -> None:
        self.services.applier.apply_workflow(workflow_from_data(spec))

    def drain(self) -> None:
        """Wait for every piece of work handed to the pool (and work it handed on); re-raise errors."""
        done = 0
        while done < len(self.futures):
            self.futures[done].result(timeout=60)
            done += 1


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def live_api(
    settings: Settings, clock: Callable[[], datetime] | None = None, **app_kwargs: Any
) -> Iterator[LiveApi]:
    """Services on `settings` (on `clock` when given), the app on a free loopback port, and a token
    per scope."""
    services = Services.open(settings) if clock is None else Services.open(settings, clock=clock)
    issuer = TokenService(services.store, services.clock)
    tokens = {scope: issuer.issue(f"{scope.value}-token", scope).token for scope in TokenScope}
    pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="api-test-work")
    futures: list[Future[Any]] = []

    def submit(work: Callable[[], Any]) -> None:
        futures.append(pool.submit(work))

    try:
        app = create_app(services, submit=submit, **app_kwargs)
        with serving(app) as base_url, httpx.Client(base_url=base_url, timeout=30) as client:
            yield LiveApi(services, client, tokens, futures)
    finally:
        pool.shutdown(wait=True)
        services.close()


@contextmanager
def serving(app: Any) -> Iterator[str]:
    """`app` on a real uvicorn on a free loopback port, for the duration; yields its base URL."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def assert_problem(response: httpx.Response, status: int) -> dict[str, Any]:
    """The response is an RFC 9457 problem with `status`, a title, a detail and (ours) a fix."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    problem: dict[str, Any] = response.json()
    assert problem["status"] == status and problem["title"] and problem["detail"]
    assert problem["type"] == "about:blank"
    return problem

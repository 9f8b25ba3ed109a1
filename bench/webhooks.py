"""Webhook intake on loopback: signed deliveries through a real uvicorn, verified (Standard Webhooks
HMAC and timestamp) and deduplicated (webhook-id), against the same server's GET /health measured in
the same run as the baseline.

The server runs in a child process (one uvicorn worker, like `mwo serve`) so the client does not
share its interpreter; the client keeps `CONCURRENCY` requests in flight over keep-alive
connections. Runs are not executed: the server's `submit` only counts the work it is handed, so this
measures intake (verify, dedupe, write the run row, answer 202), not the engine. One delivery in
twenty is a retry of an earlier webhook-id and must answer 409. Afterwards every 202's run id must
be exactly one run row ("0 lost"), and no other run rows may exist ("0 duplicate").
"""

from __future__ import annotations

import asyncio
import json
import multiprocessing
import socket
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import httpx
from standardwebhooks.webhooks import Webhook

from mwo.clock import utc_now
from mwo.services import Services
from mwo.settings import Settings
from mwo.spec import workflow_from_data
from mwo.store import RunFilter

CONCURRENCY = 16
HOOKED = {
    "name": "hooked",
    "trigger": {"type": "webhook"},
    "inputs": {"order": {"type": "integer"}},
    "steps": [{"id": "tell", "type": "NOTIFICATION", "channel": "inbox", "subject": "s", "body": "b"}],
}


@dataclass(frozen=True)
class Figures:
    what: str
    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    statuses: dict[int, int]

    def __str__(self) -> str:
        return (
            f"{self.what}: {self.requests / self.seconds:,.0f} req/s, p50 {self.p50_ms:.1f} ms, "
            f"p99 {self.p99_ms:.1f} ms ({self.requests} requests, {CONCURRENCY} in flight, "
            f"statuses {self.statuses})"
        )


def _settings(home: Path) -> Settings:
    return Settings(home=home, secret_key=None, _env_file=None)  # type: ignore[call-arg]


def _serve(home: Path, port: int) -> None:
    """The child: the API app with a submit that only counts, on one uvicorn worker."""
    import uvicorn

    from mwo.api import create_app

    services = Services.open(_settings(home))
    services.runs  # noqa: B018 (opened as under `mwo serve`: parsed specs are cached per version)
    handed: list[int] = []
    app = create_app(services, submit=lambda work: handed.append(1))
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False, lifespan="off")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _signed(secret: str, msg_id: str, body: bytes, at: datetime) -> dict[str, str]:
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(int(at.timestamp())),
        "webhook-signature": Webhook(secret).sign(msg_id, at, body.decode()),
        "content-type": "application/json",
    }


async def _drive(
    url: str, requests: list[tuple[str, bytes | None, dict[str, str]]]
) -> tuple[float, list[float], list[httpx.Response]]:
    latencies: list[float] = []
    responses: list[httpx.Response] = []
    pending = iter(requests)
    limits = httpx.Limits(max_connections=CONCURRENCY, max_keepalive_connections=CONCURRENCY)
    async with httpx.AsyncClient(base_url=url, limits=limits, timeout=30) as client:

        async def worker() -> None:
            for path, body, headers in pending:
                started = time.perf_counter()
                if body is None:
                    response = await client.get(path)
                else:
                    response = await client.post(path, content=body, headers=headers)
                latencies.append(time.perf_counter() - started)
                responses.append(response)

        began = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))
        return time.perf_counter() - began, latencies, responses


def _figures(what: str, seconds: float, latencies: list[float], responses: list[httpx.Response]) -> Figures:
    ordered = sorted(latencies)
    statuses: dict[int, int] = {}
    for response in responses:
        statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
    return Figures(
        what,
        len(latencies),
        seconds,
        1000 * ordered[len(ordered) // 2],
        1000 * ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))],
        statuses,
    )


def webhook_intake(deliveries: int = 3000) -> str:
    with tempfile.TemporaryDirectory(prefix="mwo-bench-hooks-") as tmp:
        home = Path(tmp) / "home"
        services = Services.open(_settings(home))
        services.applier.apply_workflow(workflow_from_data(HOOKED))
        secret = services.store.list_webhook_secrets("hooked", utc_now())[0]
        port = _free_port()
        server = multiprocessing.get_context("spawn").Process(target=_serve, args=(home, port), daemon=True)
        server.start()
        url = f"http://127.0.0.1:{port}"
        try:
            _wait_until_up(url)
            now = datetime.now(timezone.utc)
            hooks: list[tuple[str, bytes | None, dict[str, str]]] = []
            for i in range(deliveries):
                retry = i % 20 == 19  # a sender's retry of an earlier delivery: must be a 409
                n = i - 10 if retry else i
                body = json.dumps({"order": n}).encode()
                hooks.append(("/hooks/hooked", body, _signed(secret, f"msg_{n}", body, now)))
            health: list[tuple[str, bytes | None, dict[str, str]]] = [("/health", None, {})] * deliveries
            asyncio.run(_drive(url, health[:200]))  # warm-up
            baseline = _figures("GET /health (baseline)", *asyncio.run(_drive(url, health)))
            intake_run = asyncio.run(_drive(url, hooks))
            intake = _figures("POST /hooks (verify + dedupe + run row)", *intake_run)
            accepted = [r.json()["run_id"] for r in intake_run[2] if r.status_code == 202]
        finally:
            server.terminate()
            server.join(10)
        rows = services.store.list_runs(RunFilter(workflow_name="hooked", limit=deliveries * 2))
        services.close()
    row_ids = [r.id for r in rows]
    lost = len(set(accepted) - set(row_ids))
    extra = len(row_ids) - len(set(accepted))
    expected_retries = sum(1 for i in range(deliveries) if i % 20 == 19)
    return "\n".join(
        [
            str(baseline),
            str(intake),
            f"  accepted {len(accepted)}, run rows {len(row_ids)}: lost {lost}, duplicate runs {extra}; "
            f"retries answered 409: {intake.statuses.get(409, 0)} of {expected_retries}",
        ]
    )


def _wait_until_up(url: str) -> None:
    deadline = time.monotonic() + 60
    while True:
        try:
            httpx.get(f"{url}/health", timeout=1)
            return
        except httpx.TransportError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def main(deliveries: int = 3000) -> None:
    print(webhook_intake(deliveries))

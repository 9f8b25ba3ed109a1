"""Sandbox cost: one PYTHON_SCRIPT run (warm pool, fully isolated) vs a bare `bwrap + python -I -S` start vs
a plain `subprocess` Python start; a step with allow_net (its own egress proxy), without and with one
HTTP request to a loopback server through the proxy; then 40 sandboxed fib(10) steps chained through
RunService.

Targets (issue #4): p50 <= 15 ms per fully isolated step; the 40-step chain <= 1.0 s end to end
(Windmill's public benchmark of the same shape, their machines: Hatchet 1.22 s, Temporal 2.97 s,
Prefect 4.87 s, Airflow 116 s).
"""

from __future__ import annotations

import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from bench.harness import apply, mwo_services, p50, p95, timed
from mwo.engine.executors.python_script import script_net_access
from mwo.sandbox import Limits, NetAccess, Sandbox, SandboxConfig
from mwo.sandbox.bwrap import bwrap_argv
from mwo.spec import NetworkPolicy
from mwo.store.records import RunStatus

REPEAT = 40
STEPS = 40
FIB = "def main(inputs):\n    return {'n': inputs['n'], 'fib': fib(10)}\n\n"
FIB += "def fib(n):\n    return n if n < 2 else fib(n - 1) + fib(n - 2)\n"
GET = (
    "import urllib.request\n"
    "def main(inputs):\n"
    "    with urllib.request.urlopen(inputs['url'], timeout=5) as answer:\n"
    "        return {'n': inputs['n'], 'fib': len(answer.read())}\n"
)


def main() -> None:
    sandbox = Sandbox(SandboxConfig(pool_size=2))
    try:
        if not sandbox.isolation.isolated:
            print(f"  (no namespace isolation: {sandbox.isolation.detail}; figures are for rlimits only)")
        python = str(sandbox.interpreter.executable)
        plain = timed(lambda _: _start([python, "-I", "-S", "-c", "pass"]), REPEAT)
        bare = timed(lambda _: _start(_bare_bwrap(sandbox)), REPEAT) if sandbox.isolation.isolated else plain
        cold = Sandbox(SandboxConfig(pool_size=0))
        one_cold = timed(lambda i: _step(cold, i), REPEAT)
        one_warm = _paced(sandbox)
        back_to_back = timed(lambda i: _step(sandbox, i), REPEAT)
        cold.close()
        networked, fetched = _networked(sandbox)
    finally:
        sandbox.close()
    chain = _chain()
    print(f"one step, p50 / p95 ({REPEAT} runs):")
    rows = [
        ("plain subprocess python -I -S", plain),
        ("bare bwrap + python -I -S", bare),
        ("sandboxed step, no pool", one_cold),
        ("sandboxed step, warm pool", one_warm),
        ("sandboxed steps back to back", back_to_back),
        ("allow_net step (own proxy), no I/O", networked),
        ("allow_net step, one GET via proxy", fetched),
    ]
    for label, samples in rows:
        print(f"  {label:36s} {p50(samples) * 1e3:7.1f} ms / {p95(samples) * 1e3:7.1f} ms")
    print(f"  ratio warm step / plain python start: {p50(one_warm) / p50(plain):.2f}x")
    print(f"  ratio warm step / bare bwrap start:   {p50(one_warm) / p50(bare):.2f}x   (target p50 <= 15 ms)")
    print(f"{STEPS} sandboxed fib(10) steps chained through RunService, p50 / p95 per run:")
    per_step = p50(chain) / STEPS * 1e3
    print(f"  MWO: {p50(chain):.3f} s / {p95(chain):.3f} s ({per_step:.1f} ms a step; target <= 1.0 s)")
    print("  Windmill's benchmark, their machines: Hatchet 1.22, Temporal 2.97, Prefect 4.87, Airflow 116 s")


def _start(argv: list[str]) -> None:
    subprocess.run(argv, check=True, stdin=subprocess.DEVNULL, env={})


def _bare_bwrap(sandbox: Sandbox) -> list[str]:
    assert sandbox.config.bwrap is not None
    argv = bwrap_argv(sandbox.config.bwrap, sandbox.interpreter, "pass", Limits())
    return [*argv[: argv.index("-B")], "-c", "pass"]


def _step(sandbox: Sandbox, i: int, net: NetAccess | None = None, code: str = FIB, **inputs: Any) -> None:
    result = sandbox.run(code, {"n": i, **inputs}, {}, Limits(timeout_s=10), net)
    assert result.output == {"n": i, "fib": 55}, result.error


def _networked(sandbox: Sandbox) -> tuple[list[float], list[float]]:
    """Steps with allow_net (started on demand, each with its own egress proxy): idle, and one GET."""

    class Answer(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Length", "55")
            self.end_headers()
            self.wfile.write(b"x" * 55)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Answer)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/"
    net = script_net_access(NetworkPolicy(allow=["127.0.0.1"]), True)
    try:
        idle = timed(lambda i: _step(sandbox, i, net), REPEAT)
        fetched = timed(lambda i: _step(sandbox, i, net, GET, url=url), REPEAT)
    finally:
        server.shutdown()
        server.server_close()
    return idle, fetched


def _paced(sandbox: Sandbox) -> list[float]:
    """Steps arriving when the pool has refilled (spaced out, as in most workflows): the warm-pool cost."""
    samples = []
    for i in range(REPEAT):
        time.sleep(0.1)
        started = time.perf_counter()
        _step(sandbox, i)
        samples.append(time.perf_counter() - started)
    return samples


def _chain() -> list[float]:
    steps: list[dict[str, Any]] = [
        {"id": f"s{i}", "type": "PYTHON_SCRIPT", "code": FIB, "inputs": {"n": i}} for i in range(STEPS)
    ]
    with mwo_services() as services:
        apply(services, {"name": "fib40", "steps": steps})

        def one_run(_: int) -> None:
            run = services.runs.start("fib40")
            assert run.status is RunStatus.SUCCEEDED, run.error

        return timed(one_run, 5, warmup=1)

"""llama-cpp-python's own OpenAI-compatible server on a loopback port, for the real server path.

MWO's `openai` provider talks to any OpenAI-compatible endpoint over HTTP. To test that path for
real (not against a mocked endpoint), the authoring benchmark and a slow integration test start
`python -m llama_cpp.server` with the same GGUF the embedded provider uses and point
MWO_LLM_PROVIDER=openai / MWO_LLM_BASE_URL / MWO_LLM_MODEL at it. The server needs the `server`
extras of llama-cpp-python (uvicorn, fastapi, sse-starlette, starlette-context, pydantic-settings),
which the `dev` extra installs.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

MODEL_ALIAS = "mwo-local-gguf"
"""The model name the server answers to (MWO_LLM_MODEL)."""


@dataclass(frozen=True)
class LlamaServer:
    """A running server: where to reach it and which model name to ask for."""

    base_url: str
    model: str
    log: Path


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def server_command(
    model: Path, port: int, *, context_tokens: int = 4096, threads: int | None = None
) -> list[str]:
    """The command line that starts the server (quiet, loopback only)."""
    command = [
        sys.executable,
        "-m",
        "llama_cpp.server",
        "--model",
        str(model),
        "--model_alias",
        MODEL_ALIAS,
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--n_ctx",
        str(context_tokens),
        "--verbose",
        "False",
    ]
    if threads is not None:
        command += ["--n_threads", str(threads)]
    return command


@contextmanager
def running_llama_server(
    model: Path, log: Path, *, context_tokens: int = 4096, threads: int | None = None, ready_s: float = 180.0
) -> Iterator[LlamaServer]:
    """Start the server, wait until it lists its model, yield it, and stop it at the end.

    Raises RuntimeError with the tail of the server's log when it exits or is not ready in time.
    """
    port = free_port()
    base_url = f"http://127.0.0.1:{port}/v1"
    with log.open("wb") as sink:
        process = subprocess.Popen(
            server_command(model, port, context_tokens=context_tokens, threads=threads),
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
        try:
            _wait_ready(process, base_url, log, ready_s)
            yield LlamaServer(base_url, MODEL_ALIAS, log)
        finally:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _wait_ready(process: subprocess.Popen[bytes], base_url: str, log: Path, ready_s: float) -> None:
    deadline = time.monotonic() + ready_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"llama_cpp.server exited with {process.returncode}:\n{_tail(log)}")
        try:
            if httpx.get(f"{base_url}/models", timeout=2.0).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"llama_cpp.server not ready after {ready_s:g} s:\n{_tail(log)}")


def _tail(log: Path, lines: int = 20) -> str:
    return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])

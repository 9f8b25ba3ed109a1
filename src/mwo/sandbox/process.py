"""One sandboxed process: started as the unprivileged uid, fed one request, read with a deadline and a cap.

Reading is a select loop in the calling thread over stdin (the request), stdout (the result) and
stderr (the script's prints): no helper threads, and the loop is where the wall-clock deadline and
the output cap are enforced. Anything past the deadline or the cap kills the process group at once;
in namespaces mode that is bubblewrap, and its death takes the whole pid namespace with it.
"""

from __future__ import annotations

import contextlib
import os
import selectors
import signal
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from mwo.sandbox.policy import NOBODY

LOG_TAIL_BYTES = 64 * 1024
"""How much of what the script printed is kept for the step log (the end of it)."""
_CHUNK = 65536
CANCEL_POLL_S = 0.1


@dataclass(frozen=True)
class Exchange:
    """What came back from one process."""

    stdout: bytes
    stderr: bytes
    returncode: int | None
    timed_out: bool = False
    overflowed: bool = False
    cancelled: bool = False
    seconds: float = 0.0


def spawn(
    argv: list[str], env: dict[str, str], cwd: str | Path | None = None, pass_fds: tuple[int, ...] = ()
) -> subprocess.Popen[bytes]:
    """Start `argv` in its own session; as uid/gid 65534 with no groups when we are root.

    Dropping privileges here (Popen's user/group, applied after fork and before exec) means that
    even bubblewrap runs unprivileged: the script's host uid is nobody, never root, and the
    process-count limit counts nobody's processes, not every root process on the host.
    """
    root = os.geteuid() == 0
    return subprocess.Popen(
        argv,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        cwd=cwd,
        start_new_session=True,
        close_fds=True,
        pass_fds=pass_fds,
        user=NOBODY if root else None,
        group=NOBODY if root else None,
        extra_groups=[] if root else None,
    )


def exchange(
    process: subprocess.Popen[bytes],
    request: bytes,
    timeout_s: float,
    max_output: int,
    cancelled: Callable[[], bool] = lambda: False,
) -> Exchange:
    """Send `request`, collect the answer until the process exits, the deadline passes or output overflows.

    `max_output` bounds stdout and stderr together; of stderr only the last LOG_TAIL_BYTES are kept.
    `cancelled` is asked every CANCEL_POLL_S (not before: a quick script never asks); when it says
    yes the process is killed.
    """
    started = time.perf_counter()
    deadline = time.monotonic() + timeout_s
    assert process.stdin is not None and process.stdout is not None and process.stderr is not None
    out, err = _Sink(keep=max_output + 1), _Sink(keep=LOG_TAIL_BYTES)
    pending = memoryview(request)
    timed_out = overflowed = stopped = answered = False
    next_poll = time.monotonic() + CANCEL_POLL_S
    with selectors.DefaultSelector() as selector:
        os.set_blocking(process.stdin.fileno(), False)
        selector.register(process.stdin, selectors.EVENT_WRITE)
        selector.register(process.stdout, selectors.EVENT_READ, out)
        selector.register(process.stderr, selectors.EVENT_READ, err)
        while selector.get_map():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                timed_out = True
                break
            if time.monotonic() >= next_poll:  # asking may cost a query: at most every CANCEL_POLL_S
                next_poll = time.monotonic() + CANCEL_POLL_S
                if cancelled():
                    stopped = True
                    break
            for key, _ in selector.select(min(remaining, CANCEL_POLL_S)):
                if key.fileobj is process.stdin:
                    pending = _write(process.stdin, selector, pending)
                    continue
                chunk = os.read(key.fd, _CHUNK)
                if chunk:
                    key.data.add(chunk)
                    answered = key.data is out and chunk.endswith(b"\n")
                else:
                    selector.unregister(key.fileobj)
            if out.total + err.total > max_output:
                overflowed = True
                break
            if answered:
                break
    returncode = _finish(process, err, answered, kill_now=timed_out or overflowed or stopped)
    seconds = time.perf_counter() - started
    return Exchange(out.data(), err.data(), returncode, timed_out, overflowed, stopped, seconds)


class _Sink:
    """Bytes read from one pipe: a count of all of them, and the last `keep` of them."""

    def __init__(self, keep: int) -> None:
        self.keep = keep
        self.total = 0
        self._buffer = bytearray()

    def add(self, chunk: bytes) -> None:
        self.total += len(chunk)
        self._buffer += chunk
        if len(self._buffer) > 2 * self.keep:
            del self._buffer[: len(self._buffer) - self.keep]

    def data(self) -> bytes:
        return bytes(self._buffer[-self.keep :])


def _write(stdin: IO[bytes], selector: selectors.BaseSelector, pending: memoryview) -> memoryview:
    """Write what the pipe takes now; close stdin once the whole request is out (the harness reads to EOF)."""
    try:
        pending = pending[os.write(stdin.fileno(), pending) :]
    except BrokenPipeError:
        pending = pending[len(pending) :]
    if not pending:
        selector.unregister(stdin)
        stdin.close()
    return pending


def kill(process: subprocess.Popen[bytes]) -> None:
    """SIGKILL the process group the sandbox was started in (it may have exited already)."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)


def _finish(process: subprocess.Popen[bytes], err: _Sink, answered: bool, kill_now: bool) -> int | None:
    """End the process; its exit status, or None when it answered and is reaped in the background.

    The harness writes its one result line, then exits; waiting for the exit would add bubblewrap's
    namespace teardown (a millisecond, far more on a loaded host) to every step. So once the line
    is in, what the script printed is drained (the harness flushed it before the result), the
    process group is killed, and a daemon thread reaps it.
    """
    if answered:
        assert process.stderr is not None
        _drain(process.stderr.fileno(), err)
        kill(process)
        _close(process)
        threading.Thread(target=process.wait, name="mwo-sandbox-reaper", daemon=True).start()
        return None
    if kill_now:
        kill(process)
    returncode = _wait(process)
    _close(process)
    return returncode


def _drain(fd: int, sink: _Sink) -> None:
    os.set_blocking(fd, False)
    with contextlib.suppress(BlockingIOError):
        while chunk := os.read(fd, _CHUNK):
            sink.add(chunk)


def _wait(process: subprocess.Popen[bytes]) -> int | None:
    try:
        return process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        kill(process)
        return process.wait()


def _close(process: subprocess.Popen[bytes]) -> None:
    for stream in (process.stdin, process.stdout, process.stderr):
        if stream is not None and not stream.closed:
            stream.close()

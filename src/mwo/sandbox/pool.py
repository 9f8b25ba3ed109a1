"""A warm pool of pre-started sandboxes, so a step pays for the request and the script, not the start.

Each pooled process is a sandbox whose interpreter has started and imported the harness, and waits
for its one request on stdin. A process is used for one step only and then discarded; the pool
starts the next one in the background. The pool holds no limits of its own: the harness applies the
step's limits when the request arrives.

Filler threads start the pooled processes and live as long as the pool: bubblewrap's
`--die-with-parent` ties a sandbox to the thread that started it, so that thread must not end
while its sandboxes wait. Starting a sandbox is mostly CPU (namespaces, mounts, the interpreter),
so on a machine with several cores more than one filler keeps a chain of steps fed.
"""

from __future__ import annotations

import subprocess
import threading
from collections import deque
from collections.abc import Callable

from mwo.sandbox.process import kill

Starter = Callable[[], subprocess.Popen[bytes]]


class WarmPool:
    """Up to `size` waiting sandboxes made by `start`; `take` never waits for the filler."""

    def __init__(self, start: Starter, size: int, fillers: int = 1) -> None:
        self._start = start
        self._size = size
        self._fillers = max(1, min(fillers, size))
        self._starting = 0
        self._idle: deque[subprocess.Popen[bytes]] = deque()
        self._changed = threading.Condition()
        self._closed = False
        self._threads: list[threading.Thread] = []

    def take(self) -> subprocess.Popen[bytes]:
        """A started sandbox: a waiting one if there is one alive, else one started now, in this thread."""
        with self._changed:
            self._ensure_thread()
            while self._idle:
                process = self._idle.popleft()
                self._changed.notify_all()
                if process.poll() is None:
                    return process
                _discard(process)
        return self._start()

    def close(self) -> None:
        """Stop refilling and kill the waiting sandboxes."""
        with self._changed:
            self._closed = True
            idle, self._idle = list(self._idle), deque()
            self._changed.notify_all()
        for process in idle:
            _discard(process)
        for thread in self._threads:
            if thread is not threading.current_thread():
                thread.join(timeout=5)

    def _ensure_thread(self) -> None:
        if not self._threads and self._size > 0 and not self._closed:
            for number in range(self._fillers):
                thread = threading.Thread(target=self._fill, name=f"mwo-sandbox-pool-{number}", daemon=True)
                self._threads.append(thread)
                thread.start()

    def _fill(self) -> None:
        while True:
            with self._changed:
                while not self._closed and len(self._idle) + self._starting >= self._size:
                    self._changed.wait()
                if self._closed:
                    return
                self._starting += 1
            try:
                process = self._start()
            except OSError:
                return  # the host cannot start sandboxes now; `take` starts them itself (and reports why)
            finally:
                with self._changed:
                    self._starting -= 1
            with self._changed:
                if self._closed:
                    _discard(process)
                    return
                self._idle.append(process)


def _discard(process: subprocess.Popen[bytes]) -> None:
    kill(process)
    for stream in (process.stdin, process.stdout, process.stderr):
        if stream is not None:
            stream.close()
    process.wait()

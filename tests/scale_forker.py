"""Starts `mwo worker` processes by fork, for the crash test's 50 SIGKILLs (tests/e2e/test_scale_crash.py).

A fresh `python -m mwo worker` spends about 5 CPU seconds importing before it takes a task; fifty
of them would be most of the test on a two-core machine. This process imports what a worker needs
once, then forks one worker per line it reads on stdin (a JSON object: the worker's environment and
the file for its output) and answers with the child's pid. Each child is a real worker: it runs the
`mwo worker` command's own function (`mwo.cli.worker.worker`) with that environment; the test
SIGKILLs it by pid. No thread, connection or Services exists in this process before a fork.

Run as `python -m tests.scale_forker`."""

from __future__ import annotations

import json
import os
import signal
import sys


def _preload() -> None:
    """Everything a worker imports on its way to its first task."""
    import celery.apps.worker
    import celery.concurrency.thread  # noqa: F401
    import kombu.transport.redis  # noqa: F401
    import langgraph.checkpoint.postgres  # noqa: F401
    import psycopg  # noqa: F401
    import psycopg_pool  # noqa: F401

    import mwo.cli.worker
    import mwo.engine.executors
    import mwo.engine.runs
    import mwo.services
    import mwo.workers.celery_app  # noqa: F401


def _child(order: dict[str, object]) -> None:
    """In the forked child: become the worker `order` describes; never returns."""
    code = 1
    try:
        err = os.open(str(order["err"]), os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        os.dup2(err, 1)
        os.dup2(err, 2)
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        environment = order["env"]
        assert isinstance(environment, dict)
        os.environ.clear()
        os.environ.update({str(k): str(v) for k, v in environment.items()})
        from mwo.cli.worker import worker

        worker(concurrency=int(str(order.get("concurrency", 2))), loglevel="WARNING")
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


def main() -> None:
    _preload()
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # children are reaped by the kernel
    for line in sys.stdin:
        order = json.loads(line)
        pid = os.fork()
        if pid == 0:
            _child(order)
        print(pid, flush=True)


if __name__ == "__main__":
    main()

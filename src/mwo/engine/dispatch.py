"""Handing a queued run to whoever executes it: this process's worker pool, or Celery workers.

Every caller that starts or resumes a run without driving it itself (the API, the webhook intake,
the scheduler under `mwo serve`, the reaper, the folder watcher) goes through a `RunDispatcher`, so
`MWO_EXECUTOR` changes who executes runs in one place. The run is always a row in the store before it
is handed over: a dispatcher that cannot take it answers False and the reaper hands it over later.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol

from mwo.engine.errors import RunError
from mwo.store.errors import Conflict

if TYPE_CHECKING:
    from mwo.engine.runs import RunService

log = logging.getLogger(__name__)

Work = Callable[[], Any]
Submit = Callable[[Work], object]


class RunDispatcher(Protocol):
    def execute(self, run_id: str, resume: Any = None) -> bool:
        """Hand the run over (with `resume`, the value an interrupted step continues with, e.g. an
        approval decision); False when it stays queued in the store for the reaper."""


def execute_quietly(runs: RunService, run_id: str, resume: Any = None) -> None:
    """Execute a run whose record says how it went; a run another executor holds (RunBusy) or that
    is already final is not an error here, someone else took it."""
    try:
        runs.execute(run_id, resume)
    except (RunError, Conflict) as exc:
        log.info("run %s not executed here: %s", run_id, exc)


class SubmitDispatcher:
    """Runs execute in this process: each becomes a piece of work for `submit` (a bounded worker
    pool's, or a thread per run). `runs` is called when the work runs, so the engine is opened only
    by a process that executes something."""

    def __init__(self, runs: Callable[[], RunService], submit: Submit) -> None:
        self._runs = runs
        self._submit = submit

    def execute(self, run_id: str, resume: Any = None) -> bool:
        accepted = self._submit(lambda: execute_quietly(self._runs(), run_id, resume))
        return accepted is not False  # a pool answers False when full; a thread starter None

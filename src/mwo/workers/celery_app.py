"""Scale-out with Celery: `mwo worker` processes on any host execute runs that a server queues.

The store stays the truth: a run is a QUEUED row before its task is sent, and a task only names the
run (`mwo.execute_run(run_id, resume)`). So a lost message, a broker restart or a worker killed with
SIGKILL never loses a run: the run's lease expires and the reaper of `mwo serve` (or `mwo recover`)
resumes it from its checkpoint. Celery is set up so that the broker also redelivers: tasks are
acknowledged after they ran (`acks_late`) and a task whose worker died is requeued
(`reject_on_worker_lost`); the run's lease makes a redelivered task that finds the run already
done or held elsewhere a no-op, and its fencing token refuses every late write of a worker that was
paused past its lease after another took the run over (that worker logs it and goes on serving).

Workers use the threads pool: a run mostly waits (HTTP, the LLM, a sandboxed script in another
process), and one process per worker keeps one Services (store pool, sandbox warm pool, local model).
"""

from __future__ import annotations

import logging
from functools import cached_property
from typing import Any

from celery import Celery, Task
from celery.signals import worker_shutdown
from kombu.exceptions import OperationalError as BrokerError

from mwo.engine.errors import RunError
from mwo.errors import FixableError
from mwo.services import Services
from mwo.settings import Settings
from mwo.store.errors import Conflict, NotFound

log = logging.getLogger(__name__)

EXECUTE_RUN = "mwo.execute_run"


class CeleryUnavailable(FixableError):
    """Celery is selected but cannot work; `fix` names the setting."""

    code = "celery"


class _RunTask(Task):  # type: ignore[misc]  # celery ships no type hints
    """The task class: one Services per worker process, opened on the first task."""

    settings: Settings | None = None

    @cached_property
    def services(self) -> Services:
        opened = Services.open(self.settings or Settings())
        # Runs started by events of the runs this worker finishes go back to the broker.
        opened.dispatcher = CeleryDispatcher(self.app, opened.settings)
        return opened

    def close(self) -> None:
        if "services" in self.__dict__:
            self.services.close()


def create_celery(settings: Settings) -> Celery:
    """The Celery app over `settings.celery_broker_url`; raises CeleryUnavailable when unset."""
    if not settings.celery_broker_url:
        raise CeleryUnavailable(
            "no Celery broker is configured",
            "set MWO_CELERY_BROKER_URL, e.g. redis://127.0.0.1:6379/0 or amqp://guest@127.0.0.1//",
        )
    app = Celery("mwo", broker=settings.celery_broker_url, set_as_current=False)
    app.conf.update(
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_ignore_result=True,
        task_serializer="json",
        accept_content=["json"],
        task_default_queue=settings.celery_queue,
        broker_connection_retry_on_startup=True,
        broker_connection_timeout=settings.celery_publish_timeout_s,
        # Redis redelivers an unacknowledged task after this long; a run lease is the real guard.
        broker_transport_options={"visibility_timeout": max(settings.run_lease_s * 2, 60.0)},
        worker_hijack_root_logger=False,
    )

    @app.task(name=EXECUTE_RUN, base=_RunTask, bind=True)  # type: ignore[untyped-decorator]
    def execute_run(task: _RunTask, run_id: str, resume: Any = None) -> str:
        """Drive the run; a run held by another executor or already final is someone else's."""
        try:
            return task.services.runs.execute(run_id, resume).status.value
        except (RunError, Conflict) as exc:
            log.info("run %s not executed here: %s", run_id, exc)
            return "skipped"
        except NotFound:
            log.error(
                "run %s is not in this worker's database: workers and server must share "
                "MWO_DATABASE_URL, and installations sharing a broker need their own MWO_CELERY_QUEUE",
                run_id,
            )
            return "unknown"

    execute_run.settings = settings

    def on_shutdown(**_: Any) -> None:
        execute_run.close()

    worker_shutdown.connect(on_shutdown, weak=False)
    return app


class CeleryDispatcher:
    """Hands runs to Celery workers. `execute` returns False when the broker cannot take the task:
    the run stays queued in the store and the reaper hands it over later (nothing is lost)."""

    def __init__(self, app: Celery, settings: Settings) -> None:
        self._app = app
        self._queue = settings.celery_queue
        self._timeout_s = settings.celery_publish_timeout_s

    def execute(self, run_id: str, resume: Any = None) -> bool:
        try:
            self._app.send_task(
                EXECUTE_RUN,
                args=[run_id, resume],
                queue=self._queue,
                retry=True,
                retry_policy={"max_retries": 2, "interval_start": 0, "interval_step": 0.2},
                timeout=self._timeout_s,
            )
        except (BrokerError, OSError, TimeoutError) as exc:
            log.warning("broker refused run %s (%s); it stays queued for the reaper", run_id, exc)
            return False
        return True


def run_worker(settings: Settings, concurrency: int, loglevel: str = "INFO") -> None:
    """Run a Celery worker in this process until it is told to stop (SIGTERM: warm shutdown, the
    runs in progress finish; a second SIGTERM or SIGKILL: their leases expire and they resume)."""
    app = create_celery(settings)
    worker = app.Worker(
        pool="threads",
        concurrency=concurrency,
        queues=[settings.celery_queue],
        loglevel=loglevel,
        hostname=f"mwo@{_hostname()}",
        without_heartbeat=True,
        without_mingle=True,
        without_gossip=True,
    )
    worker.start()
    if worker.exitcode:
        raise SystemExit(worker.exitcode)


def _hostname() -> str:
    import os
    import socket

    return f"{socket.gethostname()}-{os.getpid()}"

"""The `mwo serve` process: the API on uvicorn, the scheduler, the stuck-run reaper and the folder
watcher, all handing runs to one bounded worker pool.

Lifecycle (`start`, then `shutdown` when told to stop):
1. stop intake: uvicorn stops accepting and finishes the requests in progress; the scheduler,
   reaper and watcher loops end after their tick in progress;
2. drain: the pool drops what no worker started (those runs stay queued in the store) and waits up
   to `drain_grace_s` for the runs in progress;
3. release: every run this process still holds gets its lease expired (`acquired_until = now`), so
   any other server, or the next start, resumes it from its checkpoint at once. Nothing is left
   "running" with a lease that looks alive.

Uvicorn runs on a thread of its own so that the main thread keeps the signal handlers (uvicorn's
own would re-raise SIGTERM after it stops, killing the process before the drain).

The HTTP app is not built here: the face that starts the server (`mwo serve`) passes an `AppFactory`,
so this package does not know the API (arrows point inward: faces build, inner packages run).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import uvicorn

from mwo.engine.dispatch import RunDispatcher
from mwo.errors import FixableError
from mwo.services import Services
from mwo.settings import Settings
from mwo.store.records import RunFilter, RunStatus
from mwo.workers.loops import PeriodicLoop, scheduler_loop
from mwo.workers.pool import PoolStats, WorkerPool
from mwo.workers.reaper import Reaper

if TYPE_CHECKING:
    from mwo.engine.runs import RunService
    from mwo.triggers.folders import FolderWatcher

log = logging.getLogger(__name__)

_STARTUP_TIMEOUT_S = 30.0


HealthProbe = Callable[[], dict[str, Any]]
AppFactory = Callable[[RunDispatcher, HealthProbe], Any]
"""Builds the ASGI app the server listens with, given the server's dispatcher and health probe."""


class ServeError(FixableError):
    """The server could not start; `fix` says what to change."""

    code = "serve"


@dataclass(frozen=True)
class ServeConfig:
    """The server's knobs (settings, with the command line's overrides)."""

    host: str
    port: int
    workers: int
    queue_size: int
    drain_grace_s: float
    reaper_interval_s: float
    scheduler_tick_s: float
    watch_poll_s: float
    max_body_bytes: int
    state_dir: Path

    @classmethod
    def from_settings(
        cls,
        settings: Settings,
        *,
        host: str | None = None,
        port: int | None = None,
        workers: int | None = None,
    ) -> ServeConfig:
        return cls(
            host=host or settings.serve_host,
            port=settings.serve_port if port is None else port,
            workers=workers or settings.workers,
            queue_size=settings.worker_queue_size,
            drain_grace_s=settings.drain_grace_s,
            reaper_interval_s=settings.reaper_interval_s,
            scheduler_tick_s=settings.scheduler_tick_s,
            watch_poll_s=settings.watch_poll_s,
            max_body_bytes=settings.webhook_max_body_bytes,
            state_dir=settings.resolved_home() / "file-triggers",
        )

    @property
    def scheduler_stale_s(self) -> float:
        """A scheduler whose last good tick is older than this makes the server 'degraded'."""
        return max(30.0, 10 * self.scheduler_tick_s)


@dataclass(frozen=True)
class ShutdownReport:
    drained: bool
    """True when every run in progress finished within the grace."""
    released: list[str]
    """Runs still going whose leases were expired for another process to resume."""


class Server:
    """One process: API, scheduler, reaper, folder watcher and the worker pool they share. Every tick
    and the lease release read the services' clock (`Services.clock`), so a test can drive them."""

    def __init__(self, services: Services, config: ServeConfig, app_factory: AppFactory) -> None:
        from mwo.triggers.folders import FolderWatcher

        self._services = services
        self._config = config
        runs = services.runs
        self.pool = WorkerPool(config.workers, config.queue_size)
        self.dispatcher = self._dispatcher(services, runs)
        services.dispatcher = self.dispatcher  # runs started by events are queued like the others
        reaper = Reaper(
            runs,
            services.store,
            self.pool.submit,
            self._room_for_adoption,
            queued_age=timedelta(seconds=config.reaper_interval_s),
            dispatcher=self.dispatcher,
        )
        watcher = FolderWatcher(services.store, services.workflow_of, self._start_file_run, config.state_dir)
        self.scheduler = scheduler_loop(services, config.scheduler_tick_s, dispatcher=self.dispatcher)
        self.reaper = PeriodicLoop("reaper", config.reaper_interval_s, lambda: reaper.tick(services.clock()))
        self._folder_problems: dict[str, str] = {}
        self.watcher = PeriodicLoop("watcher", config.watch_poll_s, lambda: self._scan(watcher))
        self._uvicorn = uvicorn.Server(
            uvicorn.Config(
                app_factory(self.dispatcher, self.health),
                host=config.host,
                port=config.port,
                log_level="warning",
                access_log=False,
                lifespan="off",
                timeout_graceful_shutdown=max(1, int(config.drain_grace_s)),
            )
        )
        self._http = threading.Thread(target=self._uvicorn.run, name="mwo-http", daemon=True)
        self.url = ""

    def _dispatcher(self, services: Services, runs: RunService) -> RunDispatcher:
        """Who executes the runs this server starts: its own pool, or Celery workers (the pool then
        only runs recovery passes)."""
        from mwo.workers.dispatchers import open_dispatcher

        try:
            return open_dispatcher(services.settings, lambda: runs, self.pool.submit)
        except FixableError as exc:  # CeleryUnavailable: Celery chosen but not configured
            self.pool.drain(0)
            raise ServeError(str(exc), exc.fix) from None

    # --- lifecycle ------------------------------------------------------------------------------------

    def start(self) -> str:
        """Start every part; returns the URL the API answers on. ServeError when it cannot listen."""
        self._http.start()
        deadline = time.monotonic() + _STARTUP_TIMEOUT_S
        while not self._uvicorn.started:
            if not self._http.is_alive() or time.monotonic() > deadline:
                self.pool.drain(0)
                raise ServeError(
                    f"cannot listen on {self._config.host}:{self._config.port}",
                    "is another server using the port? pass --port (or set MWO_SERVE_PORT)",
                )
            time.sleep(0.01)
        port = self._uvicorn.servers[0].sockets[0].getsockname()[1]
        host = self._config.host if ":" not in self._config.host else f"[{self._config.host}]"
        self.url = f"http://{host}:{port}"
        for loop in (self.scheduler, self.reaper, self.watcher):
            loop.start()
        return self.url

    def wait(self, stop: threading.Event) -> None:
        """Block until `stop` is set (a signal) or the HTTP server ended by itself."""
        while not stop.wait(0.2):
            if not self._http.is_alive():
                log.error("the HTTP server stopped; shutting down")
                return

    def shutdown(self) -> ShutdownReport:
        """Stop intake, drain the pool within the grace, expire the leases of what is still going."""
        self._uvicorn.should_exit = True
        bound = self._config.drain_grace_s + 5  # a tick stuck on the database must not hold us forever
        for loop in (self.scheduler, self.reaper, self.watcher):
            loop.stop(bound)
        self._http.join(bound)
        drained = self.pool.drain(self._config.drain_grace_s)
        released = [] if drained else self._expire_leases()
        return ShutdownReport(drained, released)

    def _expire_leases(self) -> list[str]:
        """Expire the leases this process holds (acquire_run by the same owner with until=now), so
        `reap_abandoned_runs` anywhere sees the runs as abandoned from now on. The run service's
        heartbeat stops first: it would otherwise extend them again while their steps still run."""
        store, runs = self._services.store, self._services.runs
        runs.close()
        held = store.list_runs(RunFilter(statuses=(RunStatus.RUNNING, RunStatus.QUEUED), limit=10_000))
        now = self._services.clock()
        released = []
        for run in held:
            if run.acquired_by == runs.owner and store.acquire_run(run.id, runs.owner, now, now):
                released.append(run.id)
        return released

    # --- the parts' glue -------------------------------------------------------------------------------

    def _room_for_adoption(self) -> int:
        """Queued runs in the store are adopted only when this pool's queue is empty: a run still in
        it would otherwise be handed over twice (harmless, the lease decides, but wasteful)."""
        if self._services.settings.executor != "local":
            return 0  # Celery holds queued runs in its broker; stale ones come back through recover()
        stats = self.pool.stats()
        return self.pool.free_slots() if stats.queued == 0 else 0

    def _start_file_run(self, name: str, inputs: dict[str, Any], trigger: str) -> str:
        run = self._services.runs.create_run(name, inputs, trigger=trigger)
        self.dispatcher.execute(run.id)
        return run.id

    def _scan(self, watcher: FolderWatcher) -> None:
        report = watcher.scan(self._services.clock())
        self._folder_problems = report.problems

    def health(self) -> dict[str, Any]:
        """Merged into GET /health: 'degraded' (503) when the scheduler has not ticked for a while,
        'draining' (503) while shutting down, so a load balancer stops sending work here."""
        stats = self.pool.stats()
        return {
            "status": health_status(stats, self.scheduler.last_ok_age_s(), self._config.scheduler_stale_s),
            "executor": self._services.settings.executor,
            "scheduler": {**self.scheduler.facts(), "stale_after_s": self._config.scheduler_stale_s},
            "workers": stats.as_dict(),
            "reaper": self.reaper.facts(),
            "watcher": {**self.watcher.facts(), "problems": dict(self._folder_problems)},
        }


def health_status(workers: PoolStats, scheduler_age_s: float | None, stale_after_s: float) -> str:
    """'draining' while shutting down, 'degraded' when the scheduler has not ticked successfully for
    `stale_after_s` (stuck on the database, or its thread died), else 'ok'."""
    if not workers.accepting:
        return "draining"
    if scheduler_age_s is not None and scheduler_age_s > stale_after_s:
        return "degraded"
    return "ok"

"""`mwo serve`: the API, the scheduler, the folder watcher and a bounded worker pool in one process."""

from __future__ import annotations

import logging
import os
import sys
from typing import Annotated

import typer

from mwo.cli.context import reporting_errors
from mwo.cli.output import fail


def serve(
    host: Annotated[
        str | None, typer.Option("--host", help="Address to listen on (default 127.0.0.1, MWO_SERVE_HOST).")
    ] = None,
    port: Annotated[
        int | None,
        typer.Option(
            "--port", min=0, max=65535, help="Port (default 8000, MWO_SERVE_PORT; 0: any free one)."
        ),
    ] = None,
    workers: Annotated[
        int | None, typer.Option("--workers", min=1, max=64, help="Runs at the same time (MWO_WORKERS).")
    ] = None,
) -> None:
    """Serve the REST API and webhooks, fire schedules and watched folders, execute runs.

    Several servers may share one PostgreSQL database (each fire and each run happens once).
    SIGTERM or Ctrl-C stops gracefully: no new work, runs in progress get MWO_DRAIN_GRACE_S to
    finish, what is still going is released for another server to resume; the exit code is 0.
    """
    from mwo.api import create_app  # the API and the engine load only for the server
    from mwo.services import Services
    from mwo.settings import Settings
    from mwo.workers.server import ServeConfig, ServeError, Server
    from mwo.workers.signals import stop_on_signals

    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("mwo").setLevel(logging.INFO)  # our own notes (reaper, drain), not libraries' chatter
    with reporting_errors():
        settings = Settings()
        services = Services.open(settings)
    with stop_on_signals() as stop:
        try:
            config = ServeConfig.from_settings(settings, host=host, port=port, workers=workers)
            server = Server(
                services,
                config,
                lambda dispatcher, health: create_app(
                    services, max_body_bytes=config.max_body_bytes, dispatcher=dispatcher, health=health
                ),
            )
            url = server.start()
        except ServeError as exc:
            services.close()
            fail(str(exc), exc.fix, code=exc.code)
        typer.echo(f"MWO serving on {url} (health: {url}/health, API docs: {url}/docs); Ctrl-C stops")
        sys.stdout.flush()
        server.wait(stop)
        typer.echo("stopping: no new work; draining the workers")
        sys.stdout.flush()
        report = server.shutdown()
    if report.drained:
        services.close()
        typer.echo("stopped: every run in progress finished")
        return
    typer.echo(
        f"stopped: {len(report.released)} run(s) still going were released for another server to "
        f"resume: {', '.join(r[:8] for r in report.released)}"
    )
    sys.stdout.flush()
    sys.stderr.flush()
    # Threads of released runs must not write after their leases were handed over: end at once.
    os._exit(0)

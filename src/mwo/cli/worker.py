"""`mwo worker`: a Celery worker that executes runs queued by `mwo serve` with MWO_EXECUTOR=celery."""

from __future__ import annotations

from typing import Annotated

import typer

from mwo.cli.context import reporting_errors
from mwo.cli.output import fail


def worker(
    concurrency: Annotated[int, typer.Option(help="Runs executed at once by this worker.", min=1)] = 2,
    loglevel: Annotated[str, typer.Option(help="Celery log level.")] = "INFO",
) -> None:
    """Execute runs from the Celery broker (MWO_CELERY_BROKER_URL) until SIGTERM.

    Start as many as you like, on any host that reaches the broker and the database
    (MWO_DATABASE_URL on PostgreSQL for more than one host)."""
    from mwo.settings import Settings
    from mwo.workers.celery_app import CeleryUnavailable, run_worker

    with reporting_errors():
        settings = Settings()
        try:
            run_worker(settings, concurrency, loglevel)
        except CeleryUnavailable as exc:
            fail(str(exc), exc.fix, code=exc.code)

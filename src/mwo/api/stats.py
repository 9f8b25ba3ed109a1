"""`/stats`: run statistics (success rate, mean and 95th-percentile duration, failure causes by
step and error type), overall and per workflow; the same figures as `mwo stats`."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query

from mwo.api.context import READ, AppServices
from mwo.api.problems import Problem
from mwo.management import RunStatistics, run_statistics

Since = Annotated[
    datetime | None, Query(description="Only runs created at or after this ISO instant (with a zone).")
]


router = APIRouter(tags=["statistics"])


@router.get("/stats", dependencies=[READ], summary="Statistics of all runs, with one row per workflow")
def overall(services: AppServices, since: Since = None) -> RunStatistics:
    return run_statistics(services.store, None, _aware(since))


@router.get("/workflows/{name}/stats", dependencies=[READ], summary="Statistics of one workflow's runs")
def of_workflow(name: str, services: AppServices, since: Since = None) -> RunStatistics:
    return run_statistics(services.store, name, _aware(since))


def _aware(since: datetime | None) -> datetime | None:
    if since is not None and since.tzinfo is None:
        raise Problem(
            422,
            "Instant without a zone",
            f"since={since.isoformat()} has no time zone",
            code="bad_instant",
            fix="add Z or an offset, e.g. 2026-11-01T00:00:00Z",
        )
    return since

"""`/stats`: run statistics (success rate, mean and 95th-percentile duration, failure causes by
step and error type), overall and per workflow; the same figures as `mwo stats`."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query

from mwo.api.context import ApiContext
from mwo.api.problems import Problem
from mwo.management import RunStatistics, run_statistics
from mwo.store.records import TokenScope

Since = Annotated[
    datetime | None, Query(description="Only runs created at or after this ISO instant (with a zone).")
]


def stats_router(ctx: ApiContext) -> APIRouter:
    store = ctx.services.store
    read = [ctx.scope(TokenScope.READ)]
    router = APIRouter(tags=["statistics"])

    @router.get("/stats", dependencies=read, summary="Statistics of all runs, with one row per workflow")
    def overall(since: Since = None) -> RunStatistics:
        return run_statistics(store, None, _aware(since))

    @router.get("/workflows/{name}/stats", dependencies=read, summary="Statistics of one workflow's runs")
    def of_workflow(name: str, since: Since = None) -> RunStatistics:
        return run_statistics(store, name, _aware(since))

    return router


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

"""`POST /events/{name}`: emit a named event; every enabled workflow listening to it (whose filter
matches) gets a run, queued now and executed on the workers, as `mwo event emit` does in the
foreground."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool

from mwo.api.bodies import json_object, read_limited
from mwo.api.context import ApiContext
from mwo.api.models import ApiModel, RunOut
from mwo.store.records import RunRecord, TokenScope
from mwo.triggers.events import EventDispatcher

_EVENT_BODY: dict[str, Any] = {
    "requestBody": {
        "required": False,
        "description": "The event's data: a JSON object (empty body: `{}`).",
        "content": {"application/json": {"schema": {"type": "object"}}},
    }
}


class EmitResult(ApiModel):
    """The runs the event started (queued) and the listeners whose filter could not be evaluated."""

    event: str
    runs: list[RunOut]
    filter_errors: dict[str, str]


def events_router(ctx: ApiContext) -> APIRouter:
    services = ctx.services

    def queue_run(name: str, inputs: dict[str, Any], trigger: str) -> RunRecord:
        run = services.runs.create_run(name, inputs, trigger=trigger)
        ctx.execute_later(run)
        return run

    # The same dispatcher as `Services.events`, except that it queues runs instead of running them.
    dispatcher = EventDispatcher(services.store, services.workflow_of, queue_run)
    router = APIRouter(tags=["events"])

    @router.post(
        "/events/{name}",
        dependencies=[ctx.scope(TokenScope.WRITE)],
        status_code=202,
        openapi_extra=_EVENT_BODY,
        summary="Emit a named event; listening workflows start",
    )
    async def emit(name: str, request: Request) -> EmitResult:
        data = json_object(await read_limited(request, ctx.max_body_bytes), "the event data")
        outcome = await run_in_threadpool(dispatcher.emit, name, data)
        return EmitResult(
            event=name,
            runs=[RunOut.model_validate(r) for r in outcome.runs],
            filter_errors=outcome.filter_errors,
        )

    return router

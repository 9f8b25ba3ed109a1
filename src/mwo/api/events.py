"""`POST /events/{name}`: emit a named event; every enabled workflow listening to it (whose filter
matches) gets a run, queued now and executed on the workers, as `mwo event emit` does in the
foreground."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool

from mwo.api.bodies import json_object, read_limited
from mwo.api.context import WRITE, Context
from mwo.api.models import ApiModel
from mwo.views import RunOut

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


router = APIRouter(tags=["events"])


@router.post(
    "/events/{name}",
    dependencies=[WRITE],
    status_code=202,
    openapi_extra=_EVENT_BODY,
    summary="Emit a named event; listening workflows start",
)
async def emit(name: str, request: Request, ctx: Context) -> EmitResult:
    data = json_object(await read_limited(request, ctx.max_body_bytes), "the event data")
    outcome = await run_in_threadpool(ctx.events.emit, name, data)
    return EmitResult(
        event=name, runs=[RunOut.of(r) for r in outcome.runs], filter_errors=outcome.filter_errors
    )

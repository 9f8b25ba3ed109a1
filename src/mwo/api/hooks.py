"""`POST /hooks/{workflow}`: a signed delivery starts a run of the workflow with its JSON body as inputs.

Answers: 202 `{"run_id": ...}` as soon as the run is queued (it executes on the dispatcher's workers);
400 malformed (unreadable signature or timestamp, non-JSON or non-object body); 401 unsigned or
not authentic (a signing header missing, no matching signature with any active secret, timestamp
outside +-5 min);
404 unknown workflow or one without a webhook trigger; 409 a `webhook-id` already delivered (the
problem names the run it started; nothing new runs) or a disabled workflow; 413 a body over the
limit (1 MiB); 422 a body that is not valid inputs of the workflow. Nothing runs on any error.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from mwo.api.bodies import read_limited
from mwo.api.context import Context
from mwo.api.errors import status_of
from mwo.api.problems import Problem
from mwo.engine.errors import InputError
from mwo.engine.inputs import resolve_inputs
from mwo.services import Services
from mwo.store.errors import Conflict, NotFound
from mwo.triggers.webhooks import Delivery, WebhookRejected, is_webhook_workflow, verify_delivery

MAX_BODY_BYTES = 1024 * 1024


router = APIRouter()


@router.post("/hooks/{workflow}", status_code=202, summary="Deliver a signed webhook")
async def deliver(workflow: str, request: Request, ctx: Context) -> JSONResponse:
    # An accepted run goes to the dispatcher (the server's workers), never inline.
    body = await read_limited(request, ctx.max_body_bytes)
    headers = dict(request.headers)
    run_id = await run_in_threadpool(_accept, ctx.services, workflow, body, headers)
    ctx.dispatcher.execute(run_id)
    return JSONResponse({"run_id": run_id}, status_code=202)


def _accept(services: Services, name: str, body: bytes, headers: dict[str, str]) -> str:
    """Verify and record the delivery; returns the new run's id or raises Problem."""
    now = services.clock()
    not_found = Problem(404, "No such webhook", f"no workflow {name!r} with a webhook trigger")
    try:
        version = services.store.get_version(name)
        secrets = services.store.list_webhook_secrets(name, now)
    except NotFound:
        raise not_found from None
    workflow = services.workflow_of(version)
    if not is_webhook_workflow(workflow):
        raise not_found
    try:
        delivery = verify_delivery(body, headers, secrets)
    except WebhookRejected as exc:
        raise Problem(status_of(exc), exc.title, exc.message) from None
    inputs = _inputs(delivery)
    try:
        resolved = resolve_inputs(workflow, inputs)
    except InputError as exc:
        raise Problem(status_of(exc), "Invalid inputs", str(exc)) from None
    try:
        run, created = services.store.start_webhook_run(name, delivery.webhook_id, version.id, resolved, now)
    except Conflict as exc:  # disabled, checked in the transaction that would record the delivery
        raise Problem(status_of(exc), "Workflow disabled", f"{exc}; {exc.fix}") from None
    if not created:
        raise Problem(
            409,
            "Duplicate delivery",
            f"webhook-id {delivery.webhook_id!r} was already delivered; it started run {run.id}",
            run_id=run.id,
        )
    return run.id


def _inputs(delivery: Delivery) -> dict[str, Any]:
    if not isinstance(delivery.payload, dict):
        raise Problem(400, "Body is not an object", "the body must be a JSON object of the workflow's inputs")
    return delivery.payload

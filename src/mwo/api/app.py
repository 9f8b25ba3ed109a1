"""The FastAPI application: `create_app(services)`: the REST API (`mwo.api.routes`, bearer tokens),
the webhook intake and `GET /health`; OpenAPI at `/docs`.

Seams that let `mwo serve` run the app inside a server process without the API knowing about it:
- `dispatcher`: how the API hands a run to be executed or resumed (`mwo.engine.dispatch`): the
  server's bounded worker pool, or Celery workers. Or, simpler, `submit`: work for this process
  (the default runs each run on a thread of its own after the response).
- `health`: extra facts for `GET /health` (scheduler alive, workers busy); a `status` other than
  `ok` makes the endpoint answer 503 so load balancers and supervisors notice.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI
from fastapi.responses import JSONResponse

from mwo.api import hooks
from mwo.api.guard import RequestGuard
from mwo.api.hooks import MAX_BODY_BYTES
from mwo.api.limits import BodyLimits
from mwo.api.openapi_doc import declare_problems
from mwo.api.problems import install_problem_handlers
from mwo.api.routes import include_api
from mwo.auth import TokenService
from mwo.engine.dispatch import RunDispatcher, SubmitDispatcher
from mwo.services import Services

Work = Callable[[], Any]
Submit = Callable[[Work], object]
HealthProbe = Callable[[], dict[str, Any]]


def thread_submit(work: Work) -> None:
    """The default `submit` when no worker pool is given: one daemon thread per piece of work."""
    threading.Thread(target=work, name="mwo-api-work", daemon=True).start()


def create_app(
    services: Services,
    *,
    max_body_bytes: int = MAX_BODY_BYTES,
    submit: Submit | None = None,
    dispatcher: RunDispatcher | None = None,
    health: HealthProbe | None = None,
) -> FastAPI:
    """An app over `services` (opened and closed by the caller)."""
    app = FastAPI(title="MWO", summary="Meta Workflow Orchestrator API")
    install_problem_handlers(app)
    runs = dispatcher or SubmitDispatcher(lambda: services.runs, submit or thread_submit)
    app.include_router(hooks.router, tags=["webhooks"])
    include_api(app, services, runs, max_body_bytes)
    declare_problems(app)
    # Token, content type, size, UTF-8 and depth of every body, before any endpoint parses it.
    app.add_middleware(
        RequestGuard,
        limits=BodyLimits.from_settings(services.settings),
        tokens=TokenService(services.store, services.clock),
    )

    @app.get("/health", summary="Liveness and, under `mwo serve`, the server's parts")
    def get_health() -> JSONResponse:
        body: dict[str, Any] = {"status": "ok"}
        if health is not None:
            body.update(health())
        return JSONResponse(body, status_code=200 if body.get("status") == "ok" else 503)

    return app

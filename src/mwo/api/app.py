"""The FastAPI application: `create_app(services)`. So far: the webhook intake and `GET /health`."""

from __future__ import annotations

from fastapi import FastAPI

from mwo.api.hooks import MAX_BODY_BYTES, hooks_router
from mwo.api.problems import install_problem_handlers
from mwo.services import Services


def create_app(services: Services, *, max_body_bytes: int = MAX_BODY_BYTES) -> FastAPI:
    """An app over `services` (opened and closed by the caller)."""
    app = FastAPI(title="MWO", summary="Meta Workflow Orchestrator API")
    install_problem_handlers(app)
    app.include_router(hooks_router(services, max_body_bytes))

    @app.get("/health", summary="Liveness")
    def health() -> dict[str, str]:
        return {"status": "ok"}

    return app

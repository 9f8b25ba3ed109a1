"""The authenticated REST API: one module-level router per resource; their handlers get the app's
`ApiContext` (services, dispatcher, token checks) by `Depends`."""

from __future__ import annotations

from fastapi import FastAPI

from mwo.api import authoring, events, knowledge, repairs, runs, schedules, secrets, stats, tokens, workflows
from mwo.api.context import ApiContext
from mwo.api.errors import install_error_handlers
from mwo.api.knowledge import install_knowledge
from mwo.engine.dispatch import RunDispatcher
from mwo.services import Services

OPENAPI_TAGS = [
    {"name": "workflows", "description": "Saved workflows: specs, versions, folders, tags."},
    {"name": "runs", "description": "Start runs, follow them, retry, cancel, approve or reject."},
    {"name": "schedules", "description": "Cron schedules: next fire times, pause, resume."},
    {"name": "events", "description": "Named events that start listening workflows."},
    {"name": "authoring", "description": "Describe a job in words: sessions, questions, progress, edits."},
    {"name": "knowledge", "description": "The knowledge base: search, add documents."},
    {"name": "statistics", "description": "Success rate, durations and failure causes of runs."},
    {"name": "tokens", "description": "API tokens (admin scope)."},
    {"name": "secrets", "description": "Named secrets: set and delete; values never come out (admin scope)."},
    {"name": "webhooks", "description": "Signed webhook deliveries (no API token; HMAC signatures)."},
]


def include_api(app: FastAPI, services: Services, dispatcher: RunDispatcher, max_body_bytes: int) -> None:
    """Add every resource router and the domain-error answers to `app`, with the context their
    handlers are given (`mwo.api.context`)."""
    ApiContext.build(services, dispatcher, max_body_bytes).install(app)
    install_knowledge(app, services.settings)
    install_error_handlers(app)
    for router in (
        workflows.router,
        runs.router,
        repairs.router,
        schedules.router,
        events.router,
        authoring.router,
        knowledge.router,
        stats.router,
        tokens.router,
        secrets.router,
    ):
        app.include_router(router)
    app.openapi_tags = OPENAPI_TAGS

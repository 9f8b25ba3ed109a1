"""The authenticated REST API: one router per resource, all built over one ApiContext."""

from __future__ import annotations

from fastapi import FastAPI

from mwo.api.authoring import authoring_router
from mwo.api.context import ApiContext
from mwo.api.errors import install_error_handlers
from mwo.api.events import events_router
from mwo.api.knowledge import knowledge_router
from mwo.api.repairs import repairs_router
from mwo.api.runs import runs_router
from mwo.api.schedules import schedules_router
from mwo.api.secrets import secrets_router
from mwo.api.stats import stats_router
from mwo.api.tokens import tokens_router
from mwo.api.workflows import workflows_router
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
    """Add every resource router and the domain-error answers to `app`."""
    ctx = ApiContext.build(services, dispatcher, max_body_bytes)
    install_error_handlers(app)
    for router in (
        workflows_router(ctx),
        runs_router(ctx),
        repairs_router(ctx),
        schedules_router(ctx),
        events_router(ctx),
        authoring_router(ctx),
        knowledge_router(ctx),
        stats_router(ctx),
        tokens_router(ctx),
        secrets_router(ctx),
    ):
        app.include_router(router)
    app.openapi_tags = OPENAPI_TAGS

"""The OpenAPI document tells the truth about errors: every operation declares the problem answers
it can give (`application/problem+json`, one shared `Problem` schema), which FastAPI alone would
leave out or declare as plain JSON (its 422). Applied once, when the document is first built."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from mwo.api.problems import PROBLEM_JSON

PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "Problem",
    "description": "An RFC 9457 problem document with MWO's `code` and `fix` (what to do).",
    "type": "object",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "code": {"type": "string"},
        "fix": {"type": "string"},
        "findings": {"type": "array", "items": {"type": "object"}},
        "warnings": {"type": "array", "items": {"type": "object"}},
        "errors": {"type": "array", "items": {"type": "object"}},
        "run_id": {"type": "string"},
    },
    "additionalProperties": True,
}

_MEANING = {
    "400": "Malformed: a body that is not UTF-8 (`invalid_utf8`), an unreadable header",
    "401": "No token, or an unknown, revoked or expired one (webhooks: unsigned or not authentic)",
    "403": "The token's scope is too small",
    "404": "No such resource",
    "405": "Method not allowed (see `Allow`)",
    "409": "Not in a state for this (or a duplicate)",
    "413": "Body over its limit (docs/operations.md, Limits)",
    "415": "A body of a type the endpoint does not read",
    "422": "Invalid input: a spec with findings, inputs that do not fit, a malformed request",
    "503": "Unavailable right now (secrets key, OCR or embedding model)",
}
_TOKEN_ANSWERS = ("400", "401", "403", "404", "409", "413", "415", "422", "503")
_WEBHOOK_ANSWERS = ("400", "401", "404", "409", "413", "422", "503")
_PUBLIC = ("/health", "/openapi.json", "/docs", "/docs/oauth2-redirect", "/redoc")


def declare_problems(app: FastAPI) -> None:
    """Make `app.openapi()` add the problem answers to every operation."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        document = build()
        with_problems(document)
        app.openapi_schema = document
        return document

    app.openapi = openapi  # type: ignore[method-assign]


def with_problems(document: dict[str, Any]) -> None:
    """Add (or replace with problem+json) the error answers of every operation in `document`."""
    document.setdefault("components", {}).setdefault("schemas", {})["Problem"] = PROBLEM_SCHEMA
    problem = {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}}
    for path, operations in document.get("paths", {}).items():
        if path in _PUBLIC:
            continue
        statuses = _WEBHOOK_ANSWERS if path.startswith("/hooks/") else _TOKEN_ANSWERS
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            for status in statuses:
                answer = responses.setdefault(status, {"description": _MEANING[status]})
                answer["content"] = problem

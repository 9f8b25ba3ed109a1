"""Which request body is which, and how large and how deep each may be (all from Settings).

One table for the whole API, so every body has a documented limit (docs/operations.md, "Limits")
and `RequestGuard` enforces it before any endpoint reads the body.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum

from mwo.settings import Settings


class BodyKind(str, Enum):
    """The kinds of request body, each with its own size limit."""

    SPEC = "spec"
    INPUTS = "inputs"
    EVENT = "event"
    DECISION = "decision"
    AUTHORING = "authoring"
    DOCUMENT = "document"
    WEBHOOK = "webhook"
    OTHER = "other"


# (method, path pattern, kind); the first match wins, anything else is OTHER.
_ROUTES: tuple[tuple[str, re.Pattern[str], BodyKind], ...] = tuple(
    (method, re.compile(pattern), kind)
    for method, pattern, kind in (
        ("POST", r"/hooks/[^/]+", BodyKind.WEBHOOK),
        ("POST", r"/workflows", BodyKind.SPEC),
        ("POST", r"/workflows/[^/]+/runs", BodyKind.INPUTS),
        ("POST", r"/events/[^/]+", BodyKind.EVENT),
        ("POST", r"/runs/[^/]+/(approve|reject)", BodyKind.DECISION),
        ("POST", r"/runs/[^/]+/repair/(approve|reject)", BodyKind.DECISION),
        ("POST", r"/authoring/sessions(/[^/]+/(answers|confirm))?", BodyKind.AUTHORING),
        ("POST", r"/workflows/[^/]+/edits", BodyKind.AUTHORING),
        ("POST", r"/knowledge/documents", BodyKind.DOCUMENT),
    )
)

PUBLIC_PATHS = ("/health", "/docs", "/docs/oauth2-redirect", "/redoc", "/openapi.json")
"""Paths without an API token (the webhook intake authenticates by signature instead)."""


def body_kind(method: str, path: str) -> BodyKind:
    """The kind of body `method path` takes."""
    for route_method, pattern, kind in _ROUTES:
        if method == route_method and pattern.fullmatch(path.rstrip("/") or "/"):
            return kind
    return BodyKind.OTHER


@dataclass(frozen=True)
class BodyLimits:
    """Largest body in bytes per kind, and the deepest JSON nesting of any JSON body."""

    bytes_by_kind: dict[BodyKind, int]
    json_depth: int

    @classmethod
    def from_settings(cls, settings: Settings) -> BodyLimits:
        return cls(
            {
                BodyKind.SPEC: settings.api_max_spec_bytes,
                BodyKind.INPUTS: settings.api_max_inputs_bytes,
                BodyKind.EVENT: settings.api_max_event_bytes,
                BodyKind.DECISION: settings.api_max_decision_bytes,
                BodyKind.AUTHORING: settings.api_max_authoring_bytes,
                BodyKind.DOCUMENT: settings.api_max_document_bytes,
                BodyKind.WEBHOOK: settings.webhook_max_body_bytes,
                BodyKind.OTHER: settings.api_max_body_bytes,
            },
            settings.api_max_json_depth,
        )

    def of(self, kind: BodyKind) -> int:
        return self.bytes_by_kind[kind]

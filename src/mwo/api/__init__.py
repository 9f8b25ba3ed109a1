"""MWO's HTTP API (FastAPI): `create_app(services)`; the REST resources (one module each, joined in
`mwo.api.routes`, bearer tokens from `mwo.auth`), the webhook intake in `mwo.api.hooks`."""

from __future__ import annotations

from mwo.api.app import create_app

__all__ = ["create_app"]

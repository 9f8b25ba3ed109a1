"""MWO's HTTP API (FastAPI): `create_app(services)`; the webhook intake lives in `mwo.api.hooks`."""

from __future__ import annotations

from mwo.api.app import create_app

__all__ = ["create_app"]

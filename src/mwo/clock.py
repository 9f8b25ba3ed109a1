"""The one place that reads the wall clock; everything else takes `now` as a parameter."""

from __future__ import annotations

from datetime import datetime, timezone


def utc_now() -> datetime:
    return datetime.now(timezone.utc)

"""Every body limit in Settings is documented in docs/operations.md (Limits) and docs/configuration.md."""

from __future__ import annotations

from pathlib import Path

import pytest

from mwo.settings import Settings

DOCS = Path(__file__).resolve().parents[2] / "docs"
LIMITS = [
    name
    for name in Settings.model_fields
    if name.startswith(("api_max_", "webhook_max_"))
]


def test_there_are_limits_to_document() -> None:
    assert len(LIMITS) >= 9


@pytest.mark.parametrize("name", LIMITS)
@pytest.mark.parametrize("doc", ["operations.md", "configuration.md"])
def test_each_limit_is_documented(name: str, doc: str) -> None:
    assert f"`MWO_{name.upper()}`" in (DOCS / doc).read_text(encoding="utf-8")

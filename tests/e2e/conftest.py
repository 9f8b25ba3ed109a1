"""The CLI tests' shared fixture: a fresh MWO_HOME per test, and no database URL or public URL
from the developer's environment."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "home"
    monkeypatch.setenv("MWO_HOME", str(path))
    monkeypatch.delenv("MWO_DATABASE_URL", raising=False)
    monkeypatch.delenv("MWO_PUBLIC_URL", raising=False)
    return path

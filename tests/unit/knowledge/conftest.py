from __future__ import annotations

import pytest

from mwo.knowledge.text import KoreanText


@pytest.fixture(scope="session")
def korean() -> KoreanText:
    """One loaded Kiwi analyser for the session (about a second to load)."""
    return KoreanText()

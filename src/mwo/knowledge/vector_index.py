"""The vector side: one persistent Chroma collection per domain, vectors from our own embedder.

Chroma's default embedding function downloads a model at run time, so every collection is opened
with `_ChromaAdapter` (our embedder) and we also pass vectors explicitly on add and query, which
keeps the e5 "query:"/"passage:" forms right. Each collection's metadata records the embedding
model; opening it with another model raises `EmbeddingMismatch` instead of mixing vector spaces.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from mwo.knowledge.embeddings import Embedder, Vectors
from mwo.knowledge.errors import EmbeddingMismatch
from mwo.knowledge.exact_vectors import ExactVectors
from mwo.knowledge.records import Chunk

COLLECTION_PREFIX = "kb_"


class _Unbound:
    """Stands in for the embedder in collections Chroma opens by itself; we always pass vectors."""

    dim = 0

    def __init__(self, model_id: str) -> None:
        self.model_id = model_id

    def embed_queries(self, texts: list[str]) -> Vectors:
        raise EmbeddingMismatch(
            "a collection was used without MWO's embedder", "open it through KnowledgeService"
        )

    embed_passages = embed_queries


class _ChromaAdapter:
    """Chroma's EmbeddingFunction protocol over our Embedder (documents as passages)."""

    def __init__(self, embedder: Embedder) -> None:
        self._embedder = embedder

    def __call__(self, input: list[str]) -> list[Any]:
        return list(self._embedder.embed_passages(list(input)))

    def embed_query(self, input: list[str]) -> list[Any]:
        return list(self._embedder.embed_queries(list(input)))

    @staticmethod
    def name() -> str:
        return "mwo"

    def get_config(self) -> dict[str, Any]:
        return {"model_id": self._embedder.model_id}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> _ChromaAdapter:
        """Chroma rebuilds the function when listing collections; ours needs the live model: a stub."""
        return _ChromaAdapter(_Unbound(str(config.get("model_id", "?"))))

    def is_legacy(self) -> bool:
        return False

    def default_space(self) -> str:
        return "cosine"

    def supported_spaces(self) -> list[str]:
        return ["cosine"]


@dataclass(frozen=True)
class VectorHit:
    chunk_id: str
    score: float  # cosine similarity


class VectorIndex:
    """Add, delete and query chunks by vector, one collection per domain."""

    def __init__(self, path: Path, embedder: Embedder) -> None:
        import chromadb
        from chromadb.config import Settings as ChromaSettings

        path.mkdir(parents=True, exist_ok=True)
        self._client = chromadb.PersistentClient(
            path=str(path), settings=ChromaSettings(anonymized_telemetry=False, allow_reset=False)
        )
        self._embedder = embedder
        self._adapter = _ChromaAdapter(embedder)
        self._collections: dict[str, Any] = {}
        self._exact = ExactVectors(self._stored_vectors)

    def _collection(self, domain: str, create: bool = True) -> Any:
        if domain in self._collections:
            return self._collections[domain]
        name = COLLECTION_PREFIX + domain
        existing = {c.name for c in self._client.list_collections()}
        if name not in existing and not create:
            return None
        collection = self._client.get_or_create_collection(
            name,
            embedding_function=self._adapter,  # type: ignore[arg-type]
            metadata={
                "embedding_model": self._embedder.model_id,
                "dim": self._embedder.dim,
                "hnsw:space": "cosine",
            },
        )
        recorded = (collection.metadata or {}).get("embedding_model")
        if recorded != self._embedder.model_id:
            raise EmbeddingMismatch(
                f"collection {domain!r} was built with embedding model {recorded!r}, "
                f"but the configured model is {self._embedder.model_id!r}",
                "set MWO_KB_EMBEDDING_* back, or run `mwo kb init --rebuild` to re-embed everything",
            )
        self._collections[domain] = collection
        return collection

    def check_model(self) -> None:
        """Raise EmbeddingMismatch now if any existing collection was built with another model."""
        for c in self._client.list_collections():
            if c.name.startswith(COLLECTION_PREFIX):
                self._collection(c.name[len(COLLECTION_PREFIX) :])

    def add(self, chunks: list[Chunk], vectors: Vectors, batch: int = 2000) -> None:
        if not chunks:
            return
        collection = self._collection(chunks[0].domain)
        for start in range(0, len(chunks), batch):
            part = chunks[start : start + batch]
            collection.add(
                ids=[c.id for c in part],
                embeddings=vectors[start : start + batch],
                documents=[c.text for c in part],
                metadatas=[{"doc_id": c.doc_id, "domain": c.domain} for c in part],
            )

    def delete_document(self, domain: str, doc_id: str) -> None:
        collection = self._collection(domain, create=False)
        if collection is not None:
            collection.delete(where={"doc_id": doc_id})

    def drop_all(self) -> None:
        for c in self._client.list_collections():
            if c.name.startswith(COLLECTION_PREFIX):
                self._client.delete_collection(c.name)
        self._collections.clear()
        self._exact.clear()

    def count(self, domain: str) -> int:
        collection = self._collection(domain, create=False)
        return 0 if collection is None else int(collection.count())

    def _stored_vectors(self, domain: str) -> tuple[list[str], Vectors]:
        """Every (id, vector) of a domain's collection, for the in-memory exact search."""
        empty = np.zeros((0, self._embedder.dim), dtype=np.float32)
        collection = self._collection(domain, create=False)
        if collection is None:
            return [], empty
        stored = collection.get(include=["embeddings"])
        ids = [str(i) for i in stored["ids"]]
        if not ids:
            return [], empty
        rows = np.asarray(stored["embeddings"], dtype=np.float32).reshape(len(ids), -1)
        return ids, rows

    def sync(self, generation: int) -> None:
        """Drop in-memory vectors loaded before the catalog's `generation` changed."""
        self._exact.sync(generation)

    def query(
        self, vector: Vectors, domains: list[str], n: int, sizes: Mapping[str, int] | None = None
    ) -> list[VectorHit]:
        """Best `n` chunks over the domains by cosine similarity (comparable across collections).

        With `sizes` (chunks per domain, from the catalog), empty domains are skipped and domains
        up to `ExactVectors.limit` chunks are scored exactly in memory; the rest, or every domain
        when `sizes` is None, are asked through Chroma's HNSW index. Call `sync` first.
        """
        hits: list[VectorHit] = []
        for domain in domains:
            size = None if sizes is None else sizes.get(domain, 0)
            if size == 0:
                continue
            if size is not None and size <= self._exact.limit:
                hits.extend(VectorHit(cid, score) for cid, score in self._exact.search(domain, vector, n))
                continue
            collection = self._collection(domain, create=False)
            if collection is None:
                continue
            # n_results may exceed the collection's size (Chroma returns what it has); asking for
            # count() first would cost more than the query itself.
            result = collection.query(
                query_embeddings=np.asarray([vector], dtype=np.float32), n_results=n, include=["distances"]
            )
            for chunk_id, distance in zip(result["ids"][0], result["distances"][0], strict=True):
                hits.append(VectorHit(chunk_id, 1.0 - float(distance)))
        hits.sort(key=lambda h: h.score, reverse=True)
        return hits[:n]

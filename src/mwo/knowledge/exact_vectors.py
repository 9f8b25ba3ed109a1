"""Small domains searched exactly, in memory: one matrix product instead of a Chroma query each.

Profiling `retrieve` showed each Chroma collection query costs about 0.8 ms of fixed overhead
(its Rust binding, result conversion) however small the collection is, and a search spans the
detected domains, `common` and every user domain: five collections cost more than the BM25 side
over 100,000 chunks. The shipped packs hold about a hundred chunks each, and most user domains a
few thousand, so their vectors are kept here as one float32 matrix per domain and scored with a
dot product (exact cosine, better than HNSW's approximation). Domains larger than `limit` stay
in Chroma, whose HNSW index is what makes them fast.

The matrices are loaded from Chroma on first use and thrown away when the catalog generation
changes (any write, in this process or another), so they never answer with stale vectors.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from mwo.knowledge.embeddings import Vectors

EXACT_LIMIT = 5000  # rows; 5,000 x 384 float32 is 7.7 MB and scores in well under a millisecond

Loader = Callable[[str], tuple[list[str], Vectors]]


@dataclass(frozen=True)
class _Matrix:
    ids: list[str]
    rows: Vectors  # (n, dim), unit-length rows


class ExactVectors:
    """Per-domain matrices of normalised vectors, valid for one catalog generation."""

    def __init__(self, loader: Loader, limit: int = EXACT_LIMIT) -> None:
        self._load = loader
        self.limit = limit
        self._generation = -1
        self._matrices: dict[str, _Matrix] = {}

    def clear(self) -> None:
        self._matrices.clear()

    def sync(self, generation: int) -> None:
        """Forget every matrix if the catalog changed since they were loaded."""
        if generation != self._generation:
            self._matrices.clear()
            self._generation = generation

    def search(self, domain: str, query: Vectors, n: int) -> list[tuple[str, float]]:
        """The `n` best (chunk id, cosine similarity) of `domain`, best first."""
        matrix = self._matrices.get(domain)
        if matrix is None:
            ids, rows = self._load(domain)
            if not ids:  # removed since the catalog counted it, or never filled
                return []
            rows = np.asarray(rows, dtype=np.float32).reshape(len(ids), -1)
            norms = np.linalg.norm(rows, axis=1, keepdims=True)
            norms[norms == 0] = 1.0
            matrix = _Matrix(ids, np.ascontiguousarray(rows / norms, dtype=np.float32))
            self._matrices[domain] = matrix
        scores = matrix.rows @ np.asarray(query, dtype=np.float32)
        n = min(n, len(scores))
        top = np.argpartition(-scores, n - 1)[:n] if n < len(scores) else np.arange(len(scores))
        top = top[np.argsort(-scores[top], kind="stable")]
        return [(matrix.ids[i], float(scores[i])) for i in top]

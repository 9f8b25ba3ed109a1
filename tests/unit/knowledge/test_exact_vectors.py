"""The in-memory exact search used for small domains."""

from __future__ import annotations

import numpy as np

from mwo.knowledge.embeddings import Vectors
from mwo.knowledge.exact_vectors import ExactVectors


class _Store:
    """What Chroma would hand back for each domain; counts loads to show when matrices are reused."""

    def __init__(self, domains: dict[str, tuple[list[str], Vectors]]) -> None:
        self.domains = domains
        self.loads: list[str] = []

    def __call__(self, domain: str) -> tuple[list[str], Vectors]:
        self.loads.append(domain)
        return self.domains.get(domain, ([], np.zeros((0, 3), dtype=np.float32)))


def _rows(*vectors: list[float]) -> Vectors:
    return np.asarray(vectors, dtype=np.float32)


def test_search_ranks_by_cosine_and_normalises_stored_rows() -> None:
    # "far" is long but points away; "near" is short and points almost along the query.
    store = _Store({"d": (["far", "near", "mid"], _rows([10, 0, 0], [0, 0.1, 0.01], [0, 1, 1]))})
    exact = ExactVectors(store)
    hits = exact.search("d", np.asarray([0, 1, 0], dtype=np.float32), n=2)
    assert [cid for cid, _ in hits] == ["near", "mid"]
    assert abs(hits[0][1] - 0.1 / np.linalg.norm([0, 0.1, 0.01])) < 1e-6
    assert abs(hits[1][1] - 1 / np.sqrt(2)) < 1e-6


def test_asking_for_more_than_a_domain_holds_returns_all_and_empty_domains_nothing() -> None:
    store = _Store({"d": (["a", "b"], _rows([1, 0, 0], [0, 1, 0]))})
    exact = ExactVectors(store)
    assert [cid for cid, _ in exact.search("d", np.asarray([1, 0, 0], dtype=np.float32), n=10)] == ["a", "b"]
    assert exact.search("empty", np.asarray([1, 0, 0], dtype=np.float32), n=10) == []


def test_matrices_are_reused_until_the_generation_changes() -> None:
    store = _Store({"d": (["a"], _rows([1, 0, 0]))})
    exact = ExactVectors(store)
    query = np.asarray([1, 0, 0], dtype=np.float32)
    exact.sync(1)
    exact.search("d", query, 1)
    exact.search("d", query, 1)
    exact.sync(1)
    exact.search("d", query, 1)
    assert store.loads == ["d"]
    store.domains["d"] = (["a", "b"], _rows([1, 0, 0], [0.9, 0.1, 0]))
    exact.sync(2)  # a write happened: the old matrix must not answer
    assert [cid for cid, _ in exact.search("d", query, 5)] == ["a", "b"]
    assert store.loads == ["d", "d"]

"""Fusion: one ranking from the vector and the keyword (BM25) rankings.

Two functions, chosen by `MWO_KB_FUSION` (a `FusionMethod`):

- **rrf** (the default): reciprocal rank fusion adds 1 / (k + rank) from each list (`k = 60`,
  Cormack et al. 2009); no calibration, only ranks. Untuned, it had the better recall@5 over all
  353 labelled queries (bench/rag.py: 0.929 vs 0.918), and better or equal on each of the three
  sets written blind.
- **convex**: each side's scores are min-max normalised over its candidate pool and
  mixed as `w * vector + (1 - w) * keyword`, a chunk missing from one side scoring 0 there. Bruch
  et al. ("An Analysis of Fusion Functions for Hybrid Retrieval", ACM TOIS 2023) found it better
  than RRF in and out of domain, and it keeps *how much* better a side's first hit is: a chunk the
  vector side ranks first by a margin but BM25 never retrieved (no shared word, common in Korean
  paraphrases) stays on top instead of sinking below chunks both sides rank fifth. It orders the
  top better (MRR +0.03 to +0.05 on every set) but let more answers drop out of the top 5 on the
  blind sets, so it is the option, not the default.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum

from mwo.knowledge.keyword_index import KeywordHit
from mwo.knowledge.records import FoundBy
from mwo.knowledge.vector_index import VectorHit

RRF_K = 60
# Vector share of the convex mix, chosen on the tuned labelled set only (bench/data/rag_queries.yaml):
# 0.8 gave its best MRR with its best recall@5 there.
VECTOR_WEIGHT = 0.8


class FusionMethod(str, Enum):
    CONVEX = "convex"
    RRF = "rrf"


@dataclass(frozen=True)
class Fused:
    chunk_id: str
    score: float
    found_by: FoundBy
    vector_rank: int | None
    vector_score: float | None
    keyword_rank: int | None
    keyword_score: float | None


def _combine(
    vector: list[VectorHit], keyword: list[KeywordHit], score: Callable[[str, int | None, int | None], float]
) -> list[Fused]:
    """Every candidate of either side with both sides' rank and score, best `score` first."""
    v_rank = {h.chunk_id: (i + 1, h.score) for i, h in enumerate(vector)}
    k_rank = {h.chunk_id: (i + 1, h.score) for i, h in enumerate(keyword)}
    fused: list[Fused] = []
    for chunk_id in dict.fromkeys([*v_rank, *k_rank]):
        v = v_rank.get(chunk_id)
        kw = k_rank.get(chunk_id)
        found_by: FoundBy = "both" if v and kw else ("vector" if v else "keyword")
        fused.append(
            Fused(
                chunk_id,
                score(chunk_id, v[0] if v else None, kw[0] if kw else None),
                found_by,
                v[0] if v else None,
                v[1] if v else None,
                kw[0] if kw else None,
                kw[1] if kw else None,
            )
        )
    fused.sort(key=lambda f: f.score, reverse=True)
    return fused


def reciprocal_rank_fusion(
    vector: list[VectorHit],
    keyword: list[KeywordHit],
    k: int = RRF_K,
    vector_weight: float = 1.0,
    keyword_weight: float = 1.0,
) -> list[Fused]:
    """Fused list, best first; ranks are 1-based as in the RRF paper."""

    def score(_: str, v: int | None, kw: int | None) -> float:
        return (vector_weight / (k + v) if v else 0.0) + (keyword_weight / (k + kw) if kw else 0.0)

    return _combine(vector, keyword, score)


def _normalised(hits: list[VectorHit] | list[KeywordHit]) -> dict[str, float]:
    """Min-max over the candidate pool: the best hit 1, the worst 0; one hit (or a tie) scores 1."""
    if not hits:
        return {}
    low, high = min(h.score for h in hits), max(h.score for h in hits)
    return {h.chunk_id: (h.score - low) / (high - low) if high > low else 1.0 for h in hits}


def convex_fusion(
    vector: list[VectorHit], keyword: list[KeywordHit], vector_weight: float = VECTOR_WEIGHT
) -> list[Fused]:
    """Fused list, best first: `w * vector + (1 - w) * keyword` over min-max normalised scores."""
    v_norm, k_norm = _normalised(vector), _normalised(keyword)

    def score(chunk_id: str, _v: int | None, _kw: int | None) -> float:
        return vector_weight * v_norm.get(chunk_id, 0.0) + (1 - vector_weight) * k_norm.get(chunk_id, 0.0)

    return _combine(vector, keyword, score)


def fuse(vector: list[VectorHit], keyword: list[KeywordHit], method: FusionMethod) -> list[Fused]:
    """The configured fusion of one query's two candidate lists."""
    if method is FusionMethod.CONVEX:
        return convex_fusion(vector, keyword)
    return reciprocal_rank_fusion(vector, keyword)

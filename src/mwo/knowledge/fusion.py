"""Reciprocal rank fusion: one ranking from the vector and keyword rankings.

RRF adds 1 / (k + rank) from each list. It needs no score calibration (cosine similarities and
BM25 scores live on different scales) and rewards chunks both sides agree on. `k = 60` is the
value from Cormack et al. (2009) and works well without tuning.
"""

from __future__ import annotations

from dataclasses import dataclass

from mwo.knowledge.keyword_index import KeywordHit
from mwo.knowledge.records import FoundBy
from mwo.knowledge.vector_index import VectorHit

RRF_K = 60


@dataclass(frozen=True)
class Fused:
    chunk_id: str
    score: float
    found_by: FoundBy
    vector_rank: int | None
    vector_score: float | None
    keyword_rank: int | None
    keyword_score: float | None


def reciprocal_rank_fusion(
    vector: list[VectorHit],
    keyword: list[KeywordHit],
    k: int = RRF_K,
    vector_weight: float = 1.0,
    keyword_weight: float = 1.0,
) -> list[Fused]:
    """Fused list, best first; ranks are 1-based as in the RRF paper."""
    v_rank = {h.chunk_id: (i + 1, h.score) for i, h in enumerate(vector)}
    k_rank = {h.chunk_id: (i + 1, h.score) for i, h in enumerate(keyword)}
    fused: list[Fused] = []
    for chunk_id in dict.fromkeys([*v_rank, *k_rank]):
        v = v_rank.get(chunk_id)
        kw = k_rank.get(chunk_id)
        score = (vector_weight / (k + v[0]) if v else 0.0) + (keyword_weight / (k + kw[0]) if kw else 0.0)
        found_by: FoundBy = "both" if v and kw else ("vector" if v else "keyword")
        fused.append(
            Fused(
                chunk_id,
                score,
                found_by,
                v[0] if v else None,
                v[1] if v else None,
                kw[0] if kw else None,
                kw[1] if kw else None,
            )
        )
    fused.sort(key=lambda f: f.score, reverse=True)
    return fused

from __future__ import annotations

from mwo.knowledge.fusion import RRF_K, reciprocal_rank_fusion
from mwo.knowledge.keyword_index import KeywordHit
from mwo.knowledge.vector_index import VectorHit


def test_agreement_beats_a_single_first_place() -> None:
    vector = [VectorHit("a", 0.9), VectorHit("b", 0.8)]
    keyword = [KeywordHit("c", 12.0), KeywordHit("b", 9.0)]
    fused = reciprocal_rank_fusion(vector, keyword)
    assert [f.chunk_id for f in fused] == ["b", "a", "c"]
    b = fused[0]
    assert b.found_by == "both"
    assert (b.vector_rank, b.keyword_rank) == (2, 2)
    assert b.score == 2 / (RRF_K + 2)
    assert fused[1].found_by == "vector" and fused[1].keyword_rank is None
    assert fused[2].found_by == "keyword" and fused[2].keyword_score == 12.0


def test_empty_sides() -> None:
    assert reciprocal_rank_fusion([], []) == []
    only = reciprocal_rank_fusion([], [KeywordHit("x", 1.0)])
    assert [(f.chunk_id, f.found_by) for f in only] == [("x", "keyword")]

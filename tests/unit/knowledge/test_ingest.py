"""Loaders on small real files made here; OCR-free (OCR is in the integration tests)."""

from __future__ import annotations

from pathlib import Path

import pytest

from mwo.knowledge.errors import EmptyDocument, PasswordProtected, UnreadableDocument, UnsupportedFileType
from mwo.knowledge.ingest import Ocr, load_document
from mwo.knowledge.ingest.text_files import markdown_sections
from tests.knowledge_support import docx_file, text_pdf, xlsx_file

OCR = Ocr()


def test_markdown_sections_carry_breadcrumbs_and_ignore_hash_in_code() -> None:
    text = "# Title\n\nintro\n\n## Params\n\n```python\n# comment\n```\n\n### display\n\nmax 100\n"
    sections = markdown_sections(text, "Doc")
    assert [s.heading for s in sections] == [
        "Doc > Title",
        "Doc > Title > Params",
        "Doc > Title > Params > display",
    ]
    assert "# comment" in sections[1].text


def test_text_pdf_pages(tmp_path: Path) -> None:
    pdf = text_pdf(
        tmp_path / "guide.pdf", ["첫 페이지: 네이버 뉴스 검색 API 안내", "Second page: Kakao talk memo"]
    )
    loaded = load_document(pdf, OCR)
    assert loaded.kind == "pdf" and loaded.pages == 2 and loaded.ocr_pages == 0
    assert [s.page for s in loaded.sections] == [1, 2]
    assert "네이버 뉴스" in loaded.sections[0].text


def test_docx_paragraphs_and_tables(tmp_path: Path) -> None:
    path = docx_file(
        tmp_path / "memo.docx",
        "사내 규정",
        ["출장비는 매월 5일에 정산한다."],
        [["항목", "한도"], ["숙박", "10만원"]],
    )
    loaded = load_document(path, OCR)
    texts = "\n".join(s.text for s in loaded.sections)
    assert "출장비는 매월 5일에 정산한다." in texts
    assert "table 1 row 2: 항목: 숙박; 한도: 10만원" in texts
    assert loaded.sections[0].heading == "사내 규정"


def test_xlsx_rows_become_records(tmp_path: Path) -> None:
    path = xlsx_file(tmp_path / "grid.xlsx", [["지역", "nx", "ny"], ["서울", 60, 127], ["부산", 98, 76]])
    loaded = load_document(path, OCR)
    assert loaded.sections[0].text.splitlines() == [
        "지점 row 2: 지역: 서울; nx: 60; ny: 127",
        "지점 row 3: 지역: 부산; nx: 98; ny: 76",
    ]


def test_csv_in_cp949(tmp_path: Path) -> None:
    path = tmp_path / "sales.csv"
    path.write_bytes("지역,매출\n서울,100\n".encode("cp949"))
    assert load_document(path, OCR).sections[0].text == "sales row 2: 지역: 서울; 매출: 100"


def test_html_visible_text_only(tmp_path: Path) -> None:
    path = tmp_path / "page.html"
    path.write_text(
        "<html><head><title>T</title><script>var x=1</script></head><body><p>본문</p></body></html>"
    )
    loaded = load_document(path, OCR)
    assert loaded.title == "T" and loaded.sections[0].text == "본문"


def test_bad_files_give_typed_errors(tmp_path: Path) -> None:
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.7\nthis is not really a pdf")
    with pytest.raises(UnreadableDocument) as info:
        load_document(broken, OCR)
    assert info.value.fix

    renamed = tmp_path / "renamed.docx"
    renamed.write_text("plain text pretending")
    with pytest.raises(UnreadableDocument):
        load_document(renamed, OCR)

    encrypted_office = tmp_path / "secret.xlsx"
    encrypted_office.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512)
    with pytest.raises(PasswordProtected):
        load_document(encrypted_office, OCR)

    with pytest.raises(UnsupportedFileType):
        (tmp_path / "tool.exe").write_bytes(b"MZ")
        load_document(tmp_path / "tool.exe", OCR)

    empty = tmp_path / "empty.txt"
    empty.write_text("  \n")
    with pytest.raises(EmptyDocument):
        load_document(empty, OCR)


def test_password_protected_pdf(tmp_path: Path) -> None:
    from pypdf import PdfReader, PdfWriter

    plain = text_pdf(tmp_path / "plain.pdf", ["기밀 문서"])
    writer = PdfWriter()
    for page in PdfReader(str(plain)).pages:
        writer.add_page(page)
    writer.encrypt(user_password="1234", owner_password="owner")
    locked = tmp_path / "locked.pdf"
    with locked.open("wb") as handle:
        writer.write(handle)
    with pytest.raises(PasswordProtected):
        load_document(locked, OCR)

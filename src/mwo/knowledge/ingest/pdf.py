"""PDF: the text layer via pypdf; pages without one (scans) are rendered with PDFium and OCR'd."""

from __future__ import annotations

import tempfile
from pathlib import Path

from mwo.knowledge.chunking import Section
from mwo.knowledge.errors import KnowledgeError, PasswordProtected, UnreadableDocument
from mwo.knowledge.ingest.base import LoadedDocument
from mwo.knowledge.ingest.ocr import Ocr

MIN_TEXT_CHARS = 16  # fewer characters than this on a page: treat it as a scan
OCR_DPI = 300


def load_pdf(path: Path, ocr: Ocr) -> LoadedDocument:
    from pypdf import PdfReader
    from pypdf.errors import FileNotDecryptedError, PdfReadError

    try:
        reader = PdfReader(str(path))
        if reader.is_encrypted and not reader.decrypt(""):
            raise PasswordProtected(
                f"{path.name} is password-protected",
                "save an unprotected copy (print to PDF, or `qpdf --decrypt`) and add that",
            )
        texts = [page.extract_text() or "" for page in reader.pages]
        title = str(reader.metadata.get("/Title") or path.stem) if reader.metadata else path.stem
    except KnowledgeError:
        raise
    except FileNotDecryptedError as exc:
        raise PasswordProtected(f"{path.name} is password-protected", "add an unprotected copy") from exc
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as exc:
        raise UnreadableDocument(
            f"{path.name} is not a readable PDF ({type(exc).__name__}: {exc})",
            "re-export it as PDF, or check that the upload was complete",
        ) from exc

    sections: list[Section] = []
    ocr_pages = 0
    scans = [i for i, t in enumerate(texts) if len(t.strip()) < MIN_TEXT_CHARS]
    if scans:
        ocr_texts = _ocr_pages(path, scans, ocr)
        for i, text in ocr_texts.items():
            texts[i] = text
        ocr_pages = len(scans)
    for number, text in enumerate(texts, start=1):
        if text.strip():
            sections.append(Section(_tidy(text), page=number))
    return LoadedDocument("pdf", title, sections, pages=len(texts), ocr_pages=ocr_pages)


def _ocr_pages(path: Path, pages: list[int], ocr: Ocr) -> dict[int, str]:
    import pypdfium2 as pdfium

    try:
        document = pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError as exc:
        raise UnreadableDocument(
            f"{path.name}: scanned pages cannot be rendered: {exc}", "re-export the PDF"
        ) from exc
    out: dict[int, str] = {}
    try:
        with tempfile.TemporaryDirectory(prefix="mwo-ocr-") as tmp:
            for index in pages:
                image = document[index].render(scale=OCR_DPI / 72).to_pil()
                target = Path(tmp) / f"page-{index + 1}.png"
                image.save(target)
                out[index] = ocr.image_to_text(target)
    finally:
        document.close()
    return out


def _tidy(text: str) -> str:
    """pypdf gives one line per text line; keep paragraph breaks, drop trailing spaces."""
    return "\n".join(line.rstrip() for line in text.splitlines()).strip()

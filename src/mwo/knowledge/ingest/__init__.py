"""Loaders per file type: a file in, sections of text out (or a typed error); nothing is indexed here."""

from __future__ import annotations

from pathlib import Path

from mwo.knowledge.errors import EmptyDocument, UnreadableDocument, UnsupportedFileType
from mwo.knowledge.ingest.base import LoadedDocument
from mwo.knowledge.ingest.image import load_image
from mwo.knowledge.ingest.ocr import Ocr
from mwo.knowledge.ingest.office import load_csv, load_docx, load_xlsx
from mwo.knowledge.ingest.pdf import load_pdf
from mwo.knowledge.ingest.text_files import load_html, load_markdown, load_text

SUPPORTED = (
    ".txt",
    ".md",
    ".markdown",
    ".html",
    ".htm",
    ".pdf",
    ".docx",
    ".xlsx",
    ".xlsm",
    ".csv",
    ".png",
    ".jpg",
    ".jpeg",
    ".tif",
    ".tiff",
    ".bmp",
    ".webp",
)

__all__ = ["SUPPORTED", "LoadedDocument", "Ocr", "load_document"]


def load_document(path: Path, ocr: Ocr) -> LoadedDocument:
    """Read one file by its extension; raises a KnowledgeError subclass the user can act on."""
    if not path.is_file():
        raise UnreadableDocument(f"{path} does not exist or is not a file", "check the path")
    suffix = path.suffix.lower()
    if suffix in (".txt",):
        loaded = load_text(path)
    elif suffix in (".md", ".markdown"):
        loaded = load_markdown(path)
    elif suffix in (".html", ".htm"):
        loaded = load_html(path)
    elif suffix == ".pdf":
        loaded = load_pdf(path, ocr)
    elif suffix == ".docx":
        loaded = load_docx(path)
    elif suffix in (".xlsx", ".xlsm"):
        loaded = load_xlsx(path)
    elif suffix == ".csv":
        loaded = load_csv(path)
    elif suffix in (".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp", ".webp"):
        loaded = load_image(path, ocr)
    else:
        raise UnsupportedFileType(
            f"{path.name}: files of type {suffix or '(none)'} are not supported",
            "supported: " + " ".join(SUPPORTED) + " (older .doc/.xls: re-save as .docx/.xlsx)",
        )
    if not any(s.text.strip() for s in loaded.sections):
        raise EmptyDocument(
            f"{path.name} has no text to index" + (" (OCR found none either)" if loaded.ocr_pages else ""),
            "check the file has text; for scans, use a sharper image (300 dpi)",
        )
    return loaded

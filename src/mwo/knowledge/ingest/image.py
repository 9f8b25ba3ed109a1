"""Images (PNG, JPEG, ...): checked with Pillow, then OCR'd with Tesseract."""

from __future__ import annotations

from pathlib import Path

from mwo.knowledge.chunking import Section
from mwo.knowledge.errors import UnreadableDocument
from mwo.knowledge.ingest.base import LoadedDocument
from mwo.knowledge.ingest.ocr import Ocr


def load_image(path: Path, ocr: Ocr) -> LoadedDocument:
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as image:
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError) as exc:
        raise UnreadableDocument(
            f"{path.name} is not a readable image: {exc}", "re-save it as PNG or JPEG"
        ) from exc
    text = ocr.image_to_text(path)
    sections = [Section(text, page=1)] if text.strip() else []
    return LoadedDocument("image", path.stem, sections, pages=1, ocr_pages=1)

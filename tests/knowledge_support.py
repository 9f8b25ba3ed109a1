"""Shared by the knowledge tests: loaded models once per session, and small real files made on the spot."""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

KOREAN_FONT = Path("/usr/share/fonts/truetype/nanum/NanumGothic.ttf")


def korean_font_path() -> Path:
    if KOREAN_FONT.is_file():
        return KOREAN_FONT
    candidates = sorted(Path("/usr/share/fonts").rglob("Nanum*.ttf"))
    if not candidates:
        raise FileNotFoundError("no Korean font: install fonts-nanum (make setup does)")
    return candidates[0]


def render_text_png(path: Path, lines: list[str], size: int = 40) -> Path:
    """Black text on white at a size Tesseract reads reliably (about 300 dpi body text)."""
    font = ImageFont.truetype(str(korean_font_path()), size)
    width = max(int(font.getlength(line)) for line in lines) + 80
    height = len(lines) * int(size * 1.6) + 80
    image = Image.new("L", (width, height), 255)
    draw = ImageDraw.Draw(image)
    for i, line in enumerate(lines):
        draw.text((40, 40 + i * int(size * 1.6)), line, font=font, fill=0)
    image.save(path)
    return path


def text_pdf(path: Path, paragraphs: list[str]) -> Path:
    """A PDF with a real text layer in Korean and English (fpdf2 with an embedded Nanum font)."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_font("Nanum", "", str(korean_font_path()))
    pdf.set_font("Nanum", size=12)
    for paragraph in paragraphs:
        pdf.add_page()
        pdf.multi_cell(0, 8, paragraph)
    pdf.output(str(path))
    return path


def scanned_pdf(path: Path, image: Path) -> Path:
    """A PDF whose only page is an image: no text layer, so ingestion must OCR it."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.image(str(image), x=10, y=10, w=190)
    pdf.output(str(path))
    return path


def docx_file(path: Path, heading: str, paragraphs: list[str], table: list[list[str]] | None = None) -> Path:
    import docx

    document = docx.Document()
    document.add_heading(heading, level=1)
    for paragraph in paragraphs:
        document.add_paragraph(paragraph)
    if table:
        grid = document.add_table(rows=len(table), cols=len(table[0]))
        for r, row in enumerate(table):
            for c, value in enumerate(row):
                grid.cell(r, c).text = value
    document.save(str(path))
    return path


def xlsx_file(path: Path, rows: list[list[object]], sheet: str = "지점") -> Path:
    from openpyxl import Workbook

    workbook = Workbook()
    worksheet = workbook.active
    assert worksheet is not None
    worksheet.title = sheet
    for row in rows:
        worksheet.append(row)
    workbook.save(str(path))
    return path

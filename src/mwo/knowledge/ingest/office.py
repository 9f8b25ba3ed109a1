"""Word, Excel and CSV. Spreadsheet rows become readable records: "Sheet1 row 3: 지역: 서울; 기온: 21"."""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path
from typing import Any

from mwo.knowledge.chunking import Section
from mwo.knowledge.errors import UnreadableDocument
from mwo.knowledge.ingest.base import LoadedDocument, check_office_container, read_text_file


def load_docx(path: Path) -> LoadedDocument:
    check_office_container(path, "docx")
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(str(path))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise UnreadableDocument(
            f"{path.name} is not a readable DOCX file: {exc}", "re-save it in Word as .docx"
        ) from exc
    sections: list[Section] = []
    heading = ""
    body: list[str] = []
    for paragraph in document.paragraphs:
        text = paragraph.text.strip()
        style = (paragraph.style.name if paragraph.style is not None else "") or ""
        if style.lower().startswith(("heading", "title")) and text:
            if body:
                sections.append(Section("\n\n".join(body), heading=heading))
                body = []
            heading = text
        elif text:
            body.append(text)
    if body:
        sections.append(Section("\n\n".join(body), heading=heading))
    for number, table in enumerate(document.tables, start=1):
        rows = [[cell.text.strip() for cell in row.cells] for row in table.rows]
        records = _records(rows, f"table {number}")
        if records:
            sections.append(Section("\n".join(records), heading=heading, records=True))
    title = document.core_properties.title or path.stem
    return LoadedDocument("docx", title, sections)


def load_xlsx(path: Path) -> LoadedDocument:
    check_office_container(path, "xlsx")
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(str(path), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise UnreadableDocument(
            f"{path.name} is not a readable XLSX file: {exc}", "re-save it in Excel as .xlsx"
        ) from exc
    sections: list[Section] = []
    try:
        for sheet in workbook.worksheets:
            rows = [["" if v is None else _cell(v) for v in row] for row in sheet.iter_rows(values_only=True)]
            records = _records(rows, sheet.title)
            if records:
                sections.append(
                    Section("\n".join(records), heading=f"{path.stem} > {sheet.title}", records=True)
                )
    finally:
        workbook.close()
    return LoadedDocument("xlsx", path.stem, sections, pages=len(sections))


def load_csv(path: Path) -> LoadedDocument:
    text = read_text_file(path)
    try:
        dialect: Any = csv.Sniffer().sniff(text[:4096], delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel
    rows = [row for row in csv.reader(io.StringIO(text), dialect)]
    records = _records(rows, path.stem)
    sections = [Section("\n".join(records), heading=path.stem, records=True)] if records else []
    return LoadedDocument("csv", path.stem, sections)


def _cell(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _records(rows: list[list[str]], label: str) -> list[str]:
    """First non-empty row is the header; every later row becomes "label row n: header: value; ..."."""
    rows = [r for r in rows if any(c.strip() for c in r)]
    if not rows:
        return []
    header = [h.strip() or f"column {i + 1}" for i, h in enumerate(rows[0])]
    if len(rows) == 1:
        return [f"{label}: " + "; ".join(header)]
    out = []
    for number, row in enumerate(rows[1:], start=2):
        pairs = [
            f"{header[i] if i < len(header) else f'column {i + 1}'}: {v}"
            for i, v in enumerate(row)
            if v.strip()
        ]
        out.append(f"{label} row {number}: " + "; ".join(pairs))
    return out

"""What every loader returns, and the file-type checks shared by loaders."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from mwo.knowledge.chunking import Section
from mwo.knowledge.errors import PasswordProtected, UnreadableDocument

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGIC = b"PK\x03\x04"


@dataclass
class LoadedDocument:
    """A file turned into sections of text, before chunking; nothing is indexed yet."""

    kind: str
    title: str
    sections: list[Section]
    pages: int = 0
    ocr_pages: int = 0
    warnings: list[str] = field(default_factory=list)


def check_office_container(path: Path, kind: str) -> None:
    """DOCX/XLSX are zip files; an encrypted one is an OLE container instead (Office's encryption)."""
    head = path.read_bytes()[:8]
    if head.startswith(_OLE_MAGIC):
        raise PasswordProtected(
            f"{path.name} is a password-protected (encrypted) {kind.upper()} file",
            "open it in Office, remove the password (File > Info > Protect), save, and add it again",
        )
    if not head.startswith(_ZIP_MAGIC):
        raise UnreadableDocument(
            f"{path.name} is not a valid {kind.upper()} file (damaged, or another format renamed)",
            f"open and re-save it as .{kind}, or export it as PDF and add that",
        )


def read_text_file(path: Path) -> str:
    """UTF-8 (with or without BOM), falling back to CP949, which Korean Windows tools still write."""
    data = path.read_bytes()
    if b"\x00" in data[:4096]:
        raise UnreadableDocument(
            f"{path.name} looks binary, not text", "add it with its real extension (.pdf, .docx, ...)"
        )
    for encoding in ("utf-8-sig", "cp949"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise UnreadableDocument(
        f"{path.name} is neither UTF-8 nor CP949 text", "save it as UTF-8 and add it again"
    )

"""The catalog: which documents the knowledge base holds and the text of every chunk (SQLite).

It is the source of truth the two indexes are derived from: the keyword index is rebuilt from the
stored tokens, and a document is only listed here once both indexes have it. A `generation`
counter changes with every write, so another process notices it must reload its keyword index.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from mwo.knowledge.records import Chunk, DocumentRecord

_SCHEMA = """
CREATE TABLE IF NOT EXISTS documents (
    doc_id TEXT PRIMARY KEY, domain TEXT NOT NULL, source TEXT NOT NULL, title TEXT NOT NULL,
    sha256 TEXT NOT NULL, chunks INTEGER NOT NULL, kind TEXT NOT NULL, added_at TEXT NOT NULL,
    pack TEXT, pack_version TEXT, pages INTEGER NOT NULL DEFAULT 0, ocr_pages INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS documents_sha ON documents (sha256, domain);
CREATE TABLE IF NOT EXISTS chunks (
    id TEXT PRIMARY KEY, doc_id TEXT NOT NULL, domain TEXT NOT NULL, ordinal INTEGER NOT NULL,
    page INTEGER, text TEXT NOT NULL, tokens TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS chunks_doc ON chunks (doc_id);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""

_DOC_COLUMNS = (
    "doc_id, domain, source, title, sha256, chunks, kind, added_at, pack, pack_version, pages, ocr_pages"
)


class Catalog:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(str(path), check_same_thread=False, timeout=30)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.executescript(_SCHEMA)

    def close(self) -> None:
        self._db.close()

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        with self._db:
            yield self._db
            self._db.execute(
                "INSERT INTO meta (key, value) VALUES ('generation', '1') ON CONFLICT(key) "
                "DO UPDATE SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT)"
            )

    def generation(self) -> int:
        row = self._db.execute("SELECT value FROM meta WHERE key = 'generation'").fetchone()
        return int(row[0]) if row else 0

    def get_meta(self, key: str) -> str | None:
        row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return str(row[0]) if row else None

    def set_meta(self, key: str, value: str) -> None:
        with self._db:
            self._db.execute(
                "INSERT INTO meta (key, value) VALUES (?, ?) "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                (key, value),
            )

    # documents ------------------------------------------------------------------------------------
    def add_document(self, record: DocumentRecord, chunks: list[Chunk], tokens: list[list[str]]) -> None:
        with self._tx() as db:
            db.execute(
                f"INSERT INTO documents ({_DOC_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    record.doc_id,
                    record.domain,
                    record.source,
                    record.title,
                    record.sha256,
                    record.chunks,
                    record.kind,
                    record.added_at,
                    record.pack,
                    record.pack_version,
                    record.pages,
                    record.ocr_pages,
                ),
            )
            db.executemany(
                "INSERT INTO chunks (id, doc_id, domain, ordinal, page, text, tokens) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                [
                    (c.id, c.doc_id, c.domain, c.ordinal, c.page, c.text, " ".join(t))
                    for c, t in zip(chunks, tokens, strict=True)
                ],
            )

    def remove_document(self, doc_id: str) -> None:
        with self._tx() as db:
            db.execute("DELETE FROM chunks WHERE doc_id = ?", (doc_id,))
            db.execute("DELETE FROM documents WHERE doc_id = ?", (doc_id,))

    def clear(self) -> None:
        with self._tx() as db:
            db.execute("DELETE FROM chunks")
            db.execute("DELETE FROM documents")

    def document(self, doc_id: str) -> DocumentRecord | None:
        row = self._db.execute(f"SELECT {_DOC_COLUMNS} FROM documents WHERE doc_id = ?", (doc_id,)).fetchone()
        return DocumentRecord(*row) if row else None

    def find_by_hash(self, sha256: str) -> DocumentRecord | None:
        row = self._db.execute(
            f"SELECT {_DOC_COLUMNS} FROM documents WHERE sha256 = ? AND pack IS NULL", (sha256,)
        ).fetchone()
        return DocumentRecord(*row) if row else None

    def documents(self, domain: str | None = None) -> list[DocumentRecord]:
        if domain is None:
            rows = self._db.execute(
                f"SELECT {_DOC_COLUMNS} FROM documents ORDER BY domain, source"
            ).fetchall()
        else:
            rows = self._db.execute(
                f"SELECT {_DOC_COLUMNS} FROM documents WHERE domain = ? ORDER BY source", (domain,)
            ).fetchall()
        return [DocumentRecord(*r) for r in rows]

    def pack_documents(self, pack: str) -> dict[str, DocumentRecord]:
        rows = self._db.execute(f"SELECT {_DOC_COLUMNS} FROM documents WHERE pack = ?", (pack,)).fetchall()
        return {r[0]: DocumentRecord(*r) for r in rows}

    # chunks ---------------------------------------------------------------------------------------
    def chunks(self, ids: list[str]) -> dict[str, Chunk]:
        out: dict[str, Chunk] = {}
        for start in range(0, len(ids), 500):
            part = ids[start : start + 500]
            marks = ",".join("?" * len(part))
            rows = self._db.execute(
                "SELECT c.id, c.doc_id, c.domain, c.text, d.source, d.title, c.page, c.ordinal "
                f"FROM chunks c JOIN documents d ON d.doc_id = c.doc_id WHERE c.id IN ({marks})",
                part,
            ).fetchall()
            out.update({r[0]: Chunk(*r) for r in rows})
        return out

    def all_tokens(self) -> Iterator[tuple[str, str, str]]:
        """(chunk id, domain, space-joined tokens) of every chunk, for rebuilding the keyword index."""
        yield from self._db.execute("SELECT id, domain, tokens FROM chunks ORDER BY rowid")

    def chunk_counts(self) -> dict[str, int]:
        return dict(self._db.execute("SELECT domain, COUNT(*) FROM chunks GROUP BY domain").fetchall())

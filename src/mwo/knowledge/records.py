"""The plain records the knowledge base hands out: chunks, passages, domain matches, documents."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

FoundBy = Literal["vector", "keyword", "both"]


@dataclass(frozen=True)
class Chunk:
    """One indexed piece of a document; `id` is stable (document id + ordinal)."""

    id: str
    doc_id: str
    domain: str
    text: str
    source: str
    title: str
    page: int | None = None
    ordinal: int = 0


@dataclass(frozen=True)
class Passage:
    """A retrieved chunk with how it was found: fused score and each side's rank and score."""

    chunk_id: str
    doc_id: str
    domain: str
    text: str
    source: str
    title: str
    page: int | None
    score: float
    found_by: FoundBy
    vector_rank: int | None = None
    vector_score: float | None = None
    keyword_rank: int | None = None
    keyword_score: float | None = None


@dataclass(frozen=True)
class DomainMatch:
    """A domain the request is about, with a confidence in [0, 1] and the evidence."""

    domain: str
    confidence: float
    keywords: list[str] = field(default_factory=list)
    similarity: float = 0.0


@dataclass
class DocumentRecord:
    """A document in the catalog: where it came from, its content hash and its chunks."""

    doc_id: str
    domain: str
    source: str
    title: str
    sha256: str
    chunks: int
    kind: str
    added_at: str
    pack: str | None = None
    pack_version: str | None = None
    pages: int = 0
    ocr_pages: int = 0


@dataclass(frozen=True)
class AddResult:
    """What `add` did: `status` is added or duplicate (then `document` is the one already indexed)."""

    status: Literal["added", "duplicate"]
    document: DocumentRecord
    seconds: float = 0.0

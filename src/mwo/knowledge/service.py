"""`KnowledgeService`: the one object authoring, the CLI, the API and the UI ask for knowledge.

It owns the loaded models (embedder, Kiwi), the catalog and both indexes, under
`$MWO_HOME/knowledge`. Writes are all-or-nothing per document: a file is loaded, chunked,
tokenised and embedded entirely in memory first, and only then written to the vector index and the
catalog (the vector rows are deleted again if the catalog write fails), so a bad file never leaves
half a document behind.
"""

from __future__ import annotations

import hashlib
import re
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Literal

import numpy as np

from mwo.clock import utc_now
from mwo.knowledge.catalog import Catalog
from mwo.knowledge.chunking import Chunker
from mwo.knowledge.domains import DomainDetector
from mwo.knowledge.embeddings import (
    CachedEmbedder,
    Embedder,
    Vectors,
    embedder_from_settings,
    load_vector_file,
)
from mwo.knowledge.errors import EmbeddingMismatch, InvalidDomain, UnknownDocument
from mwo.knowledge.fusion import FusionMethod, fuse
from mwo.knowledge.ingest import LoadedDocument, Ocr, load_document
from mwo.knowledge.keyword_index import KeywordIndex
from mwo.knowledge.packs import PACK_VECTORS, Pack, PackDocument, load_pack_document, shipped_packs
from mwo.knowledge.records import AddResult, Chunk, DocumentRecord, DomainMatch, Passage
from mwo.knowledge.text import KoreanText
from mwo.knowledge.vector_index import VectorIndex
from mwo.settings import KbSettings, Settings

Progress = Callable[[str, int, int], None]
SearchMode = Literal["hybrid", "vector", "keyword"]
COMMON = "common"
DOMAIN_PATTERN = re.compile(r"^[a-z](?:[a-z0-9_-]{0,38}[a-z0-9])?$")  # also a valid Chroma name
EMBED_BATCH = 32
# Embedding the question is most of a query's cost (about 1 ms a token); callers often ask about the
# same text twice in a row (`detect_domains`, then `retrieve`), so the last few are remembered.
QUERY_VECTORS_KEPT = 256
# Candidates each side hands to fusion. Convex fusion normalises scores over this pool, so it is
# fixed rather than derived from k: asking for the top 5 or the top 10 ranks them the same way.
CANDIDATES = 40


def _no_progress(stage: str, done: int, total: int) -> None:
    return None


@dataclass
class InitReport:
    """What `init` did to the shipped packs' documents (doc ids), and how long it took."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: int = 0
    seconds: float = 0.0


@dataclass(frozen=True)
class DomainInfo:
    """One domain as `domains()` lists it: a shipped pack's, or one only uploads have (`user`)."""

    domain: str
    title: str
    origin: Literal["pack", "user"]
    pack_version: str | None
    documents: int
    chunks: int
    description: str = ""


class KnowledgeService:
    """The knowledge base of one MWO home. Calls are not synchronised: threads share one behind a lock
    (the API does). Several processes may share a home: what is cached (domain sizes, user domains)
    is keyed by the catalog's generation, so another process's writes are seen.

    `add` and `retrieve` first index the shipped packs when this home lacks the current ones
    (`ensure_ready`), which takes a while on first use. Errors are KnowledgeErrors with a fix;
    EmbeddingMismatch when the home was built with another embedding model than the configured one."""

    def __init__(
        self,
        settings: KbSettings,
        embedder: Embedder | None = None,
        packs: list[Pack] | None = None,
        text: KoreanText | None = None,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        """`settings`: the knowledge part of MWO's settings (`Settings.kb`); its `knowledge_dir` is
        created if missing. `embedder`, `packs` and `text` default to the configured ones (tests share
        loaded models). `clock` stamps each document's `added_at`. Nothing is indexed here."""
        self.settings = settings
        self._clock = clock
        self.root = settings.knowledge_dir
        self.root.mkdir(parents=True, exist_ok=True)
        self.text = text or KoreanText()
        self.embedder = embedder or _default_embedder(settings)
        self.catalog = Catalog(self.root / "catalog.db")
        self.vectors = VectorIndex(self.root / "chroma", self.embedder)
        self.keywords = KeywordIndex(self.catalog, self.text)
        self.chunker = Chunker(self.text, settings.chunk_chars)
        self.ocr = Ocr(settings.tesseract_cmd, settings.ocr_languages, settings.ocr_psm)
        self.packs = packs if packs is not None else shipped_packs()
        self.detector = DomainDetector([p.profile for p in self.packs], self.embedder, always=COMMON)
        self._user_domains_cache: tuple[int, list[str]] | None = None
        self._sizes_cache: tuple[int, dict[str, int]] | None = None
        self._query_vectors: OrderedDict[str, Vectors] = OrderedDict()

    @classmethod
    def open(cls, settings: Settings | None = None) -> KnowledgeService:
        """The knowledge base MWO's settings describe (None: read them from the environment)."""
        return cls((settings or Settings()).kb)

    def close(self) -> None:
        """Close the catalog; the service is unusable afterwards."""
        self.catalog.close()

    # packs ---------------------------------------------------------------------------------------
    def _packs_fingerprint(self) -> str:
        parts = [f"{p.domain}@{p.version}:{d.name}:{d.sha256}" for p in self.packs for d in p.documents]
        return hashlib.sha256("\n".join([self.embedder.model_id, *parts]).encode()).hexdigest()

    def _check_model(self) -> None:
        recorded = self.catalog.get_meta("embedding_model")
        if recorded is not None and recorded != self.embedder.model_id:
            raise EmbeddingMismatch(
                f"the knowledge base was built with {recorded!r}, "
                f"the configured model is {self.embedder.model_id!r}",
                "set MWO_KB_EMBEDDING_* back, or run `mwo kb init --rebuild` to re-embed everything",
            )

    def is_initialised(self) -> bool:
        """Whether this home has indexed exactly the shipped packs' current documents with the
        configured embedding model (a cheap catalog read)."""
        return self.catalog.get_meta("packs_fingerprint") == self._packs_fingerprint()

    def ensure_ready(self, progress: Progress = _no_progress) -> InitReport | None:
        """Index the shipped packs if this home has not got the current ones yet (first use)."""
        return None if self.is_initialised() else self.init(progress=progress)

    def init(self, rebuild: bool = False, progress: Progress = _no_progress) -> InitReport:
        """Bring the shipped packs up to date: index new and changed documents, drop vanished ones.

        Uploaded documents are kept, except with `rebuild`, which empties both indexes and the catalog
        first (uploads must be added again): the way to a new embedding model. Without `rebuild`,
        EmbeddingMismatch when the home was built with another model. `progress(stage, done, total)`
        is called while documents are embedded."""
        started = time.perf_counter()
        report = InitReport()
        if rebuild:
            self.vectors.drop_all()
            self.catalog.clear()
            self.catalog.set_meta("packs_fingerprint", "")
        else:
            self._check_model()
        self.catalog.set_meta("embedding_model", self.embedder.model_id)
        for pack in self.packs:
            present = self.catalog.pack_documents(pack.domain)
            wanted = {self._pack_doc_id(pack, d): d for d in pack.documents}
            for doc_id in sorted(set(present) - set(wanted)):
                self._drop(present[doc_id])
                report.removed.append(doc_id)
            for doc_id, document in wanted.items():
                old = present.get(doc_id)
                if old is not None and old.sha256 == document.sha256:
                    report.unchanged += 1
                    continue
                if old is not None:
                    self._drop(old)
                self._index_pack_document(pack, doc_id, document, progress)
                (report.updated if old is not None else report.added).append(doc_id)
        self.catalog.set_meta("packs_fingerprint", self._packs_fingerprint())
        report.seconds = time.perf_counter() - started
        return report

    @staticmethod
    def _pack_doc_id(pack: Pack, document: PackDocument) -> str:
        return f"{pack.domain}:{Path(document.name).stem}"

    def _index_pack_document(
        self, pack: Pack, doc_id: str, document: PackDocument, progress: Progress
    ) -> None:
        loaded = load_pack_document(document.path)
        self._index(
            loaded,
            DocumentRecord(
                doc_id=doc_id,
                domain=pack.domain,
                source=document.source,
                title=document.title,
                sha256=document.sha256,
                chunks=0,
                kind="pack",
                added_at=self._stamp(),
                pack=pack.domain,
                pack_version=pack.version,
            ),
            progress,
        )

    def _stamp(self) -> str:
        return self._clock().isoformat(timespec="seconds")

    # documents -------------------------------------------------------------------------------------
    def add(self, path: Path, domain: str | None = None, progress: Progress = _no_progress) -> AddResult:
        """Ingest one file into `domain`, or (None) the best detected domain when its confidence
        reaches `detect_threshold`, else `common`; all or nothing (module docstring).

        A file whose content (sha256) is already indexed is not added twice: status `duplicate` with
        the document already there. The doc id is `<domain>:<file stem>-<sha256[:8]>`. InvalidDomain
        for a malformed domain name (before the file is read); UnsupportedFileType, UnreadableDocument,
        PasswordProtected, EmptyDocument or OcrUnavailable for a file that cannot be read."""
        started = time.perf_counter()
        self.ensure_ready(progress)
        if domain is not None and not DOMAIN_PATTERN.match(domain):
            raise InvalidDomain(
                f"domain {domain!r} is not a valid name",
                "use lower-case letters, digits, - or _, e.g. finance",
            )
        path = Path(path)
        sha = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else ""
        duplicate = self.catalog.find_by_hash(sha) if sha else None
        if duplicate is not None:
            return AddResult("duplicate", duplicate, time.perf_counter() - started)
        progress("reading", 0, 1)
        loaded = load_document(path, self.ocr)
        progress("reading", 1, 1)
        if domain is None:
            sample = loaded.title + "\n" + "\n".join(s.text for s in loaded.sections)[:2000]
            matches = self.detect_domains(sample)
            top = matches[0] if matches else None
            domain = top.domain if top and top.confidence >= self.settings.detect_threshold else COMMON
        slug = re.sub(r"[^0-9A-Za-z가-힣_-]+", "-", path.stem).strip("-")[:60] or "document"
        record = DocumentRecord(
            doc_id=f"{domain}:{slug}-{sha[:8]}",
            domain=domain,
            source=str(path.resolve()),
            title=loaded.title,
            sha256=sha,
            chunks=0,
            kind=loaded.kind,
            added_at=self._stamp(),
            pages=loaded.pages,
            ocr_pages=loaded.ocr_pages,
        )
        self._index(loaded, record, progress)
        return AddResult("added", record, time.perf_counter() - started)

    def _index(self, loaded: LoadedDocument, record: DocumentRecord, progress: Progress) -> None:
        pieces = self.chunker.split(loaded.sections)
        chunks = [
            Chunk(
                f"{record.doc_id}#{i}",
                record.doc_id,
                record.domain,
                p.text,
                record.source,
                record.title,
                p.page,
                i,
            )
            for i, p in enumerate(pieces)
        ]
        texts = [c.text for c in chunks]
        tokens = self.text.keyword_tokens_many(texts)
        rows = []
        for start in range(0, len(texts), EMBED_BATCH):
            progress(f"embedding {record.doc_id}", start, len(texts))
            rows.append(self.embedder.embed_passages(texts[start : start + EMBED_BATCH]))
        progress(f"embedding {record.doc_id}", len(texts), len(texts))
        vectors = np.vstack(rows) if rows else np.zeros((0, self.embedder.dim), dtype=np.float32)
        record.chunks = len(chunks)
        try:
            self.vectors.add(chunks, vectors)
            self.catalog.add_document(record, chunks, tokens)
        except BaseException:
            self.vectors.delete_document(record.domain, record.doc_id)
            raise

    def _drop(self, record: DocumentRecord) -> None:
        self.vectors.delete_document(record.domain, record.doc_id)
        self.catalog.remove_document(record.doc_id)

    def remove(self, doc_id: str) -> DocumentRecord:
        """Drop one document (uploaded or from a pack) from both indexes and the catalog; returns it.
        UnknownDocument for an id not in the catalog. A removed pack document comes back with `init`."""
        record = self.catalog.document(doc_id)
        if record is None:
            raise UnknownDocument(
                f"no document {doc_id!r} in the knowledge base", "see `mwo kb stats --json` for ids"
            )
        self._drop(record)
        return record

    def documents(self, domain: str | None = None) -> list[DocumentRecord]:
        """Indexed documents (packs' and uploads) of one domain or all, by domain, then source."""
        return self.catalog.documents(domain)

    # questions -------------------------------------------------------------------------------------
    def query_vector(self, text: str) -> Vectors:
        """The embedded question, remembered for the next few calls with the same text."""
        vector = self._query_vectors.get(text)
        if vector is None:
            vector = self.embedder.embed_queries([text])[0]
            self._query_vectors[text] = vector
            if len(self._query_vectors) > QUERY_VECTORS_KEPT:
                self._query_vectors.popitem(last=False)
        else:
            self._query_vectors.move_to_end(text)
        return vector

    def forget_query_vectors(self) -> None:
        """Embed every question afresh from now on (benchmarks measure cold queries this way)."""
        self._query_vectors.clear()

    def detect_domains(self, text: str) -> list[DomainMatch]:
        """Every pack domain (common excluded: it is always searched), best first, with its confidence
        in [0, 1]; compare it with `detect_threshold` to call a domain detected."""
        return self.detector.detect(text, self.query_vector(text))

    def _domain_sizes(self, generation: int) -> dict[str, int]:
        """Chunks per domain, re-counted only when the catalog changed."""
        if self._sizes_cache is None or self._sizes_cache[0] != generation:
            self._sizes_cache = (generation, self.catalog.chunk_counts())
        return self._sizes_cache[1]

    def _user_domains(self) -> list[str]:
        """Domains of uploaded documents, re-read only when the catalog changed (it is a full scan)."""
        generation = self.catalog.generation()
        if self._user_domains_cache is None or self._user_domains_cache[0] != generation:
            packed = {p.domain for p in self.packs}
            domains = {d.domain for d in self.catalog.documents()} - packed
            self._user_domains_cache = (generation, sorted(domains))
        return self._user_domains_cache[1]

    def search_domains(self, text: str, matches: list[DomainMatch] | None = None) -> list[str]:
        """Detected domains + common + user domains; every domain when nothing is detected."""
        matches = matches if matches is not None else self.detect_domains(text)
        chosen = [m.domain for m in matches if m.confidence >= self.settings.detect_threshold]
        if not chosen:
            chosen = [m.domain for m in matches]
        return [*chosen, COMMON, *self._user_domains()]

    def retrieve(
        self, text: str, k: int = 5, domains: list[str] | None = None, mode: SearchMode = "hybrid"
    ) -> list[Passage]:
        """The k passages that best answer `text`, best first, over `domains` (None: `search_domains`,
        the detected ones plus common and the user domains). `mode` hybrid fuses the vector and BM25
        rankings by `fusion`; vector or keyword uses one side only. Fewer than k when fewer match.
        Each passage says which side found it and its rank and score there."""
        self.ensure_ready()
        query = self.query_vector(text)
        if domains is None:
            domains = self.search_domains(text, self.detector.detect(text, query))
        pool = max(4 * k, CANDIDATES)
        generation = self.catalog.generation()
        self.vectors.sync(generation)
        sizes = self._domain_sizes(generation)
        vector_hits = self.vectors.query(query, domains, pool, sizes) if mode != "keyword" else []
        keyword_hits = self.keywords.query(text, domains, pool) if mode != "vector" else []
        fused = fuse(vector_hits, keyword_hits, FusionMethod(self.settings.fusion))[:k]
        chunks = self.catalog.chunks([f.chunk_id for f in fused])
        passages = []
        for f in fused:
            chunk = chunks.get(f.chunk_id)
            if chunk is None:  # indexed by another process a moment ago and removed since
                continue
            passages.append(
                Passage(
                    chunk.id,
                    chunk.doc_id,
                    chunk.domain,
                    chunk.text,
                    chunk.source,
                    chunk.title,
                    chunk.page,
                    round(f.score, 6),
                    f.found_by,
                    f.vector_rank,
                    None if f.vector_score is None else round(f.vector_score, 4),
                    f.keyword_rank,
                    None if f.keyword_score is None else round(f.keyword_score, 4),
                )
            )
        return passages

    # overview --------------------------------------------------------------------------------------
    def domains(self) -> list[DomainInfo]:
        """The packs' domains in pack order, then the user domains (only uploads in them) by name."""
        counts = self.catalog.chunk_counts()
        docs: dict[str, int] = {}
        for record in self.catalog.documents():
            docs[record.domain] = docs.get(record.domain, 0) + 1
        out = [
            DomainInfo(
                p.domain,
                p.profile.title,
                "pack",
                p.version,
                docs.get(p.domain, 0),
                counts.get(p.domain, 0),
                p.profile.description,
            )
            for p in self.packs
        ]
        out += [
            DomainInfo(d, d, "user", None, docs.get(d, 0), counts.get(d, 0)) for d in self._user_domains()
        ]
        return out

    def stats(self) -> dict[str, object]:
        """The figures `mwo kb stats --json` prints (a contract: keys only added): where the base is,
        the embedding model and its size, whether the packs are indexed, the counts, every domain
        (`DomainInfo` fields) and the uploaded documents."""
        documents = self.catalog.documents()
        return {
            "path": str(self.root),
            "embedding_model": self.embedder.model_id,
            "dim": self.embedder.dim,
            "initialised": self.is_initialised(),
            "documents": len(documents),
            "chunks": sum(self.catalog.chunk_counts().values()),
            "domains": [d.__dict__ for d in self.domains()],
            "user_documents": [
                {
                    "doc_id": d.doc_id,
                    "domain": d.domain,
                    "title": d.title,
                    "kind": d.kind,
                    "chunks": d.chunks,
                    "source": d.source,
                    "added_at": d.added_at,
                }
                for d in documents
                if d.pack is None
            ],
        }


def _default_embedder(settings: KbSettings) -> Embedder:
    """The configured embedder, answering the shipped packs' texts from their precomputed vectors."""
    inner = embedder_from_settings(settings)
    return CachedEmbedder(inner, load_vector_file(PACK_VECTORS, inner.model_id), remember=False)

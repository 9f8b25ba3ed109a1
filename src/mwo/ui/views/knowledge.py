"""Knowledge base: domains with their document counts, adding documents (PDF, Word, Excel, images,
text) with progress, and a search tester showing the fused ranking and which side (vector, keyword)
found each passage, as `mwo kb search` does."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import TYPE_CHECKING, Any

import streamlit as st

from mwo.ui.components import guarded
from mwo.ui.state import UiContext, context, tr

if TYPE_CHECKING:
    from mwo.knowledge import KnowledgeService

UPLOAD_TYPES = ["pdf", "docx", "xlsx", "xls", "csv", "png", "jpg", "jpeg", "txt", "md", "html"]


def render() -> None:
    st.title(tr("kb.title"))
    ctx = context()
    with guarded():
        with st.spinner(tr("kb.loading")):
            kb = ctx.knowledge()
        _domains(kb)
        _upload(ctx, kb)
        _search(kb)


def _progress_bar() -> Any:
    bar = st.progress(0.0)

    def update(stage: str, done: int, total: int) -> None:
        bar.progress(
            min(1.0, done / total) if total else 1.0,
            text=tr("kb.progress", stage=stage, done=done, total=total),
        )

    return update


def _domains(kb: KnowledgeService) -> None:
    st.subheader(tr("kb.domains"))
    figures = kb.stats()
    st.caption(
        tr(
            "kb.stats",
            documents=figures["documents"],
            chunks=figures["chunks"],
            model=figures["embedding_model"],
        )
    )
    if not kb.is_initialised():
        st.info(tr("kb.not_ready"))
        if st.button(tr("kb.init"), key="kb.init"):
            kb.ensure_ready(_progress_bar())
            st.rerun()
    st.dataframe(
        [
            {
                tr("kb.col.domain"): d.domain,
                tr("kb.col.title"): d.title,
                tr("kb.col.origin"): d.origin,
                tr("kb.col.documents"): d.documents,
                tr("kb.col.chunks"): d.chunks,
            }
            for d in kb.domains()
        ],
        hide_index=True,
        width="stretch",
    )


def _upload(ctx: UiContext, kb: KnowledgeService) -> None:
    st.subheader(tr("kb.upload"))
    with st.form("kb.upload_form", clear_on_submit=True):
        files = st.file_uploader(
            tr("kb.upload"), type=UPLOAD_TYPES, accept_multiple_files=True, help=tr("kb.upload_help")
        )
        domain = st.text_input(tr("kb.upload_domain"))
        submitted = st.form_submit_button(tr("kb.upload_go"), type="primary")
    if not submitted or not files:
        return
    uploads = ctx.settings.resolved_knowledge_dir() / "uploads"
    uploads.mkdir(parents=True, exist_ok=True)
    for file in files:
        with guarded():
            data = file.getvalue()
            # the file keeps its name (the source people see) under a folder named by its content
            folder = uploads / hashlib.sha256(data).hexdigest()[:16]
            folder.mkdir(exist_ok=True)
            path = folder / Path(file.name).name
            path.write_bytes(data)
            result = kb.add(path, domain=domain.strip() or None, progress=_progress_bar())
            doc = result.document
            if result.status == "duplicate":
                st.warning(tr("kb.duplicate", file=file.name))
            else:
                st.success(tr("kb.added", file=file.name, domain=doc.domain, chunks=doc.chunks))


def _search(kb: KnowledgeService) -> None:
    st.subheader(tr("kb.search"))
    with st.form("kb.search_form"):
        query = st.text_input(tr("kb.query"), key="kb.query")
        left, right = st.columns(2)
        mode = left.selectbox(tr("kb.mode"), ["hybrid", "vector", "keyword"], key="kb.mode")
        k = right.number_input(tr("kb.k"), min_value=1, max_value=20, value=5, key="kb.k")
        submitted = st.form_submit_button(tr("kb.search_go"), type="primary")
    if not submitted or not query.strip():
        return
    kb.ensure_ready(_progress_bar())
    matches = kb.detect_domains(query)
    searched = kb.search_domains(query, matches)
    detected = [m.domain for m in matches if m.confidence >= kb.settings.detect_threshold]
    passages = kb.retrieve(query, k=int(k), domains=searched, mode=mode or "hybrid")  # type: ignore[arg-type]
    st.caption(
        tr("kb.detected", domains=", ".join(detected) or tr("common.none"), searched=", ".join(searched))
    )
    if not passages:
        st.info(tr("kb.no_hits"))
        return
    st.dataframe(
        [
            {
                tr("kb.col.rank"): rank,
                tr("kb.col.title"): p.title,
                tr("kb.col.domain"): p.domain,
                tr("kb.col.found_by"): p.found_by,
                tr("kb.col.score"): round(p.score, 4),
                tr("kb.col.vector_rank"): p.vector_rank,
                tr("kb.col.keyword_rank"): p.keyword_rank,
            }
            for rank, p in enumerate(passages, start=1)
        ],
        hide_index=True,
        width="stretch",
    )
    for rank, p in enumerate(passages, start=1):
        where = p.source + (f" (p. {p.page})" if p.page else "")
        with st.expander(f"{rank}. {p.title} · {p.found_by}"):
            st.caption(f"{tr('kb.col.source')}: {where}")
            st.text(p.text)


render()

"""`/knowledge`: search the knowledge base and add documents to it, as `mwo kb search|add` do.

The knowledge base (embedding model, vector and keyword indexes) is opened on the first request
that needs it, not when the app starts, and is used by one request at a time: its indexes are
single-writer files, and a search is CPU-bound anyway. It is closed when the app shuts down.
"""

from __future__ import annotations

import hashlib
import re
import threading
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

from fastapi import APIRouter, Depends, FastAPI, File, Form, Query, Request, Response, UploadFile
from starlette.concurrency import run_in_threadpool

from mwo.api.context import READ, WRITE, AppServices
from mwo.api.models import ApiModel
from mwo.api.problems import Problem
from mwo.knowledge.records import AddResult, DomainMatch, Passage
from mwo.settings import Settings

if TYPE_CHECKING:
    from mwo.knowledge import KnowledgeService

UPLOAD_MAX_BYTES = 50 * 1024 * 1024
_CHUNK = 1024 * 1024
_SAFE_NAME = re.compile(r"[^0-9A-Za-z가-힣._-]+")


class SearchResult(ApiModel):
    query: str
    mode: str
    domains: list[str]
    detected: list[DomainMatch]
    passages: list[Passage]


class Added(ApiModel):
    """What adding one file did (`duplicate`: the same content was already indexed)."""

    result: AddResult


class KnowledgeHandle:
    """The lazily opened knowledge base of one app, used under a lock."""

    def __init__(self, open_service: Callable[[], KnowledgeService]) -> None:
        self._open = open_service
        self._service: KnowledgeService | None = None
        self._lock = threading.Lock()

    @contextmanager
    def use(self) -> Iterator[KnowledgeService]:
        """The service, opened on first use; its KnowledgeErrors answer as api/errors.py maps them."""
        with self._lock:
            if self._service is None:
                self._service = self._open()
            yield self._service

    def close(self) -> None:
        with self._lock:
            if self._service is not None:
                self._service.close()
                self._service = None


def install_knowledge(
    app: FastAPI, settings: Settings, open_service: Callable[[], KnowledgeService] | None = None
) -> None:
    """Give `app` its knowledge base handle (opened on first use, closed when the app stops)."""

    def open_default() -> KnowledgeService:
        from mwo.knowledge import KnowledgeService

        return KnowledgeService.open(settings)

    app.state.mwo_knowledge = KnowledgeHandle(open_service or open_default)


async def _handle(request: Request) -> KnowledgeHandle:
    handle: KnowledgeHandle = request.app.state.mwo_knowledge
    return handle


Knowledge = Annotated[KnowledgeHandle, Depends(_handle)]


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    yield
    handle: KnowledgeHandle = app.state.mwo_knowledge
    handle.close()


router = APIRouter(tags=["knowledge"], lifespan=_lifespan)


@router.get("/knowledge/search", dependencies=[READ], summary="Search passages")
def search(
    handle: Knowledge,
    q: Annotated[str, Query(min_length=1, max_length=2000, description="A question or request.")],
    domain: Annotated[
        list[str] | None, Query(description="Search only these domains (default: detected + common).")
    ] = None,
    k: Annotated[int, Query(ge=1, le=50)] = 5,
    mode: Literal["hybrid", "vector", "keyword"] = "hybrid",
) -> SearchResult:
    with handle.use() as kb:
        kb.ensure_ready()
        matches = kb.detect_domains(q)
        searched = domain or kb.search_domains(q, matches)
        passages = kb.retrieve(q, k=k, domains=searched, mode=mode)
    return SearchResult(query=q, mode=mode, domains=searched, detected=matches, passages=passages)


@router.post(
    "/knowledge/documents",
    dependencies=[WRITE],
    status_code=201,
    summary="Add a document (PDF, DOCX, XLSX/CSV, PNG/JPG, TXT/MD/HTML); 200 if already there",
    responses={200: {"description": "The same content was already indexed; nothing added."}},
)
async def add(
    file: Annotated[UploadFile, File(description="The document.")],
    response: Response,
    handle: Knowledge,
    services: AppServices,
    domain: Annotated[str | None, Form(description="File it under this domain (default: detected).")] = None,
) -> Added:
    path = await _keep_upload(file, services.settings.resolved_knowledge_dir() / "uploads")
    result = await run_in_threadpool(_add, handle, path, domain)
    if result.status == "duplicate":
        response.status_code = 200
    return Added(result=result)


def _add(handle: KnowledgeHandle, path: Path, domain: str | None) -> AddResult:
    with handle.use() as kb:
        return kb.add(path, domain=domain)


async def _keep_upload(file: UploadFile, uploads: Path) -> Path:
    """Store the upload under the knowledge base (a document's `source` must stay readable), in a
    folder named by its content hash so two different files with one name never overwrite each
    other. 413 past UPLOAD_MAX_BYTES."""
    digest = hashlib.sha256()
    chunks: list[bytes] = []
    size = 0
    while chunk := await file.read(_CHUNK):
        size += len(chunk)
        if size > UPLOAD_MAX_BYTES:
            raise Problem(
                413,
                "Payload too large",
                f"a document must be at most {UPLOAD_MAX_BYTES} bytes",
                code="too_large",
                fix="split the document or add it with `mwo kb add FILE` on the server",
            )
        digest.update(chunk)
        chunks.append(chunk)
    name = _SAFE_NAME.sub("-", Path(file.filename or "document").name).strip("-.") or "document"
    target = uploads / digest.hexdigest()[:16] / name
    await run_in_threadpool(_write, target, b"".join(chunks))
    return target


def _write(target: Path, data: bytes) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)

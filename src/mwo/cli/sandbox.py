"""`mwo sandbox exec FILE`: run one script exactly as a PYTHON_SCRIPT step would, to try it or debug it."""

from __future__ import annotations

import json
import time
from dataclasses import replace
from pathlib import Path
from typing import Annotated, Any

import typer

from mwo.cli.output import console, err_console, fail, print_json
from mwo.sandbox import Limits, NetAccess, Sandbox, SandboxUnavailable, config_from_settings, limits_for
from mwo.settings import Settings

sandbox_app = typer.Typer(help="Run untrusted Python the way PYTHON_SCRIPT steps do.", no_args_is_help=True)


@sandbox_app.command("exec")
def exec_script(
    file: Annotated[Path, typer.Argument(help="A script defining `def main(inputs: dict) -> dict`.")],
    input_json: Annotated[str, typer.Option("--input", help="The inputs as a JSON object.")] = "{}",
    timeout: Annotated[float, typer.Option("--timeout", help="Wall-clock (and CPU) seconds.")] = 30.0,
    memory: Annotated[int, typer.Option("--memory", help="Memory limit in MB.")] = 256,
    allow_net: Annotated[bool, typer.Option("--allow-net", help="Let it reach public addresses.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Run FILE's main(inputs) in the sandbox; exit status 1 when it fails."""
    try:
        code = file.read_text(encoding="utf-8")
    except OSError as exc:
        fail(f"cannot read {file}: {exc.strerror or exc}", "give the path of a Python file", as_json=as_json)
    try:
        inputs = json.loads(input_json)
    except ValueError as exc:
        fix = "write a JSON object, e.g. --input '{\"n\": 10}'"
        fail(f"--input is not JSON: {exc}", fix, code="bad_input", as_json=as_json)
    settings = Settings()
    limits = limits_for(settings, timeout, memory)
    sandbox = Sandbox(replace(config_from_settings(settings), pool_size=0))  # one run: nothing to pre-start
    started = time.perf_counter()
    try:
        payload = _run(sandbox, code, inputs, limits, NetAccess(allow_net))
    finally:
        sandbox.close()
    payload["seconds"] = round(time.perf_counter() - started, 4)
    _show(payload, as_json)
    if not payload["ok"]:
        raise typer.Exit(1)


def _run(sandbox: Sandbox, code: str, inputs: Any, limits: Limits, net: NetAccess) -> dict[str, Any]:
    try:
        result = sandbox.run(code, inputs, {}, limits, net)
    except SandboxUnavailable as exc:
        return {"ok": False, "output": None, "error": exc.as_dict(), "log": "", "warnings": []}
    return {
        "ok": result.ok,
        "output": result.output,
        "error": result.error.as_dict() if result.error else None,
        "log": result.log,
        "warnings": list(result.warnings),
    }


def _show(payload: dict[str, Any], as_json: bool) -> None:
    if as_json:
        print_json(payload)
        return
    for warning in payload["warnings"]:
        err_console.print(f"[yellow]warning:[/] {warning}", soft_wrap=True)
    if payload["log"]:
        err_console.print(payload["log"].rstrip(), markup=False, soft_wrap=True)
    if payload["ok"]:
        console.print_json(json.dumps(payload["output"], ensure_ascii=False))
        return
    error = payload["error"]
    err_console.print(f"[bold red]{error['type']}:[/] {error['message']}", soft_wrap=True)
    if error.get("traceback"):
        err_console.print(error["traceback"].rstrip(), markup=False, soft_wrap=True)
    err_console.print(f"[yellow]hint:[/] {error['hint']}", soft_wrap=True)

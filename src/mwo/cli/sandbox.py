"""`mwo sandbox exec FILE`: run one script exactly as a PYTHON_SCRIPT step would, to try it or debug it.

Secrets named with --secret are read from the store and sent on the sandbox's stdin, as the engine
sends a step's; everything printed back (output, error, log, warnings) is redacted of their values,
as the engine redacts what it records.
"""

from __future__ import annotations

import json
import time
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from mwo.cli.context import services
from mwo.cli.output import console, err_console, fail, print_json

if TYPE_CHECKING:
    from mwo.sandbox import Limits, NetAccess, Sandbox

sandbox_app = typer.Typer(help="Run untrusted Python the way PYTHON_SCRIPT steps do.", no_args_is_help=True)


@sandbox_app.command("exec")
def exec_script(
    file: Annotated[Path, typer.Argument(help="A script defining `def main(inputs: dict) -> dict`.")],
    input_json: Annotated[str, typer.Option("--input", help="The inputs as a JSON object.")] = "{}",
    timeout: Annotated[float, typer.Option("--timeout", help="Wall-clock (and CPU) seconds.")] = 30.0,
    memory: Annotated[int, typer.Option("--memory", help="Memory limit in MB.")] = 256,
    allow_net: Annotated[
        bool, typer.Option("--allow-net", help="Let it reach public addresses (through the egress proxy).")
    ] = False,
    net_allow: Annotated[
        list[str] | None,
        typer.Option(
            "--net-allow",
            help="With --allow-net: a host, address or CIDR it may reach although internal, as a "
            "workflow's settings.network.allow (repeatable).",
            metavar="ENTRY",
        ),
    ] = None,
    secret_names: Annotated[
        list[str] | None,
        typer.Option(
            "--secret", help="A stored secret to pass to main(inputs, secrets) (repeatable).", metavar="NAME"
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Run FILE's main(inputs[, secrets]) in the sandbox; exit status 1 when it fails."""
    try:
        code = file.read_text(encoding="utf-8")
    except OSError as exc:
        fail(f"cannot read {file}: {exc.strerror or exc}", "give the path of a Python file", as_json=as_json)
    try:
        inputs = json.loads(input_json)
    except ValueError as exc:
        fix = "write a JSON object, e.g. --input '{\"n\": 10}'"
        fail(f"--input is not JSON: {exc}", fix, code="bad_input", as_json=as_json)
    from mwo.engine.executors.python_script import script_net_access
    from mwo.engine.redaction import Redactor
    from mwo.sandbox import Sandbox, config_from_settings, limits_for
    from mwo.settings import Settings
    from mwo.spec import NetworkPolicy

    secrets = _reveal(secret_names or [], as_json)
    redactor = Redactor()
    for value in secrets.values():
        redactor.add(value)
    settings = Settings().sandbox
    limits = limits_for(settings, timeout, memory)
    sandbox = Sandbox(replace(config_from_settings(settings), pool_size=0))  # one run: nothing to pre-start
    net = script_net_access(NetworkPolicy(allow=net_allow or []), allow_net)
    started = time.perf_counter()
    try:
        payload = _run(sandbox, code, inputs, secrets, limits, net)
    finally:
        sandbox.close()
    payload = redactor.tree(payload)
    payload["seconds"] = round(time.perf_counter() - started, 4)
    _show(payload, as_json)
    if not payload["ok"]:
        raise typer.Exit(1)


def _reveal(names: list[str], as_json: bool) -> dict[str, str]:
    """The named secrets' values from the store; an unknown name ends the command with the fix."""
    if not names:
        return {}
    with services(as_json) as opened:
        return {name: opened.store.reveal_secret(name) for name in dict.fromkeys(names)}


def _run(
    sandbox: Sandbox, code: str, inputs: Any, secrets: dict[str, str], limits: Limits, net: NetAccess
) -> dict[str, Any]:
    from mwo.sandbox import SandboxUnavailable

    try:
        result = sandbox.run(code, inputs, secrets, limits, net)
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

"""Driving the CLI in-process (Typer's CliRunner) for the tests that need no second process."""

from __future__ import annotations

import json
from typing import Any

from typer.testing import CliRunner

from mwo.cli import app


def invoke(*args: str, input: str | None = None) -> tuple[int, str, str]:
    """(exit code, stdout, stderr) of `mwo ARGS`."""
    result = CliRunner().invoke(app, list(args), input=input)
    return result.exit_code, result.stdout, result.stderr


def invoke_json(*args: str) -> tuple[int, dict[str, Any]]:
    """`mwo ARGS --json`: the exit code and the one JSON object printed."""
    code, out, _ = invoke(*args, "--json")
    return code, json.loads(out)

"""`mwo sandbox exec` and the doctor's sandbox line, as a user runs them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from mwo.cli import app
from mwo.sandbox import Sandbox, SandboxConfig


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "home"
    monkeypatch.setenv("MWO_HOME", str(path))
    monkeypatch.delenv("MWO_DATABASE_URL", raising=False)
    return path


def _exec(tmp_path: Path, code: str, *args: str) -> tuple[int, dict[str, Any]]:
    script = tmp_path / "script.py"
    script.write_text(code)
    result = CliRunner().invoke(app, ["sandbox", "exec", str(script), *args, "--json"])
    return result.exit_code, json.loads(result.stdout)


def test_exec_prints_the_output(home: Path, tmp_path: Path) -> None:
    code = "def main(inputs):\n    print('hi')\n    return {'fib': fib(inputs['n'])}\n"
    code += "def fib(n):\n    return n if n < 2 else fib(n - 1) + fib(n - 2)\n"
    status, payload = _exec(tmp_path, code, "--input", '{"n": 10}')
    assert status == 0
    assert payload["ok"] is True and payload["output"] == {"fib": 55} and payload["error"] is None
    assert payload["log"] == "hi\n" and payload["seconds"] > 0


@pytest.mark.parametrize(
    ("code", "args", "type_"),
    [
        ("def main(inputs):\n    while True:\n        pass\n", ("--timeout", "0.3"), "timeout"),
        ("def main(inputs):\n    return {'n': len(bytearray(2 * 1024**3))}\n", ("--memory", "64"), "memory"),
        ("def main(inputs):\n    return {'x': open('/etc/shadow').read()}\n", (), "violation"),
        ("def main(inputs):\n    raise RuntimeError('boom')\n", (), "exception"),
        ("def main(inputs):\n    return 'text'\n", (), "bad_output"),
    ],
)
def test_exec_reports_each_error_type(
    home: Path, tmp_path: Path, code: str, args: tuple[str, ...], type_: str
) -> None:
    status, payload = _exec(tmp_path, code, *args)
    assert status == 1
    assert payload["ok"] is False and payload["output"] is None
    assert payload["error"]["type"] == type_
    assert payload["error"]["message"] and payload["error"]["hint"]


def test_exec_network_flag_still_refuses_loopback(home: Path, tmp_path: Path) -> None:
    code = "import socket\ndef main(inputs):\n    socket.create_connection(('127.0.0.1', 9), timeout=1)\n"
    status, payload = _exec(tmp_path, code, "--allow-net")
    assert status == 1 and payload["error"]["type"] == "violation"


def test_exec_with_bad_input_is_one_line_with_the_fix(home: Path, tmp_path: Path) -> None:
    status, payload = _exec(tmp_path, "def main(i):\n    return {}\n", "--input", "not json")
    assert status == 1 and payload["error"]["code"] == "bad_input"


def test_doctor_reports_the_isolation_mode(home: Path) -> None:
    result = CliRunner().invoke(app, ["doctor", "--json"])
    checks = {check["name"]: check for check in json.loads(result.stdout)["checks"]}
    mode = Sandbox(SandboxConfig(pool_size=0)).isolation.mode.value
    assert checks["sandbox"]["detail"].startswith(mode)
    assert checks["step PYTHON_SCRIPT"]["ok"] is True


def test_doctor_says_when_there_is_no_isolation(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")  # no bwrap to be found
    monkeypatch.setenv("MWO_SANDBOX_REQUIRE_ISOLATION", "true")
    result = CliRunner().invoke(app, ["doctor", "--json"])
    check = {c["name"]: c for c in json.loads(result.stdout)["checks"]}["sandbox"]
    assert check["ok"] is False and check["detail"].startswith("rlimits-only")
    assert "refuse" in check["detail"] and "bubblewrap" in check["fix"]

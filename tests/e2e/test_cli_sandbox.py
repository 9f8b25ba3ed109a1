"""`mwo sandbox exec` and the doctor's sandbox line, as a user runs them."""

from __future__ import annotations

import hashlib
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from mwo.cli import app
from mwo.sandbox import Sandbox, SandboxConfig


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


SECRET_VALUE = "tok-5ecret-4711-value"
SECRET_SCRIPT = """
import glob, hashlib

def main(inputs, secrets):
    token = secrets["API_TOKEN"]
    print("using token", token)
    seen = []
    for path in glob.glob("/proc/*/environ") + glob.glob("/proc/*/cmdline"):
        try:
            if token in open(path, "rb").read().decode(errors="replace"):
                seen.append(path)
        except OSError:
            pass
    return {"sha": hashlib.sha256(token.encode()).hexdigest(), "echo": token, "seen_in": seen}
"""


def test_exec_passes_stored_secrets_on_stdin_and_redacts_them(home: Path, tmp_path: Path) -> None:
    stored = CliRunner().invoke(app, ["secrets", "set", "API_TOKEN", "--value", SECRET_VALUE])
    assert stored.exit_code == 0, stored.output
    script = tmp_path / "script.py"
    script.write_text(SECRET_SCRIPT)
    result = CliRunner().invoke(app, ["sandbox", "exec", str(script), "--secret", "API_TOKEN", "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["output"]["sha"] == hashlib.sha256(SECRET_VALUE.encode()).hexdigest()  # it arrived
    assert payload["output"]["seen_in"] == []  # in no environment and no command line of the sandbox
    assert payload["output"]["echo"] == "***" and payload["log"] == "using token ***\n"
    assert SECRET_VALUE not in result.output
    plain = CliRunner().invoke(app, ["sandbox", "exec", str(script), "--secret", "API_TOKEN"])
    assert plain.exit_code == 0 and SECRET_VALUE not in plain.output and "***" in plain.output


def test_exec_with_an_unknown_secret_says_how_to_set_it(home: Path, tmp_path: Path) -> None:
    status, payload = _exec(tmp_path, "def main(i, s):\n    return {}\n", "--secret", "MISSING_TOKEN")
    assert status == 1 and payload["ok"] is False
    assert "MISSING_TOKEN" in payload["error"]["message"]
    assert "mwo secrets set MISSING_TOKEN" in payload["error"]["fix"]


FETCH = """
import urllib.request

def main(inputs):
    with urllib.request.urlopen(inputs["url"], timeout=5) as answer:
        return {"body": answer.read().decode()}
"""


def test_exec_reaches_an_internal_host_only_when_net_allow_names_it(home: Path, tmp_path: Path) -> None:
    class Answer(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"hi")

    server = ThreadingHTTPServer(("127.0.0.1", 0), Answer)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = json.dumps({"url": f"http://localhost:{server.server_address[1]}/"})
    try:
        status, payload = _exec(tmp_path, FETCH, "--input", url, "--allow-net", "--net-allow", "localhost")
        assert status == 0 and payload["output"] == {"body": "hi"}, payload
        status, payload = _exec(tmp_path, FETCH, "--input", url, "--allow-net")
        assert status == 1 and payload["error"]["type"] == "violation"
        assert "403: refused by MWO's network policy" in payload["error"]["message"]
        assert "settings.network.allow" in payload["error"]["hint"]
    finally:
        server.shutdown()
        server.server_close()


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

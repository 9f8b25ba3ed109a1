"""Ordinary script failures, each with its error type and a message pointing at the fix; the fallback."""

from __future__ import annotations

import pytest

from mwo.sandbox import ErrorType, Limits, NetAccess, Sandbox, SandboxConfig, SandboxUnavailable
from tests.integration.sandbox.conftest import run, script


def test_a_script_returns_its_output_and_its_prints_become_the_log(sandbox: Sandbox) -> None:
    code = script(
        "def main(inputs):", "    print('working on', inputs['n'])", "    return {'double': inputs['n'] * 2}"
    )
    result = sandbox.run(code, {"n": 21}, {}, Limits(timeout_s=2))
    assert result.ok and result.output == {"double": 42}
    assert result.log == "working on 21\n"
    assert result.warnings == ()


def test_secrets_arrive_as_the_second_argument_only(sandbox: Sandbox) -> None:
    code = script(
        "import os, sys", "def main(inputs, secrets):", "    return {'s': secrets, 'argv': sys.argv}"
    )
    result = sandbox.run(code, {}, {"TOKEN": "t0ken"}, Limits(timeout_s=2))
    assert result.output is not None and result.output["s"] == {"TOKEN": "t0ken"}
    assert "t0ken" not in str(result.output["argv"])


def test_an_exception_gives_the_scripts_own_frames_only(sandbox: Sandbox) -> None:
    code = script(
        "import json", "def main(inputs):", "    return helper()", "def helper():", "    json.loads('{')"
    )
    result = run(sandbox, code)
    assert result.error is not None and result.error.type is ErrorType.EXCEPTION
    assert result.error.message.startswith("JSONDecodeError:")
    trace = result.error.traceback
    assert 'File "script.py", line 3, in main' in trace and 'File "script.py", line 5, in helper' in trace
    assert "json/decoder.py" not in trace and "harness" not in trace and "<string>" not in trace


@pytest.mark.parametrize(
    ("code", "type_", "words"),
    [
        ("def main(inputs):\n    return [1, 2]\n", ErrorType.BAD_OUTPUT, "returned list, not a dict"),
        ("def main(inputs):\n    return {'s': {1, 2}}\n", ErrorType.BAD_OUTPUT, "not JSON"),
        ("def main(inputs):\n    return {'x': float('nan')}\n", ErrorType.BAD_OUTPUT, "not JSON"),
        ("def run(inputs):\n    return {}\n", ErrorType.BAD_SCRIPT, "no function `main`"),
        ("main = 3\n", ErrorType.BAD_SCRIPT, "no function `main`"),
        ("def main(inputs)\n    return {}\n", ErrorType.BAD_SCRIPT, "does not compile"),
        ("raise ValueError('at import')\n", ErrorType.EXCEPTION, "ValueError: at import"),
        ("import sys\ndef main(inputs):\n    sys.exit(3)\n", ErrorType.EXCEPTION, "exit(3)"),
        ("def main(inputs):\n    return main(inputs)\n", ErrorType.EXCEPTION, "RecursionError"),
        ("import os\ndef main(inputs):\n    os._exit(0)\n", ErrorType.CRASHED, "without a result"),
    ],
)
def test_ordinary_failures_have_their_type(sandbox: Sandbox, code: str, type_: ErrorType, words: str) -> None:
    result = run(sandbox, code)
    assert result.error is not None, result.output
    assert result.error.type is type_, result.error.as_dict()
    assert words in result.error.message
    assert result.error.hint


def test_a_cpu_bound_script_is_stopped_on_time(sandbox: Sandbox) -> None:
    result = run(
        sandbox, script("def main(inputs):", "    x = 0", "    while True:", "        x += 1"), timeout_s=0.3
    )
    assert result.error is not None and result.error.type is ErrorType.TIMEOUT
    assert result.seconds < 1.5


def test_cancel_stops_a_running_script(sandbox: Sandbox) -> None:
    calls = iter([False, False, True, True, True, True])
    result = sandbox.run(
        script("import time", "def main(i):", "    time.sleep(30)"),
        {},
        {},
        Limits(timeout_s=30),
        None,
        lambda: next(calls),
    )
    assert result.error is not None and result.error.type is ErrorType.CANCELLED
    assert result.seconds < 2


def test_every_run_gets_a_fresh_process_and_work_dir(sandbox: Sandbox) -> None:
    code = script(
        "import os",
        "def main(inputs):",
        "    before = os.listdir('.')",
        "    open('mark', 'w').write('x')",
        "    return {'before': before, 'pid_marker': id(os)}",
    )
    first, second = run(sandbox, code), run(sandbox, code)
    assert first.output is not None and second.output is not None
    assert first.output["before"] == [] and second.output["before"] == []


def test_without_namespaces_runs_are_warned_about() -> None:
    fallback = Sandbox(SandboxConfig(bwrap=None, pool_size=0))
    try:
        assert not fallback.isolation.isolated
        result = fallback.run(script("import os", "def main(i):", "    return {'cwd': os.getcwd()}"), {}, {})
        assert result.output is not None and "mwo-sandbox-" in result.output["cwd"]
        assert result.warnings and "without namespace isolation" in result.warnings[0]
        memory = fallback.run(script("def main(i):", "    return {'n': len(bytearray(8 * 1024**3))}"), {}, {})
        assert memory.error is not None and memory.error.type is ErrorType.MEMORY
    finally:
        fallback.close()


def test_without_namespaces_a_network_step_is_checked_in_process_and_warned_about() -> None:
    fallback = Sandbox(SandboxConfig(bwrap=None, pool_size=0))
    loopback = script(
        "import socket", "def main(i):", "    socket.create_connection(('127.0.0.1', 9), timeout=1)"
    )
    try:
        result = fallback.run(loopback, {}, {}, Limits(timeout_s=5), NetAccess(True))
        assert result.error is not None and result.error.type is ErrorType.VIOLATION
        assert "not a public address" in result.error.message
        assert any("no egress proxy without namespaces" in warning for warning in result.warnings)
    finally:
        fallback.close()


def test_isolation_can_be_required() -> None:
    strict = Sandbox(SandboxConfig(bwrap=None, pool_size=0, require_isolation=True))
    with pytest.raises(SandboxUnavailable) as caught:
        strict.run("def main(i):\n    return {}\n")
    assert caught.value.type is ErrorType.UNAVAILABLE
    assert "bubblewrap" in caught.value.hint
